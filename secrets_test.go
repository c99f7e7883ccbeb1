package acmexport_test

import (
	"context"
	"crypto"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/acmexport/acmexport"
)

// TestNoSecretLeaks runs every error path of the Handler, and of Open, with
// a known passphrase and key, and scans every error string, every error
// response and every header for them.
func TestNoSecretLeaks(t *testing.T) {
	d := sharedDemoCA(t)
	const passphrase = "Sekr1t-Passphrase-To-Scan-For"
	b64 := base64.StdEncoding.EncodeToString([]byte(passphrase))
	key, plain := caKey(t, d, d.p256)
	good, err := acmexport.Export(t.Context(), d, exportRequest(d.p256, []byte(passphrase)), nil)
	if err != nil {
		t.Fatal(err)
	}
	secrets := map[string]string{
		"passphrase":            passphrase,
		"passphrase, base64":    b64,
		"passphrase, in part":   passphrase[4:16],
		"plaintext key, base64": base64.StdEncoding.EncodeToString(plain)[8:48],
		"encrypted key":         strings.Split(good.PrivateKey, "\n")[1],
		"panic detail":          "panic-detail-" + passphrase[:6],
	}
	scan := func(t *testing.T, where, text string) {
		t.Helper()
		for name, s := range secrets {
			if strings.Contains(text, s) {
				t.Errorf("%s holds the %s:\n%s", where, name, text)
			}
		}
	}

	failing := funcCA{
		cert: func(_ context.Context, arn string) (*acmexport.Certificate, error) {
			if strings.HasSuffix(arn, "panic") {
				panic(errors.New(secrets["panic detail"]))
			}
			return nil, errors.New("lookup failed")
		},
		key: func(context.Context, string) (crypto.Signer, error) { return key, nil },
	}
	wrongKey := funcCA{
		cert: d.Certificate,
		key: func(ctx context.Context, _ string) (crypto.Signer, error) {
			return d.PrivateKey(ctx, d.p384)
		},
	}
	withSecret := func(arn string) string { return exportBody(arn, b64) }
	bad := func(s string) string { return strings.Replace(withSecret(d.p256), b64, s, 1) }
	requests := []struct {
		name                string
		ca                  acmexport.CA
		cfg                 *acmexport.Config
		method, ctype, body string
	}{
		{"not POST", d, nil, "PUT", acmexport.ContentType, withSecret(d.p256)},
		{"content type", d, nil, "POST", "application/json", withSecret(d.p256)},
		{"too large", d, nil, "POST", acmexport.ContentType, withSecret(d.p256) + strings.Repeat(" ", acmexport.DefaultMaxBodyBytes)},
		{"not JSON", d, nil, "POST", acmexport.ContentType, `{"Passphrase":` + passphrase + `}`},
		{"unquoted base64", d, nil, "POST", acmexport.ContentType, `{"Passphrase":` + b64 + `}`},
		{"not base64", d, nil, "POST", acmexport.ContentType, bad(passphrase)},
		{"base64 with a bad character", d, nil, "POST", acmexport.ContentType, bad(b64[:8] + "*" + b64[9:])},
		{"passphrase rule", d, nil, "POST", acmexport.ContentType, bad(base64.StdEncoding.EncodeToString([]byte(passphrase + "#")))},
		{"passphrase too long", d, nil, "POST", acmexport.ContentType, bad(base64.StdEncoding.EncodeToString([]byte(strings.Repeat(passphrase, 5))))},
		{"ARN is the passphrase", d, nil, "POST", acmexport.ContentType, `{"CertificateArn":"x","Passphrase":"` + b64 + `"}`},
		{"not found", d, nil, "POST", acmexport.ContentType, withSecret(d.p256[:len(d.p256)-3] + "000")},
		{"pending", d, nil, "POST", acmexport.ContentType, withSecret(d.pending)},
		{"imported", d, nil, "POST", acmexport.ContentType, withSecret(d.imported)},
		{"not exportable", d, nil, "POST", acmexport.ContentType, withSecret(d.publicNotExportable)},
		{"CA fails", failing, nil, "POST", acmexport.ContentType, withSecret(d.p256)},
		{"CA panics", failing, nil, "POST", acmexport.ContentType, withSecret(d.p256[:len(d.p256)-5] + "panic")},
		{"key mismatch", wrongKey, nil, "POST", acmexport.ContentType, withSecret(d.p256)},
		{"bad config", d, &acmexport.Config{Iterations: 5}, "POST", acmexport.ContentType, withSecret(d.p256)},
	}
	for _, tt := range requests {
		t.Run(tt.name, func(t *testing.T) {
			var errs []error
			h := &acmexport.Handler{CA: tt.ca, Config: tt.cfg, OnError: func(_ *http.Request, _ string, err error) { errs = append(errs, err) }}
			r := do(t, h, tt.method, acmexport.Target, tt.ctype, tt.body)
			if r.status == 200 || len(errs) != 1 {
				t.Fatalf("status %d and %d errors, want one error", r.status, len(errs))
			}
			for k, v := range r.body {
				scan(t, "response member "+k, v)
			}
			for k, v := range r.header {
				scan(t, "response header "+k, strings.Join(v, ","))
			}
			scan(t, "Error()", errs[0].Error())
			var apiErr acmexport.APIError
			if errors.As(errs[0], &apiErr) {
				scan(t, "ErrorMessage()", apiErr.ErrorMessage())
			}
		})
	}

	// The client side.
	other, err := acmexport.Export(t.Context(), d, exportRequest(d.p384, []byte(passphrase)), nil)
	if err != nil {
		t.Fatal(err)
	}
	opens := []struct {
		name       string
		resp       acmexport.Response
		passphrase string
	}{
		{"wrong passphrase", *good, passphrase + "!"},
		{"key mismatch", acmexport.Response{Certificate: good.Certificate, CertificateChain: good.CertificateChain, PrivateKey: other.PrivateKey}, passphrase},
		{"unencrypted key", acmexport.Response{Certificate: good.Certificate, CertificateChain: good.CertificateChain, PrivateKey: acmexport.EncodePEM("PRIVATE KEY", plain)}, passphrase},
		{"key as certificate", acmexport.Response{Certificate: good.PrivateKey, PrivateKey: good.PrivateKey}, passphrase},
		{"broken key", acmexport.Response{Certificate: good.Certificate, PrivateKey: strings.Replace(good.PrivateKey, "\n", "\n"+passphrase+"\n", 1)}, passphrase},
	}
	for _, tt := range opens {
		t.Run("Open: "+tt.name, func(t *testing.T) {
			b, err := acmexport.Open(&tt.resp, []byte(tt.passphrase), nil)
			if err == nil || b != nil {
				t.Fatalf("Open() = %v, %v; want an error", b, err)
			}
			scan(t, "Open() error", err.Error())
		})
	}
}

// TestExportStopsWhenCanceledDuringLookup cancels the request while the CA
// looks the certificate up: Export must stop before it asks for the key,
// let alone derives one, and report the context's error.
func TestExportStopsWhenCanceledDuringLookup(t *testing.T) {
	d := sharedDemoCA(t)
	ctx, cancel := context.WithCancel(t.Context())
	keyAsked := false
	ca := funcCA{
		cert: func(ctx context.Context, arn string) (*acmexport.Certificate, error) {
			cancel()
			return d.Certificate(context.Background(), arn)
		},
		key: func(_ context.Context, arn string) (crypto.Signer, error) {
			keyAsked = true
			return d.PrivateKey(context.Background(), arn)
		},
	}
	resp, err := acmexport.Export(ctx, ca, exportRequest(d.p256, []byte("pass")), nil)
	if resp != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("Export() = %v, %v; want context.Canceled", resp, err)
	}
	if keyAsked {
		t.Errorf("Export() asked for the key after its context was canceled")
	}
}
