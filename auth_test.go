package acmexport_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/acm"
	"github.com/aws/aws-sdk-go-v2/service/acm/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"

	"github.com/acmexport/acmexport"
)

// These tests sign with the AWS SDK for Go v2, as a caller of ACM does, and
// show that a Handler with Credentials accepts what the SDK signs with the
// right key and refuses everything else, with the code, message and status
// AWS gives, before the CA is asked anything.

const (
	authRegion    = "us-east-1"
	authKeyID     = "AKIDEXAMPLE"
	authSecret    = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
	authPrincipal = "arn:aws:iam::111122223333:user/alice"

	// A temporary key, which must come with its session token.
	authTempKeyID = "ASIAEXAMPLE"
	authTempToken = "FwoGZXIvYXdzEXAMPLETOKEN"

	// An access key whose credential has no Principal.
	authBareKeyID = "AKIDBARE"

	authPassphrase = "correct horse battery staple"

	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgUnrecognized      = "The security token included in the request is invalid."
)

// authCredentials is what every authServer knows.
var authCredentials = acmexport.StaticCredentials{
	authKeyID:     {SecretAccessKey: authSecret, Principal: authPrincipal},
	authTempKeyID: {SecretAccessKey: authSecret, SessionToken: authTempToken, Principal: "arn:aws:sts::111122223333:assumed-role/exporter/session"},
	authBareKeyID: {SecretAccessKey: authSecret},
}

// authServer is a Handler with Credentials on a local HTTP server. It
// records the errors the Handler reports to OnError.
type authServer struct {
	*httptest.Server
	ca *recordingCA

	mu     sync.Mutex
	errors []error
}

// newAuthServer serves the demo CA through a Handler that verifies
// signatures with authCredentials in authRegion; configure, if not nil,
// changes the Handler before it serves.
func newAuthServer(t *testing.T, configure func(*acmexport.Handler)) *authServer {
	t.Helper()
	s := &authServer{ca: &recordingCA{CA: sharedDemoCA(t)}}
	h := &acmexport.Handler{
		CA:          s.ca,
		Credentials: authCredentials,
		Region:      authRegion,
		OnError: func(_ *http.Request, _ string, err error) {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.errors = append(s.errors, err)
		},
	}
	if configure != nil {
		configure(h)
	}
	s.Server = httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}

// Errors returns the errors the Handler has reported so far.
func (s *authServer) Errors() []error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]error(nil), s.errors...)
}

// client returns an ACM client for s that signs with the given key, with
// retries off; optFns change its options.
func (s *authServer) client(keyID, secret, token string, optFns ...func(*acm.Options)) *acm.Client {
	return acm.New(acm.Options{
		Region:           authRegion,
		BaseEndpoint:     aws.String(s.URL),
		Credentials:      credentials.NewStaticCredentialsProvider(keyID, secret, token),
		RetryMaxAttempts: 1,
		HTTPClient:       s.Client(),
	}, optFns...)
}

// export calls ExportCertificate for arn with authPassphrase.
func export(t *testing.T, c *acm.Client, arn string) (*acm.ExportCertificateOutput, error) {
	t.Helper()
	return c.ExportCertificate(t.Context(), &acm.ExportCertificateInput{
		CertificateArn: aws.String(arn),
		Passphrase:     []byte(authPassphrase),
	})
}

// checkAPIError checks that err is the API error code, with a message that
// matches message, and arrived with status. (The SDK knows the fault only
// of the codes in ACM's model, so it is not checked here.)
func checkAPIError(t *testing.T, err error, code string, status int, message *regexp.Regexp) {
	t.Helper()
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		t.Fatalf("ExportCertificate() = %v, want API error %s", err, code)
	}
	if got := apiErr.ErrorCode(); got != code {
		t.Errorf("ExportCertificate() = code %s (%q), want %s", got, apiErr.ErrorMessage(), code)
	}
	if got := apiErr.ErrorMessage(); !message.MatchString(got) {
		t.Errorf("ExportCertificate() = message %q, want a match for %q", got, message)
	}
	var respErr *awshttp.ResponseError
	if !errors.As(err, &respErr) {
		t.Fatalf("ExportCertificate() = %v, want an *awshttp.ResponseError", err)
	}
	if got := respErr.HTTPStatusCode(); got != status {
		t.Errorf("ExportCertificate() = status %d, want %d", got, status)
	}
}

// exactly is a pattern that matches s and nothing else.
func exactly(s string) *regexp.Regexp {
	return regexp.MustCompile("^" + regexp.QuoteMeta(s) + "$")
}

// checkNoSecrets fails if any of errs holds the secret key or the session
// token.
func checkNoSecrets(t *testing.T, errs ...error) {
	t.Helper()
	for _, err := range errs {
		if err == nil {
			continue
		}
		msg := err.Error()
		var apiErr smithy.APIError
		if errors.As(err, &apiErr) {
			msg += " " + apiErr.ErrorMessage()
		}
		for _, secret := range []string{authSecret, authTempToken} {
			if strings.Contains(msg, secret) {
				t.Errorf("error %q holds a secret", msg)
			}
		}
	}
}

// serviceSigner signs as the SDK does, but for another service.
type serviceSigner struct{ service string }

func (s serviceSigner) SignHTTP(ctx context.Context, creds aws.Credentials, r *http.Request, payloadHash, _, region string, at time.Time, optFns ...func(*v4.SignerOptions)) error {
	return v4.NewSigner().SignHTTP(ctx, creds, r, payloadHash, s.service, region, at, optFns...)
}

// bodySwapper is a RoundTripper that replaces old with new in the body of
// each request after the SDK has signed it, keeping every header: a
// signed request to export one certificate, turned to another of the same
// ARN length.
type bodySwapper struct {
	old, new string
	next     http.RoundTripper
}

func (b bodySwapper) RoundTrip(r *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(r.Body)
	r.Body.Close()
	if err != nil {
		return nil, err
	}
	changed := bytes.Replace(body, []byte(b.old), []byte(b.new), 1)
	if bytes.Equal(changed, body) || len(changed) != len(body) {
		return nil, fmt.Errorf("bodySwapper: could not swap %q for %q in the same length", b.old, b.new)
	}
	r = r.Clone(r.Context())
	r.Body = io.NopCloser(bytes.NewReader(changed))
	return b.next.RoundTrip(r)
}

func TestSDKSigV4Refused(t *testing.T) {
	d := sharedDemoCA(t)
	if len(d.rsa) != len(d.p256) {
		t.Fatalf("the demo ARNs %q and %q differ in length", d.rsa, d.p256)
	}
	expired := regexp.MustCompile(`^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$`)
	tests := []struct {
		name                 string
		configure            func(*acmexport.Handler)
		keyID, secret, token string
		opt                  func(*acm.Options)
		code                 string
		status               int
		message              *regexp.Regexp
	}{
		{
			name: "wrong secret", keyID: authKeyID, secret: "not-the-secret-key",
			code: "InvalidSignatureException", status: 400, message: exactly(msgSignatureMismatch),
		},
		{
			name: "unknown access key", keyID: "AKIDUNKNOWN", secret: authSecret,
			code: "UnrecognizedClientException", status: 400, message: exactly(msgUnrecognized),
		},
		{
			name: "replayed after the window",
			configure: func(h *acmexport.Handler) {
				h.Now = func() time.Time { return time.Now().Add(5*time.Minute + 30*time.Second) }
			},
			keyID: authKeyID, secret: authSecret,
			code: "InvalidSignatureException", status: 400, message: expired,
		},
		{
			name: "replayed after a narrower window",
			configure: func(h *acmexport.Handler) {
				h.MaxClockSkew = time.Minute
				h.Now = func() time.Time { return time.Now().Add(90 * time.Second) }
			},
			keyID: authKeyID, secret: authSecret,
			code: "InvalidSignatureException", status: 400,
			message: regexp.MustCompile(`^Signature expired: .* - 1 min\.\)$`),
		},
		{
			name:      "signed in the future",
			configure: func(h *acmexport.Handler) { h.Now = func() time.Time { return time.Now().Add(-6 * time.Minute) } },
			keyID:     authKeyID, secret: authSecret,
			code: "InvalidSignatureException", status: 400,
			message: regexp.MustCompile(`^Signature not yet current: \d{8}T\d{6}Z is still later than \d{8}T\d{6}Z \(\d{8}T\d{6}Z \+ 5 min\.\)$`),
		},
		{
			name: "body changed after signing", keyID: authKeyID, secret: authSecret,
			opt: func(o *acm.Options) {
				o.HTTPClient = &http.Client{Transport: bodySwapper{old: d.rsa, new: d.p256, next: http.DefaultTransport}}
			},
			code: "InvalidSignatureException", status: 400, message: exactly(msgSignatureMismatch),
		},
		{
			name: "wrong region", keyID: authKeyID, secret: authSecret,
			opt:  func(o *acm.Options) { o.Region = "eu-west-1" },
			code: "InvalidSignatureException", status: 400,
			message: exactly("Credential should be scoped to a valid region, not 'eu-west-1'."),
		},
		{
			name: "wrong service", keyID: authKeyID, secret: authSecret,
			opt:  func(o *acm.Options) { o.HTTPSignerV4 = serviceSigner{service: "s3"} },
			code: "InvalidSignatureException", status: 400,
			message: exactly("Credential should be scoped to correct service: 'acm'."),
		},
		{
			name: "temporary key without its session token", keyID: authTempKeyID, secret: authSecret,
			code: "UnrecognizedClientException", status: 400, message: exactly(msgUnrecognized),
		},
		{
			name: "temporary key with another session token", keyID: authTempKeyID, secret: authSecret, token: "another-token",
			code: "UnrecognizedClientException", status: 400, message: exactly(msgUnrecognized),
		},
		{
			name: "session token for a long-term key", keyID: authKeyID, secret: authSecret, token: authTempToken,
			code: "UnrecognizedClientException", status: 400, message: exactly(msgUnrecognized),
		},
		{
			name: "unsigned", keyID: authKeyID, secret: authSecret,
			opt:  func(o *acm.Options) { o.Credentials = aws.AnonymousCredentials{} },
			code: "MissingAuthenticationTokenException", status: 403,
			message: exactly("Request is missing Authentication Token"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var authorized atomic.Bool
			srv := newAuthServer(t, func(h *acmexport.Handler) {
				h.Authorize = func(context.Context, string, string) (bool, error) {
					authorized.Store(true)
					return true, nil
				}
				if tt.configure != nil {
					tt.configure(h)
				}
			})
			var opts []func(*acm.Options)
			if tt.opt != nil {
				opts = append(opts, tt.opt)
			}
			out, err := export(t, srv.client(tt.keyID, tt.secret, tt.token, opts...), d.rsa)
			if err == nil {
				t.Fatalf("ExportCertificate() = %v, want %s", out, tt.code)
			}
			checkAPIError(t, err, tt.code, tt.status, tt.message)
			if calls := srv.ca.Calls(); len(calls) > 0 {
				t.Errorf("a request that failed authentication asked the CA %q", calls)
			}
			if authorized.Load() {
				t.Errorf("a request that failed authentication reached Authorize")
			}
			checkNoSecrets(t, append(srv.Errors(), err)...)
		})
	}
}

func TestSDKSigV4Accepted(t *testing.T) {
	d := sharedDemoCA(t)
	tests := []struct {
		name                 string
		configure            func(*acmexport.Handler)
		keyID, secret, token string
		opt                  func(*acm.Options)
	}{
		{name: "right secret", keyID: authKeyID, secret: authSecret},
		{name: "temporary key with its session token", keyID: authTempKeyID, secret: authSecret, token: authTempToken},
		{
			name:      "inside the window",
			configure: func(h *acmexport.Handler) { h.Now = func() time.Time { return time.Now().Add(4 * time.Minute) } },
			keyID:     authKeyID, secret: authSecret,
		},
		{
			name:      "unsigned, without Credentials",
			configure: func(h *acmexport.Handler) { h.Credentials = nil },
			opt:       func(o *acm.Options) { o.Credentials = aws.AnonymousCredentials{} },
		},
		{
			name:      "wrong secret, without Credentials",
			configure: func(h *acmexport.Handler) { h.Credentials = nil },
			keyID:     authKeyID, secret: "not-the-secret-key",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newAuthServer(t, tt.configure)
			var opts []func(*acm.Options)
			if tt.opt != nil {
				opts = append(opts, tt.opt)
			}
			out, err := export(t, srv.client(tt.keyID, tt.secret, tt.token, opts...), d.p256)
			if err != nil {
				t.Fatalf("ExportCertificate() = %v, want no error", err)
			}
			openResponse(t, &acmexport.Response{
				Certificate:      aws.ToString(out.Certificate),
				CertificateChain: aws.ToString(out.CertificateChain),
				PrivateKey:       aws.ToString(out.PrivateKey),
			}, []byte(authPassphrase), d.Roots())
			if diff := cmp.Diff([]string{"Certificate " + d.p256, "PrivateKey " + d.p256}, srv.ca.Calls()); diff != "" {
				t.Errorf("CA calls (-want +got):\n%s", diff)
			}
		})
	}
}

// authCall is one call a test's Authorize received.
type authCall struct{ Principal, ARN string }

func TestSDKAuthorize(t *testing.T) {
	d := sharedDemoCA(t)
	denied := func(principal, arn string) *regexp.Regexp {
		return exactly("User: " + principal + " is not authorized to perform: acm:ExportCertificate on resource: " + arn +
			" because no identity-based policy allows the acm:ExportCertificate action")
	}
	tests := []struct {
		name        string
		noCreds     bool
		keyID       string
		arn         string
		answer      bool
		answerErr   error
		wantCalls   []authCall
		code        string // "" for success
		status      int
		message     *regexp.Regexp
		wantCAAsked bool
	}{
		{
			name: "refused", keyID: authKeyID, arn: d.rsa,
			wantCalls: []authCall{{authPrincipal, d.rsa}},
			code:      "AccessDeniedException", status: 403, message: denied(authPrincipal, d.rsa),
		},
		{
			name: "allowed", keyID: authKeyID, arn: d.rsa, answer: true,
			wantCalls: []authCall{{authPrincipal, d.rsa}}, wantCAAsked: true,
		},
		{
			name: "refused, principal is the access key", keyID: authBareKeyID, arn: d.rsa,
			wantCalls: []authCall{{authBareKeyID, d.rsa}},
			code:      "AccessDeniedException", status: 403, message: denied(authBareKeyID, d.rsa),
		},
		{
			name: "refused, nobody authenticated", noCreds: true, keyID: authKeyID, arn: d.rsa,
			wantCalls: []authCall{{"", d.rsa}},
			code:      "AccessDeniedException", status: 403, message: denied("anonymous", d.rsa),
		},
		{
			name: "malformed ARN is a ValidationException first", keyID: authKeyID, arn: "not-an-arn-but-long-enough", answer: true,
			code: "ValidationException", status: 400, message: regexp.MustCompile(`^1 validation error detected: Value 'not-an-arn-but-long-enough' at 'certificateArn'`),
		},
		{
			name: "Authorize answers with an API error", keyID: authKeyID, arn: d.rsa,
			answerErr: fmt.Errorf("policy store: %w", &acmexport.ThrottlingException{Message: "Rate exceeded"}),
			wantCalls: []authCall{{authPrincipal, d.rsa}},
			code:      "ThrottlingException", status: 400, message: exactly("Rate exceeded"),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var (
				mu    sync.Mutex
				calls []authCall
			)
			srv := newAuthServer(t, func(h *acmexport.Handler) {
				if tt.noCreds {
					h.Credentials = nil
				}
				h.Authorize = func(_ context.Context, principal, arn string) (bool, error) {
					mu.Lock()
					defer mu.Unlock()
					calls = append(calls, authCall{principal, arn})
					return tt.answer, tt.answerErr
				}
			})
			_, err := export(t, srv.client(tt.keyID, authSecret, ""), tt.arn)
			mu.Lock()
			if diff := cmp.Diff(tt.wantCalls, calls); diff != "" {
				t.Errorf("Authorize calls (-want +got):\n%s", diff)
			}
			mu.Unlock()
			if tt.code == "" {
				if err != nil {
					t.Fatalf("ExportCertificate() = %v, want no error", err)
				}
			} else {
				checkAPIError(t, err, tt.code, tt.status, tt.message)
			}
			if asked := len(srv.ca.Calls()) > 0; asked != tt.wantCAAsked {
				t.Errorf("CA asked %q, want asked: %v", srv.ca.Calls(), tt.wantCAAsked)
			}

			// The SDK knows AccessDeniedException from ACM's model, and
			// reads its message from the member "Message".
			if tt.code == "AccessDeniedException" {
				var typed *types.AccessDeniedException
				if !errors.As(err, &typed) {
					t.Errorf("ExportCertificate() = %T, want *types.AccessDeniedException", err)
				} else if !tt.message.MatchString(aws.ToString(typed.Message)) {
					t.Errorf("AccessDeniedException.Message = %q, want a match for %q", aws.ToString(typed.Message), tt.message)
				}
			}
		})
	}
}

func TestSDKAuthorizeFails(t *testing.T) {
	d := sharedDemoCA(t)
	cause := errors.New("policy store unreachable")
	srv := newAuthServer(t, func(h *acmexport.Handler) {
		h.Authorize = func(context.Context, string, string) (bool, error) { return true, cause }
	})
	_, err := export(t, srv.client(authKeyID, authSecret, ""), d.rsa)
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "InternalFailure" || strings.Contains(apiErr.ErrorMessage(), cause.Error()) {
		t.Errorf("ExportCertificate() = %v, want an InternalFailure that does not tell the cause", err)
	}
	if errs := srv.Errors(); len(errs) != 1 || !errors.Is(errs[0], cause) {
		t.Errorf("OnError got %v, want an InternalFailure wrapping %v", errs, cause)
	}
	if calls := srv.ca.Calls(); len(calls) > 0 {
		t.Errorf("the CA was asked %q", calls)
	}
}
