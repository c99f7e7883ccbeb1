package acmexport_test

import (
	"context"
	"crypto"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/acmexport/acmexport"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// rawResponse is what a test reads of one response.
type rawResponse struct {
	status    int
	header    http.Header
	body      map[string]string
	requestID string
}

// do sends one request straight to h and reads the response.
func do(t *testing.T, h http.Handler, method, target, contentType, body string) rawResponse {
	t.Helper()
	req := httptest.NewRequest(method, "/", strings.NewReader(body))
	if target != "" {
		req.Header.Set("X-Amz-Target", target)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return doRequest(t, h, req)
}

// doRequest sends req straight to h and reads the response.
func doRequest(t *testing.T, h http.Handler, req *http.Request) rawResponse {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	res := rec.Result()
	data, _ := io.ReadAll(res.Body)
	var r rawResponse
	r.status, r.header = res.StatusCode, res.Header
	if err := json.Unmarshal(data, &r.body); err != nil {
		t.Fatalf("response body %q is not a JSON object of strings: %v", data, err)
	}
	if ids := res.Header.Values("x-amzn-RequestId"); len(ids) == 1 {
		r.requestID = ids[0]
	}
	return r
}

func exportBody(arn, passphrase string) string {
	return `{"CertificateArn":"` + arn + `","Passphrase":"` + passphrase + `"}`
}

func TestHandlerSuccess(t *testing.T) {
	d := sharedDemoCA(t)
	h := &acmexport.Handler{CA: d}
	r := do(t, h, "POST", acmexport.Target, acmexport.ContentType, exportBody(d.rsa, "cGFzc3dvcmQ="))
	if r.status != 200 {
		t.Fatalf("status = %d, body %v; want 200", r.status, r.body)
	}
	if got := r.header.Get("Content-Type"); got != acmexport.ContentType {
		t.Errorf("Content-Type = %q, want %q", got, acmexport.ContentType)
	}
	if !uuidPattern.MatchString(r.requestID) {
		t.Errorf("x-amzn-RequestId = %q, want a UUID", r.requestID)
	}
	resp := &acmexport.Response{Certificate: r.body["Certificate"], CertificateChain: r.body["CertificateChain"], PrivateKey: r.body["PrivateKey"]}
	if len(r.body) != 3 {
		t.Errorf("body has members %v, want Certificate, CertificateChain and PrivateKey", r.body)
	}
	openResponse(t, resp, []byte("password"), d.Roots())
}

func TestHandlerErrors(t *testing.T) {
	d := sharedDemoCA(t)
	const (
		ct  = acmexport.ContentType
		tgt = acmexport.Target
	)
	tests := []struct {
		name                        string
		method, target, ctype, body string
		status                      int
		code                        string
		message                     string // "" to skip
	}{
		{"no target", "POST", "", ct, exportBody(d.rsa, "cGFzcw=="), 400, "UnknownOperationException", ""},
		{"other target", "POST", "CertificateManager.DeleteCertificate", ct, `{}`, 400, "UnknownOperationException", ""},
		{"GET", "GET", tgt, ct, "", 400, "UnknownOperationException", "ExportCertificate is called with POST, not GET"},
		{"JSON content type", "POST", tgt, "application/json", exportBody(d.rsa, "cGFzcw=="), 400, "SerializationException", "content type must be application/x-amz-json-1.1"},
		{"no content type", "POST", tgt, "", exportBody(d.rsa, "cGFzcw=="), 400, "SerializationException", ""},
		{"content type with charset", "POST", tgt, ct + "; charset=utf-8", exportBody(d.publicNotExportable, "cGFzcw=="), 400, "ValidationException", ""},
		{"too large", "POST", tgt, ct, `{"x":"` + strings.Repeat("a", acmexport.DefaultMaxBodyBytes) + `"}`, 400, "SerializationException", "request body is larger than 65536 bytes"},
		{"bad JSON", "POST", tgt, ct, `{"CertificateArn":`, 400, "SerializationException", ""},
		{"wrong type", "POST", tgt, ct, `{"CertificateArn":1}`, 400, "SerializationException", "member CertificateArn must be a string, not number"},
		{"bad base64", "POST", tgt, ct, exportBody(d.rsa, "foobar"), 400, "SerializationException", ""},
		{"validation", "POST", tgt, ct, `{}`, 400, "ValidationException",
			"2 validation errors detected: Value null at 'certificateArn' failed to satisfy constraint: Member must not be null; Value null at 'passphrase' failed to satisfy constraint: Member must not be null"},
		{"not found", "POST", tgt, ct, exportBody(d.rsa[:len(d.rsa)-4]+"0000", "cGFzcw=="), 400, "ResourceNotFoundException", ""},
		{"invalid ARN", "POST", tgt, ct, exportBody(strings.Replace(d.rsa, "us-east-1", "eu-west-1", 1), "cGFzcw=="), 400, "InvalidArnException", ""},
		{"pending", "POST", tgt, ct, exportBody(d.pending, "cGFzcw=="), 400, "RequestInProgressException", ""},
		{"imported", "POST", tgt, ct, exportBody(d.imported, "cGFzcw=="), 400, "ValidationException", ""},
		{"NUL and invalid UTF-8 in the ARN", "POST", tgt, ct, exportBody(d.rsa+"\\u0000\xff", "cGFzcw=="), 400, "ValidationException", ""},
		{"duplicate members", "POST", tgt, ct, `{"CertificateArn":"` + d.imported + `","CertificateArn":"` + d.rsa + `","Passphrase":"cGFzcw=="}`, 400, "SerializationException", "request body has member CertificateArn more than once"},
		{"deeply nested JSON", "POST", tgt, ct, `{"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, 400, "SerializationException", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recordingCA{CA: d}
			r := do(t, &acmexport.Handler{CA: rec}, tt.method, tt.target, tt.ctype, tt.body)
			checkErrorResponse(t, r, tt.status, tt.code)
			if tt.message != "" && r.body["message"] != tt.message {
				t.Errorf("message = %q, want %q", r.body["message"], tt.message)
			}
			if tt.code == "SerializationException" || tt.code == "UnknownOperationException" || tt.name == "validation" {
				if calls := rec.Calls(); len(calls) > 0 {
					t.Errorf("the CA was asked %q", calls)
				}
			}
		})
	}
}

// checkErrorResponse checks the parts every error response shares.
func checkErrorResponse(t *testing.T, r rawResponse, status int, code string) {
	t.Helper()
	if r.status != status {
		t.Errorf("status = %d, want %d", r.status, status)
	}
	if got := r.header.Values("X-Amzn-ErrorType"); len(got) != 1 || got[0] != code {
		t.Errorf("X-Amzn-ErrorType = %q, want [%q]", got, code)
	}
	if r.body["__type"] != code {
		t.Errorf("__type = %q, want %q", r.body["__type"], code)
	}
	if !uuidPattern.MatchString(r.requestID) {
		t.Errorf("x-amzn-RequestId = %q, want a UUID", r.requestID)
	}
	if got := r.header.Get("Content-Type"); got != acmexport.ContentType {
		t.Errorf("Content-Type = %q, want %q", got, acmexport.ContentType)
	}
}

func TestHandlerNext(t *testing.T) {
	d := sharedDemoCA(t)
	var got []string
	next := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("X-Amz-Target"))
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"from":"next"}`)
	})
	h := &acmexport.Handler{CA: d, Next: next}
	r := do(t, h, "POST", "CertificateManager.ListCertificates", acmexport.ContentType, `{}`)
	if r.body["from"] != "next" || r.requestID != "" {
		t.Errorf("other target: body %v, request ID %q; want Next's answer untouched", r.body, r.requestID)
	}
	do(t, h, "GET", "", "", "")
	r = do(t, h, "POST", acmexport.Target, acmexport.ContentType, exportBody(d.pending, "cGFzcw=="))
	checkErrorResponse(t, r, 400, "RequestInProgressException")
	if want := []string{"CertificateManager.ListCertificates", ""}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Next saw targets %q, want %q", got, want)
	}
}

func TestHandlerInternalFailure(t *testing.T) {
	d := sharedDemoCA(t)
	tests := []struct {
		name string
		ca   acmexport.CA
	}{
		{"CA panics", funcCA{
			cert: func(context.Context, string) (*acmexport.Certificate, error) { panic("secret panic detail") },
		}},
		{"CA fails", funcCA{
			cert: func(context.Context, string) (*acmexport.Certificate, error) {
				return nil, errors.New("secret failure detail")
			},
		}},
		{"bad config", d},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var hooked []error
			var ids []string
			h := &acmexport.Handler{CA: tt.ca, OnError: func(_ *http.Request, id string, err error) {
				hooked = append(hooked, err)
				ids = append(ids, id)
			}}
			if tt.name == "bad config" {
				h.Config = &acmexport.Config{KeyFormat: 99}
			}
			r := do(t, h, "POST", acmexport.Target, acmexport.ContentType, exportBody(d.rsa, "cGFzcw=="))
			checkErrorResponse(t, r, 500, "InternalFailure")
			if strings.Contains(r.body["message"], "secret") || strings.Contains(r.body["message"], "KeyFormat") {
				t.Errorf("message %q tells the client the cause", r.body["message"])
			}
			if len(hooked) != 1 || code(hooked[0]) != "InternalFailure" || ids[0] != r.requestID {
				t.Errorf("OnError got %v with IDs %q, want one InternalFailure with ID %q", hooked, ids, r.requestID)
			}
		})
	}
}

func TestHandlerAccessDenied(t *testing.T) {
	d := sharedDemoCA(t)
	ca := funcCA{cert: func(context.Context, string) (*acmexport.Certificate, error) {
		return nil, &acmexport.AccessDeniedException{Message: "no"}
	}, key: func(context.Context, string) (crypto.Signer, error) { return nil, nil }}
	r := do(t, &acmexport.Handler{CA: ca}, "POST", acmexport.Target, acmexport.ContentType, exportBody(d.rsa, "cGFzcw=="))
	checkErrorResponse(t, r, 403, "AccessDeniedException")
	if r.body["Message"] != "no" || r.body["message"] != "" {
		t.Errorf("body = %v, want the message in member Message", r.body)
	}
}

func TestHandlerRequestIDsAreFresh(t *testing.T) {
	d := sharedDemoCA(t)
	h := &acmexport.Handler{CA: d}
	seen := map[string]bool{}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			r := do(t, h, "POST", acmexport.Target, acmexport.ContentType, `{}`)
			mu.Lock()
			defer mu.Unlock()
			if seen[r.requestID] {
				t.Errorf("request ID %q sent twice", r.requestID)
			}
			seen[r.requestID] = true
		})
	}
	wg.Wait()
}

func TestHandlerAllow(t *testing.T) {
	d := sharedDemoCA(t)
	allow := false
	rec := &recordingCA{CA: d}
	h := &acmexport.Handler{CA: rec, Allow: func(*http.Request) bool { return allow }}
	r := do(t, h, "POST", acmexport.Target, acmexport.ContentType, exportBody(d.rsa, "cGFzcw=="))
	checkErrorResponse(t, r, 400, "ThrottlingException")
	if calls := rec.Calls(); len(calls) > 0 {
		t.Errorf("a throttled request asked the CA %q", calls)
	}
	allow = true
	if r := do(t, h, "POST", acmexport.Target, acmexport.ContentType, exportBody(d.rsa, "cGFzcw==")); r.status != 200 {
		t.Errorf("allowed request: status %d, body %v; want 200", r.status, r.body)
	}
}
