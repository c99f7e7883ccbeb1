package acmexport_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/google/go-cmp/cmp"
	"github.com/google/uuid"

	"github.com/acmexport/acmexport"
)

// These tests call a Handler with the AWS SDK for Go v2, as a user of ACM
// would: the client signs with static credentials, encodes the passphrase
// itself, and decodes the response and the errors with its own code. They
// show that what the Handler writes is what the SDK expects, not only what
// the package's own tests expect.

// sdkExchange is one request the SDK sent and what the Handler answered.
type sdkExchange struct {
	header    http.Header
	body      []byte
	status    int
	requestID string // the x-amzn-RequestId the Handler sent
}

// sdkServer is a Handler on a local HTTP server that records every exchange.
type sdkServer struct {
	*httptest.Server
	ca *recordingCA

	mu        sync.Mutex
	exchanges []sdkExchange
}

// sdkStatusWriter remembers the status a handler wrote.
type sdkStatusWriter struct {
	http.ResponseWriter
	status int
}

func (w *sdkStatusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// newSDKServer serves ca through a Handler and returns the server and an
// ACM client pointed at it. Retries are off, so that an error reaches the
// test after one request.
func newSDKServer(t *testing.T, ca acmexport.CA) (*sdkServer, *acm.Client) {
	t.Helper()
	s := &sdkServer{ca: &recordingCA{CA: ca}}
	h := &acmexport.Handler{CA: s.ca}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		sw := &sdkStatusWriter{ResponseWriter: w, status: http.StatusOK}
		h.ServeHTTP(sw, r)

		// The header may be stored under its wire spelling, which
		// Header.Get would not find; a client matches it in any case.
		var id string
		for k, v := range w.Header() {
			if strings.EqualFold(k, "x-amzn-RequestId") {
				id = strings.Join(v, ",")
			}
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		s.exchanges = append(s.exchanges, sdkExchange{header: r.Header.Clone(), body: body, status: sw.status, requestID: id})
	}))
	t.Cleanup(s.Close)

	client := acm.New(acm.Options{
		Region:           "us-east-1",
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		RetryMaxAttempts: 1,
		HTTPClient:       s.Client(),
	})
	return s, client
}

// Exchanges returns the exchanges so far.
func (s *sdkServer) Exchanges() []sdkExchange {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]sdkExchange(nil), s.exchanges...)
}

// onlyExchange returns the one exchange a test expects the SDK to have made.
func (s *sdkServer) onlyExchange(t *testing.T) sdkExchange {
	t.Helper()
	ex := s.Exchanges()
	if len(ex) != 1 {
		t.Fatalf("the server saw %d requests, want 1", len(ex))
	}
	return ex[0]
}

// sdkCheckRequest checks that a request is what a real ACM client sends:
// the JSON 1.1 headers, a SigV4 signature by the static credentials for
// ACM in us-east-1, and the passphrase as base64 of the bytes given.
func sdkCheckRequest(t *testing.T, ex sdkExchange, arn string, passphrase []byte) {
	t.Helper()
	if got := ex.header.Get("X-Amz-Target"); got != acmexport.Target {
		t.Errorf("X-Amz-Target = %q, want %q", got, acmexport.Target)
	}
	if got := ex.header.Get("Content-Type"); got != acmexport.ContentType {
		t.Errorf("Content-Type = %q, want %q", got, acmexport.ContentType)
	}
	auth := ex.header.Get("Authorization")
	if !strings.HasPrefix(auth, "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/") || !strings.Contains(auth, "/us-east-1/acm/aws4_request,") {
		t.Errorf("Authorization = %q, want a SigV4 signature by AKIDEXAMPLE for acm in us-east-1", auth)
	}

	var body map[string]json.RawMessage
	if err := json.Unmarshal(ex.body, &body); err != nil {
		t.Fatalf("request body %q: %v", ex.body, err)
	}
	var gotARN string
	if err := json.Unmarshal(body["CertificateArn"], &gotARN); err != nil || gotARN != arn {
		t.Errorf("request CertificateArn = %s, want %q", body["CertificateArn"], arn)
	}
	raw, ok := body["Passphrase"]
	switch {
	case passphrase == nil && ok:
		t.Errorf("request Passphrase = %s, want the member left out", raw)
	case passphrase != nil:
		var got string
		want := base64.StdEncoding.EncodeToString(passphrase)
		if err := json.Unmarshal(raw, &got); err != nil || got != want {
			t.Errorf("request Passphrase = %s, want %q", raw, want)
		}
	}
}

// sdkCheckRequestID checks that id is the request ID the Handler sent, and a
// UUID.
func sdkCheckRequestID(t *testing.T, id string, ex sdkExchange) {
	t.Helper()
	if id != ex.requestID {
		t.Errorf("the SDK reports request ID %q, want %q, the x-amzn-RequestId sent", id, ex.requestID)
	}
	if _, err := uuid.Parse(id); err != nil {
		t.Errorf("request ID %q is not a UUID: %v", id, err)
	}
}

func TestSDKExportCertificate(t *testing.T) {
	d := sharedDemoCA(t)
	tests := []struct {
		name       string
		arn        string
		passphrase []byte
		checkKey   func(crypto.PublicKey) bool
	}{
		{"RSA_2048", d.rsa, []byte("correct horse battery staple"), func(pub crypto.PublicKey) bool {
			k, ok := pub.(*rsa.PublicKey)
			return ok && k.N.BitLen() == 2048
		}},
		{"EC_prime256v1", d.p256, []byte("correct horse battery staple"), func(pub crypto.PublicKey) bool {
			k, ok := pub.(*ecdsa.PublicKey)
			return ok && k.Curve == elliptic.P256()
		}},
		{"EC_secp384r1", d.p384, []byte("correct horse battery staple"), func(pub crypto.PublicKey) bool {
			k, ok := pub.(*ecdsa.PublicKey)
			return ok && k.Curve == elliptic.P384()
		}},
		// The SDK base64-encodes the bytes it is given, so a passphrase
		// with edge spaces and a final line break arrives, and must be
		// used, byte for byte.
		{"passphrase bytes kept", d.p256, []byte(" four words, then a newline\n"), func(pub crypto.PublicKey) bool {
			_, ok := pub.(*ecdsa.PublicKey)
			return ok
		}},
		{"public certificate requested exportable", d.publicExportable, []byte("correct horse battery staple"), func(pub crypto.PublicKey) bool {
			_, ok := pub.(*ecdsa.PublicKey)
			return ok
		}},
	}
	seenIDs := make(map[string]string)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, client := newSDKServer(t, d)
			out, err := client.ExportCertificate(t.Context(), &acm.ExportCertificateInput{
				CertificateArn: aws.String(tc.arn),
				Passphrase:     tc.passphrase,
			})
			if err != nil {
				t.Fatalf("ExportCertificate(%s) = %v, want no error", tc.name, err)
			}
			ex := srv.onlyExchange(t)
			sdkCheckRequest(t, ex, tc.arn, tc.passphrase)
			if ex.status != http.StatusOK {
				t.Errorf("ExportCertificate(%s): status %d, want %d", tc.name, ex.status, http.StatusOK)
			}

			for name, field := range map[string]*string{"Certificate": out.Certificate, "CertificateChain": out.CertificateChain, "PrivateKey": out.PrivateKey} {
				if field == nil {
					t.Fatalf("ExportCertificate(%s): output %s is nil", tc.name, name)
				}
			}
			resp := acmexport.Response{
				Certificate:      *out.Certificate,
				CertificateChain: *out.CertificateChain,
				PrivateKey:       *out.PrivateKey,
			}
			// The SDK hands the strings over untouched, so the canonical
			// form the Handler wrote survives the trip.
			if err := resp.Check(); err != nil {
				t.Errorf("the SDK's output does not pass Response.Check: %v", err)
			}
			o := openResponse(t, &resp, tc.passphrase, d.Roots())

			want, err := d.Certificate(t.Context(), tc.arn)
			if err != nil {
				t.Fatal(err)
			}
			if !o.leaf.Equal(want.Leaf) {
				t.Errorf("ExportCertificate(%s) returned the certificate for %q, want the one for %q", tc.name, o.leaf.Subject, want.Leaf.Subject)
			}
			if len(o.chain) != len(want.Chain) {
				t.Errorf("ExportCertificate(%s) returned a chain of %d certificates, want %d", tc.name, len(o.chain), len(want.Chain))
			}
			if !tc.checkKey(o.key.Public()) {
				t.Errorf("ExportCertificate(%s) returned a %T key, want %s", tc.name, o.key.Public(), want.KeyAlgorithm)
			}
			wantKey, err := d.PrivateKey(t.Context(), tc.arn)
			if err != nil {
				t.Fatal(err)
			}
			if k, ok := o.key.(interface{ Equal(crypto.PrivateKey) bool }); !ok || !k.Equal(wantKey) {
				t.Errorf("ExportCertificate(%s): the decrypted key is not the CA's key", tc.name)
			}

			id, ok := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
			if !ok {
				t.Errorf("ExportCertificate(%s): ResultMetadata holds no request ID", tc.name)
			}
			sdkCheckRequestID(t, id, ex)
			if prev, ok := seenIDs[id]; ok {
				t.Errorf("ExportCertificate(%s): request ID %q was already sent for %s", tc.name, id, prev)
			}
			seenIDs[id] = tc.name

			wantCalls := []string{"Certificate " + tc.arn, "PrivateKey " + tc.arn}
			if diff := cmp.Diff(wantCalls, srv.ca.Calls()); diff != "" {
				t.Errorf("ExportCertificate(%s): CA calls (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}

// sdkErrorIs returns a function that reports whether an error is, or wraps, a T.
func sdkErrorIs[T error]() func(error) bool {
	return func(err error) bool {
		var target T
		return errors.As(err, &target)
	}
}

// sdkSkipInputValidation is an APIOptions function that removes the SDK's
// client-side check of required members, so that a request missing one
// reaches the server.
func sdkSkipInputValidation(stack *middleware.Stack) error {
	_, err := stack.Initialize.Remove("OperationInputValidation")
	return err
}

func TestSDKExportCertificateErrors(t *testing.T) {
	d := sharedDemoCA(t)
	ctx := context.Background()

	// An ARN of the CA's own partition, region and account that names
	// nothing: d.rsa with another UUID.
	unknown := d.rsa[:strings.LastIndex(d.rsa, "/")+1] + "00000000-0000-4000-8000-000000000000"
	otherRegion := strings.Replace(d.rsa, ":us-east-1:", ":eu-west-1:", 1)
	otherAccount := strings.Replace(d.rsa, ":111122223333:", ":444455556666:", 1)
	for _, arn := range []string{otherRegion, otherAccount} {
		if arn == d.rsa {
			t.Fatalf("the demo CA's ARN %q is not in us-east-1 and account 111122223333", d.rsa)
		}
	}

	// caMessage is the message the CA itself answers arn with: the SDK
	// must show it unchanged.
	caMessage := func(arn string) string {
		_, err := d.Certificate(ctx, arn)
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) {
			t.Fatalf("Certificate(%q) = %v, want an API error", arn, err)
		}
		return apiErr.ErrorMessage()
	}

	const (
		arnPattern = `arn:[\w+=/,.@-]+:acm:[\w+=/,.@-]*:[0-9]+:[\w+=,.@-]+(/[\w+=,.@-]+)*`
		good       = "correct horse battery staple"
	)
	tests := []struct {
		name       string
		arn        string
		passphrase []byte // nil leaves the member out
		is         func(error) bool
		isName     string
		code       string
		message    string
		askedCA    bool // whether the CA is consulted before the error
	}{
		{
			name: "unknown certificate", arn: unknown, passphrase: []byte(good),
			is: sdkErrorIs[*types.ResourceNotFoundException](), isName: "*types.ResourceNotFoundException",
			code: "ResourceNotFoundException", message: caMessage(unknown), askedCA: true,
		},
		{
			name: "pending validation", arn: d.pending, passphrase: []byte(good),
			is: sdkErrorIs[*types.RequestInProgressException](), isName: "*types.RequestInProgressException",
			code:    "RequestInProgressException",
			message: "Certificate " + d.pending + " has not been issued yet: its status is PENDING_VALIDATION.",
			askedCA: true,
		},
		{
			name: "another region", arn: otherRegion, passphrase: []byte(good),
			is: sdkErrorIs[*types.InvalidArnException](), isName: "*types.InvalidArnException",
			code: "InvalidArnException", message: caMessage(otherRegion), askedCA: true,
		},
		{
			name: "another account", arn: otherAccount, passphrase: []byte(good),
			is: sdkErrorIs[*types.InvalidArnException](), isName: "*types.InvalidArnException",
			code: "InvalidArnException", message: caMessage(otherAccount), askedCA: true,
		},
		{
			name: "3-byte passphrase", arn: d.rsa, passphrase: []byte("abc"),
			is: sdkErrorIs[*types.ValidationException](), isName: "*types.ValidationException",
			code:    "ValidationException",
			message: "1 validation error detected: Value at 'passphrase' failed to satisfy constraint: Member must have length greater than or equal to 4",
		},
		{
			name: "129-byte passphrase", arn: d.rsa, passphrase: bytes.Repeat([]byte("a"), 129),
			is: sdkErrorIs[*types.ValidationException](), isName: "*types.ValidationException",
			code:    "ValidationException",
			message: "1 validation error detected: Value at 'passphrase' failed to satisfy constraint: Member must have length less than or equal to 128",
		},
		{
			name: "malformed ARN", arn: "not-an-arn-but-long-enough", passphrase: []byte(good),
			is: sdkErrorIs[*types.ValidationException](), isName: "*types.ValidationException",
			code:    "ValidationException",
			message: "1 validation error detected: Value 'not-an-arn-but-long-enough' at 'certificateArn' failed to satisfy constraint: Member must satisfy regular expression pattern: " + arnPattern,
		},
		{
			name: "missing passphrase", arn: d.rsa, passphrase: nil,
			is: sdkErrorIs[*types.ValidationException](), isName: "*types.ValidationException",
			code:    "ValidationException",
			message: "1 validation error detected: Value null at 'passphrase' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "imported", arn: d.imported, passphrase: []byte(good),
			is: sdkErrorIs[*types.ValidationException](), isName: "*types.ValidationException",
			code:    "ValidationException",
			message: "Certificate " + d.imported + " cannot be exported: it was imported, and imported certificates never export.",
			askedCA: true,
		},
		{
			name: "public not exportable", arn: d.publicNotExportable, passphrase: []byte(good),
			is: sdkErrorIs[*types.ValidationException](), isName: "*types.ValidationException",
			code:    "ValidationException",
			message: "Certificate " + d.publicNotExportable + " cannot be exported: it is a public certificate that was not requested with export enabled.",
			askedCA: true,
		},
		// A passphrase that is not base64 cannot be sent through the SDK,
		// which encodes the bytes it is given: the raw-HTTP tests cover it.
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, client := newSDKServer(t, d)
			in := &acm.ExportCertificateInput{CertificateArn: aws.String(tc.arn), Passphrase: tc.passphrase}
			out, err := client.ExportCertificate(t.Context(), in, func(o *acm.Options) {
				o.APIOptions = append(o.APIOptions, sdkSkipInputValidation)
			})
			if err == nil {
				t.Fatalf("ExportCertificate(%s) = %+v, want %v", tc.name, out, tc.isName)
			}
			// Every case, the missing passphrase included, must have been
			// answered by the server, not by the SDK.
			ex := srv.onlyExchange(t)
			sdkCheckRequest(t, ex, tc.arn, tc.passphrase)

			if !tc.is(err) {
				t.Errorf("ExportCertificate(%s) = %T %v, want %v", tc.name, err, err, tc.isName)
			}
			var apiErr smithy.APIError
			if !errors.As(err, &apiErr) {
				t.Fatalf("ExportCertificate(%s) = %v, want a smithy.APIError", tc.name, err)
			}
			if got := apiErr.ErrorCode(); got != tc.code {
				t.Errorf("ExportCertificate(%s) = code %v, want %v", tc.name, got, tc.code)
			}
			if got := apiErr.ErrorMessage(); got != tc.message {
				t.Errorf("ExportCertificate(%s) = message %q, want %q", tc.name, got, tc.message)
			}
			if got := apiErr.ErrorFault(); got != smithy.FaultClient {
				t.Errorf("ExportCertificate(%s) = fault %v, want %v", tc.name, got, smithy.FaultClient)
			}

			var respErr *awshttp.ResponseError
			if !errors.As(err, &respErr) {
				t.Fatalf("ExportCertificate(%s) = %v, want an *awshttp.ResponseError", tc.name, err)
			}
			if got := respErr.HTTPStatusCode(); got != http.StatusBadRequest {
				t.Errorf("ExportCertificate(%s) = status %v, want %v", tc.name, got, http.StatusBadRequest)
			}
			sdkCheckRequestID(t, respErr.ServiceRequestID(), ex)

			calls := srv.ca.Calls()
			var want []string
			if tc.askedCA {
				want = []string{"Certificate " + tc.arn}
			}
			if diff := cmp.Diff(want, calls); diff != "" {
				t.Errorf("ExportCertificate(%s): CA calls (-want +got):\n%s", tc.name, diff)
			}
		})
	}
}

// TestSDKMissingPassphraseClientSide shows why the error tests remove the
// SDK's input validation: with it in place, a missing passphrase never
// leaves the client.
func TestSDKMissingPassphraseClientSide(t *testing.T) {
	d := sharedDemoCA(t)
	srv, client := newSDKServer(t, d)
	_, err := client.ExportCertificate(t.Context(), &acm.ExportCertificateInput{CertificateArn: aws.String(d.rsa)})
	var invalid smithy.InvalidParamsError
	if !errors.As(err, &invalid) {
		t.Errorf("ExportCertificate(missing passphrase) = %v, want %v", err, "smithy.InvalidParamsError")
	}
	if n := len(srv.Exchanges()); n != 0 {
		t.Errorf("the server saw %d requests, want 0", n)
	}
}
