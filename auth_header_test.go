package acmexport_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/acmexport/acmexport"
)

// These tests sign requests with the SDK's signer at a fixed time, change
// them in the ways a client or an attacker might, and send them straight
// to a Handler whose clock is that time.

// authTime is when the requests of these tests are signed.
var authTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

// signRequest returns an ExportCertificate request for body, signed at
// authTime by authKeyID for acm in authRegion. before, if not nil, changes
// the request before it is signed.
func signRequest(t *testing.T, body string, before func(*http.Request)) *http.Request {
	t.Helper()
	req := httptest.NewRequest("POST", "/", strings.NewReader(body))
	req.Header.Set("Content-Type", acmexport.ContentType)
	req.Header.Set("X-Amz-Target", acmexport.Target)
	if before != nil {
		before(req)
	}
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: authKeyID, SecretAccessKey: authSecret}
	if req.Header.Get("X-Amz-Security-Token") != "" {
		creds.AccessKeyID, creds.SessionToken = authTempKeyID, req.Header.Get("X-Amz-Security-Token")
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "acm", authRegion, authTime); err != nil {
		t.Fatal(err)
	}
	return req
}

// setAuthParam replaces the value of one parameter of req's Authorization
// header, or removes it if value is "".
func setAuthParam(req *http.Request, key, value string) {
	alg, rest, _ := strings.Cut(req.Header.Get("Authorization"), " ")
	var parts []string
	for p := range strings.SplitSeq(rest, ", ") {
		if strings.HasPrefix(p, key+"=") {
			if value == "" {
				continue
			}
			p = key + "=" + value
		}
		parts = append(parts, p)
	}
	req.Header.Set("Authorization", alg+" "+strings.Join(parts, ", "))
}

// authParam returns the value of one parameter of req's Authorization
// header.
func authParam(req *http.Request, key string) string {
	_, after, _ := strings.Cut(req.Header.Get("Authorization"), key+"=")
	v, _, _ := strings.Cut(after, ",")
	return v
}

func TestHandlerSigV4Header(t *testing.T) {
	d := sharedDemoCA(t)
	body := exportBody(d.p256, "Y29ycmVjdCBob3JzZQ==")
	const (
		incomplete = "IncompleteSignatureException"
		invalid    = "InvalidSignatureException"
	)
	tests := []struct {
		name    string
		before  func(*http.Request) // before signing
		after   func(*http.Request) // after signing
		status  int
		code    string // "" for success
		message string // "" to skip
	}{
		{name: "as signed", status: 200},
		{
			name: "no Authorization header", after: func(r *http.Request) { r.Header.Del("Authorization") },
			status: 403, code: "MissingAuthenticationTokenException", message: "Request is missing Authentication Token",
		},
		{
			name: "another scheme", after: func(r *http.Request) { r.Header.Set("Authorization", "Bearer abc") },
			status: 403, code: "MissingAuthenticationTokenException",
		},
		{
			name: "two Authorization headers", after: func(r *http.Request) { r.Header.Add("Authorization", r.Header.Get("Authorization")) },
			status: 400, code: incomplete, message: "Authorization header must appear once, not 2 times.",
		},
		{
			name: "another algorithm",
			after: func(r *http.Request) {
				r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AWS4-HMAC-SHA256", "AWS4-HMAC-SHA512", 1))
			},
			status: 400, code: incomplete, message: "Unsupported AWS 'algorithm' (only AWS4-HMAC-SHA256 for now).",
		},
		{
			name: "no Signature", after: func(r *http.Request) { setAuthParam(r, "Signature", "") },
			status: 400, code: incomplete, message: "Authorization header requires 'Signature' parameter.",
		},
		{
			name: "nothing but the algorithm, and no date",
			after: func(r *http.Request) {
				r.Header.Set("Authorization", "AWS4-HMAC-SHA256 ")
				r.Header.Del("X-Amz-Date")
			},
			status: 400, code: incomplete,
			message: "Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. " +
				"Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.",
		},
		{
			name: "Date instead of X-Amz-Date",
			after: func(r *http.Request) {
				r.Header.Del("X-Amz-Date")
				r.Header.Set("Date", authTime.Format(http.TimeFormat))
			},
			status: 400, code: incomplete, message: "Signing with the Date header is not supported; send X-Amz-Date.",
		},
		{
			name: "a parameter twice",
			after: func(r *http.Request) {
				r.Header.Set("Authorization", r.Header.Get("Authorization")+", Signature="+authParam(r, "Signature"))
			},
			status: 400, code: incomplete, message: "Authorization header has the parameter 'Signature' more than once.",
		},
		{
			name:   "an unknown parameter",
			after:  func(r *http.Request) { r.Header.Set("Authorization", r.Header.Get("Authorization")+", Expires=60") },
			status: 400, code: incomplete,
		},
		{
			name:   "a parameter without =",
			after:  func(r *http.Request) { r.Header.Set("Authorization", r.Header.Get("Authorization")+", Signature") },
			status: 400, code: incomplete,
		},
		{
			name:   "credential of four parts",
			after:  func(r *http.Request) { setAuthParam(r, "Credential", authKeyID+"/20150830/us-east-1/acm") },
			status: 400, code: incomplete,
			message: "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term",
		},
		{
			name:   "SignedHeaders out of order",
			after:  func(r *http.Request) { setAuthParam(r, "SignedHeaders", "x-amz-target;host;x-amz-date") },
			status: 400, code: incomplete,
		},
		{
			name:   "SignedHeaders in upper case",
			after:  func(r *http.Request) { setAuthParam(r, "SignedHeaders", "Host;X-Amz-Date;X-Amz-Target") },
			status: 400, code: incomplete,
		},
		{
			name:   "signature in upper case",
			after:  func(r *http.Request) { setAuthParam(r, "Signature", strings.ToUpper(authParam(r, "Signature"))) },
			status: 400, code: incomplete, message: "Signature must be 64 lower-case hexadecimal digits.",
		},
		{
			name:   "X-Amz-Date in another format",
			after:  func(r *http.Request) { r.Header.Set("X-Amz-Date", "2015-08-30T12:36:00Z") },
			status: 400, code: incomplete, message: "Date must be in ISO-8601 'basic format', such as 20150830T123600Z.",
		},
		{
			name: "host not signed",
			after: func(r *http.Request) {
				setAuthParam(r, "SignedHeaders", "content-length;content-type;x-amz-date;x-amz-target")
			},
			status: 400, code: invalid, message: "'Host' must be a 'SignedHeader' in the AWS Authorization.",
		},
		{
			name:   "target not signed",
			before: func(r *http.Request) { r.Header.Del("X-Amz-Target") },
			after:  func(r *http.Request) { r.Header.Set("X-Amz-Target", acmexport.Target) },
			status: 400, code: invalid, message: "'X-Amz-Target' must be a 'SignedHeader' in the AWS Authorization.",
		},
		{
			name:   "session token not signed",
			after:  func(r *http.Request) { r.Header.Set("X-Amz-Security-Token", authTempToken) },
			status: 400, code: invalid, message: "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization.",
		},
		{
			name:   "session token signed",
			before: func(r *http.Request) { r.Header.Set("X-Amz-Security-Token", authTempToken) },
			status: 200,
		},
		{
			name: "scope of another terminator and day",
			after: func(r *http.Request) {
				setAuthParam(r, "Credential", authKeyID+"/20150829/us-east-1/acm/aws5_request")
			},
			status: 400, code: invalid,
			message: "Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. " +
				"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150829' != '20150830', from '20150830T123600Z'.",
		},
		{
			name: "every part of the scope wrong",
			after: func(r *http.Request) {
				setAuthParam(r, "Credential", authKeyID+"/20150829/eu-west-1/s3/aws5_request")
			},
			status: 400, code: invalid,
			message: "Credential should be scoped to a valid region, not 'eu-west-1'. Credential should be scoped to correct service: 'acm'. " +
				"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'. " +
				"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150829' != '20150830', from '20150830T123600Z'.",
		},
		{
			name:   "payload hash of the body",
			before: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sha256Sum(body))) },
			status: 200,
		},
		{
			name:   "payload hash of something else",
			before: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", hex.EncodeToString(sha256Sum("{}"))) },
			status: 400, code: invalid, message: "The provided 'x-amz-content-sha256' header does not match what was computed.",
		},
		{
			name:   "unsigned payload",
			before: func(r *http.Request) { r.Header.Set("X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD") },
			status: 400, code: invalid,
		},
		{
			name:   "signed header changed",
			after:  func(r *http.Request) { r.Header.Set("Content-Type", acmexport.ContentType+"; charset=utf-8") },
			status: 400, code: invalid, message: msgSignatureMismatch,
		},
		{
			name:   "signed header removed",
			before: func(r *http.Request) { r.Header.Set("X-Extra", "1") },
			after:  func(r *http.Request) { r.Header.Del("X-Extra") },
			status: 400, code: invalid, message: msgSignatureMismatch,
		},
		{
			name:   "unsigned header added",
			after:  func(r *http.Request) { r.Header.Set("X-Extra", "1") },
			status: 200,
		},
		{
			name: "header the SDK never signs listed as signed",
			before: func(r *http.Request) {
				r.Header.Set("User-Agent", "test")
			},
			after: func(r *http.Request) {
				setAuthParam(r, "SignedHeaders", "content-length;content-type;host;user-agent;x-amz-date;x-amz-target")
			},
			status: 400, code: invalid, message: msgSignatureMismatch,
		},
		{
			name:   "another host",
			after:  func(r *http.Request) { r.Host = "example.com:8080" },
			status: 400, code: invalid, message: msgSignatureMismatch,
		},
		{
			name:   "another path",
			after:  func(r *http.Request) { r.URL.Path = "/other" },
			status: 400, code: invalid, message: msgSignatureMismatch,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recordingCA{CA: d}
			var reported []error
			h := &acmexport.Handler{
				CA:          rec,
				Credentials: authCredentials,
				Region:      authRegion,
				Now:         func() time.Time { return authTime.Add(time.Minute) },
				OnError:     func(_ *http.Request, _ string, err error) { reported = append(reported, err) },
			}
			req := signRequest(t, body, tt.before)
			signature := authParam(req, "Signature")
			if tt.after != nil {
				tt.after(req)
			}
			r := doRequest(t, h, req)
			if tt.code == "" {
				if r.status != 200 {
					t.Fatalf("status = %d, body %v; want 200", r.status, r.body)
				}
				return
			}
			checkErrorResponse(t, r, tt.status, tt.code)
			if tt.message != "" && r.body["message"] != tt.message {
				t.Errorf("message = %q, want %q", r.body["message"], tt.message)
			}
			if calls := rec.Calls(); len(calls) > 0 {
				t.Errorf("the CA was asked %q", calls)
			}
			for _, err := range reported {
				if strings.Contains(err.Error(), signature) || strings.Contains(err.Error(), authSecret) {
					t.Errorf("OnError got %q, which holds the signature or the secret", err)
				}
			}
			if strings.Contains(r.body["message"], signature) {
				t.Errorf("message %q holds the signature", r.body["message"])
			}
		})
	}
}

func sha256Sum(s string) []byte {
	sum := sha256.Sum256([]byte(s))
	return sum[:]
}

// failingCredentials is a Credentials whose Lookup fails with err.
type failingCredentials struct{ err error }

func (f failingCredentials) Lookup(context.Context, string) (acmexport.Credential, error) {
	return acmexport.Credential{}, f.err
}

func TestHandlerSigV4Setup(t *testing.T) {
	d := sharedDemoCA(t)
	body := exportBody(d.p256, "Y29ycmVjdCBob3JzZQ==")
	cause := errors.New("key store unreachable")
	tests := []struct {
		name   string
		h      acmexport.Handler
		status int
		code   string
		cause  error
	}{
		{"no region", acmexport.Handler{Credentials: authCredentials}, 500, "InternalFailure", nil},
		{"lookup fails", acmexport.Handler{Credentials: failingCredentials{cause}, Region: authRegion}, 500, "InternalFailure", cause},
		{"unknown key, wrapped", acmexport.Handler{
			Credentials: failingCredentials{fmt.Errorf("directory: %w", acmexport.ErrUnknownAccessKey)}, Region: authRegion,
		}, 400, "UnrecognizedClientException", nil},
		{"lookup throttled", acmexport.Handler{
			Credentials: failingCredentials{&acmexport.ThrottlingException{Message: "Rate exceeded"}}, Region: authRegion,
		}, 400, "ThrottlingException", nil},
		{"credential without a secret", acmexport.Handler{
			Credentials: acmexport.StaticCredentials{authKeyID: {Principal: "nobody"}}, Region: authRegion,
		}, 500, "InternalFailure", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recordingCA{CA: d}
			var reported []error
			h := tt.h
			h.CA = rec
			h.Now = func() time.Time { return authTime }
			h.OnError = func(_ *http.Request, _ string, err error) { reported = append(reported, err) }
			r := doRequest(t, &h, signRequest(t, body, nil))
			checkErrorResponse(t, r, tt.status, tt.code)
			if tt.cause != nil && (len(reported) != 1 || !errors.Is(reported[0], tt.cause)) {
				t.Errorf("OnError got %v, want the cause %v", reported, tt.cause)
			}
			if calls := rec.Calls(); len(calls) > 0 {
				t.Errorf("the CA was asked %q", calls)
			}
		})
	}
}

func TestCredentialHidesSecrets(t *testing.T) {
	c := acmexport.Credential{SecretAccessKey: authSecret, SessionToken: authTempToken, Principal: authPrincipal}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		got := fmt.Sprintf(format, c)
		if strings.Contains(got, authSecret) || strings.Contains(got, authTempToken) {
			t.Errorf("fmt.Sprintf(%q, Credential) = %q, which holds a secret", format, got)
		}
		if !strings.Contains(got, authPrincipal) {
			t.Errorf("fmt.Sprintf(%q, Credential) = %q, want the principal", format, got)
		}
	}
}

func TestStaticCredentials(t *testing.T) {
	c, err := authCredentials.Lookup(t.Context(), authKeyID)
	if err != nil || c.SecretAccessKey != authSecret {
		t.Errorf("Lookup(%q) = %v, %v; want its credential", authKeyID, c, err)
	}
	if _, err := authCredentials.Lookup(t.Context(), "AKIDUNKNOWN"); !errors.Is(err, acmexport.ErrUnknownAccessKey) {
		t.Errorf("Lookup(%q) = %v, want ErrUnknownAccessKey", "AKIDUNKNOWN", err)
	}
}

// TestSigV4ClockMessages pins the clock messages, in AWS's format: the
// signing time, the edge of the window, and now.
func TestSigV4ClockMessages(t *testing.T) {
	d := sharedDemoCA(t)
	body := exportBody(d.p256, "Y29ycmVjdCBob3JzZQ==")
	tests := []struct {
		now  time.Time
		skew time.Duration
		want string
	}{
		{authTime.Add(10 * time.Minute), 0, "Signature expired: 20150830T123600Z is now earlier than 20150830T124100Z (20150830T124600Z - 5 min.)"},
		{authTime.Add(-10 * time.Minute), 0, "Signature not yet current: 20150830T123600Z is still later than 20150830T123100Z (20150830T122600Z + 5 min.)"},
		{authTime.Add(16 * time.Minute), 15 * time.Minute, "Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T125200Z - 15 min.)"},
		{authTime.Add(time.Minute), 30 * time.Second, "Signature expired: 20150830T123600Z is now earlier than 20150830T123630Z (20150830T123700Z - 30s.)"},
	}
	for _, tt := range tests {
		h := &acmexport.Handler{CA: d, Credentials: authCredentials, Region: authRegion, MaxClockSkew: tt.skew, Now: func() time.Time { return tt.now }}
		r := doRequest(t, h, signRequest(t, body, nil))
		if got := r.body["message"]; got != tt.want {
			t.Errorf("now %v, skew %v: message = %q, want %q", tt.now, tt.skew, got, tt.want)
		}
	}
}
