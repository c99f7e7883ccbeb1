package acmexport_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/asn1"
	"errors"
	"strings"
	"testing"
	"testing/cryptotest"

	"github.com/google/go-cmp/cmp"
	"github.com/youmark/pkcs8"

	"github.com/acmexport/acmexport"
)

var (
	oidPBES2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidSHA256    = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	oidAES256CBC = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

func exportRequest(arn string, passphrase []byte) *acmexport.Request {
	return &acmexport.Request{CertificateArn: &arn, Passphrase: passphrase}
}

func TestExportKeyAlgorithms(t *testing.T) {
	d := sharedDemoCA(t)
	tests := []struct {
		name string
		arn  string
		want func(crypto.Signer) bool
	}{
		{"RSA_2048", d.rsa, func(k crypto.Signer) bool {
			r, ok := k.(*rsa.PrivateKey)
			return ok && r.N.BitLen() == 2048
		}},
		{"EC_prime256v1", d.p256, func(k crypto.Signer) bool {
			e, ok := k.(*ecdsa.PrivateKey)
			return ok && e.Curve == elliptic.P256()
		}},
		{"EC_secp384r1", d.p384, func(k crypto.Signer) bool {
			e, ok := k.(*ecdsa.PrivateKey)
			return ok && e.Curve == elliptic.P384()
		}},
		{"public, exportable", d.publicExportable, func(k crypto.Signer) bool {
			_, ok := k.(*ecdsa.PrivateKey)
			return ok
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pass := []byte("correct horse battery staple")
			resp, err := acmexport.Export(t.Context(), d, exportRequest(tt.arn, pass), nil)
			if err != nil {
				t.Fatalf("Export(%s) = %v", tt.name, err)
			}
			o := openResponse(t, resp, pass, d.Roots())
			if !tt.want(o.key) {
				t.Errorf("Export(%s) key is a %T of the wrong size or curve", tt.name, o.key)
			}
			if len(o.chain) != 2 || o.chain[0].Equal(o.leaf) {
				t.Errorf("Export(%s) chain has %d certificates, want the intermediate and the root", tt.name, len(o.chain))
			}
			if _, err := pkcs8.ParsePKCS8PrivateKey(mustDER(t, resp.PrivateKey), []byte("wrong passphrase")); err == nil {
				t.Errorf("Export(%s) key opens with a wrong passphrase", tt.name)
			}
		})
	}
}

func mustDER(t *testing.T, text string) []byte {
	t.Helper()
	blocks, err := acmexport.DecodePEM(text, acmexport.LabelEncryptedPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	return blocks[0]
}

func TestExportKeyFormatACM(t *testing.T) {
	d := sharedDemoCA(t)
	resp, err := acmexport.Export(t.Context(), d, exportRequest(d.p256, []byte("pass")), &acmexport.Config{})
	if err != nil {
		t.Fatal(err)
	}
	got := readPBES2(t, resp.PrivateKey)
	want := pbes2Shape{Scheme: oidPBES2, KDF: oidPBKDF2, Iterations: 2048, Cipher: oidAES256CBC}
	if diff := cmp.Diff(want, got, cmpShape); diff != "" {
		t.Errorf("KeyFormatACM parameters mismatch (-want +got):\n%s", diff)
	}
	if len(got.Salt) != 20 || len(got.IV) != 16 {
		t.Errorf("KeyFormatACM salt and IV are %d and %d bytes, want 20 and 16", len(got.Salt), len(got.IV))
	}

	// Every export draws a fresh salt and IV.
	again, err := acmexport.Export(t.Context(), d, exportRequest(d.p256, []byte("pass")), nil)
	if err != nil {
		t.Fatal(err)
	}
	if g2 := readPBES2(t, again.PrivateKey); bytes.Equal(g2.Salt, got.Salt) || bytes.Equal(g2.IV, got.IV) {
		t.Errorf("two exports share a salt or an IV")
	}
}

// cmpShape compares the parameters, not the random salt and IV.
var cmpShape = cmp.FilterPath(func(p cmp.Path) bool {
	name := p.Last().String()
	return name == ".Salt" || name == ".IV"
}, cmp.Ignore())

func TestExportKeyFormatHMACSHA256(t *testing.T) {
	d := sharedDemoCA(t)
	for _, iter := range []int{0, 1000, 100_000} {
		cfg := &acmexport.Config{KeyFormat: acmexport.KeyFormatHMACSHA256, Iterations: iter}
		pass := []byte("pass")
		resp, err := acmexport.Export(t.Context(), d, exportRequest(d.rsa, pass), cfg)
		if err != nil {
			t.Fatalf("Export(Iterations: %d) = %v", iter, err)
		}
		wantIter := iter
		if iter == 0 {
			wantIter = acmexport.DefaultIterations
		}
		got := readPBES2(t, resp.PrivateKey)
		want := pbes2Shape{Scheme: oidPBES2, KDF: oidPBKDF2, Iterations: wantIter, Cipher: oidAES256CBC,
			PRF: oidSHA256, PRFParams: []byte{0x05, 0x00}} // NULL parameters
		if diff := cmp.Diff(want, got, cmpShape); diff != "" {
			t.Errorf("KeyFormatHMACSHA256 parameters mismatch (-want +got):\n%s", diff)
		}
		if len(got.Salt) != 16 {
			t.Errorf("KeyFormatHMACSHA256 salt is %d bytes, want 16", len(got.Salt))
		}
		openResponse(t, resp, pass, d.Roots())
	}
}

func TestExportConfigErrors(t *testing.T) {
	d := sharedDemoCA(t)
	for _, cfg := range []*acmexport.Config{
		{Iterations: 4096},
		{KeyFormat: acmexport.KeyFormatHMACSHA256, Iterations: 999},
		{KeyFormat: acmexport.KeyFormatHMACSHA256, Iterations: acmexport.MaxIterations + 1},
		{KeyFormat: 7},
	} {
		rec := &recordingCA{CA: d}
		_, err := acmexport.Export(t.Context(), rec, exportRequest(d.rsa, []byte("pass")), cfg)
		var internal *acmexport.InternalFailure
		if !errors.As(err, &internal) {
			t.Errorf("Export(%+v) = %v, want an *InternalFailure", cfg, err)
		}
		if calls := rec.Calls(); len(calls) > 0 {
			t.Errorf("Export(%+v) asked the CA %q", cfg, calls)
		}
	}
}

// TestExportOrderOfChecks runs a request that fails at each step and checks
// the error and which calls reached the CA.
func TestExportOrderOfChecks(t *testing.T) {
	d := sharedDemoCA(t)
	wrongAccount := strings.Replace(d.rsa, "111122223333", "444455556666", 1)
	unknown := d.rsa[:len(d.rsa)-12] + "000000000000"
	tests := []struct {
		name  string
		req   *acmexport.Request
		code  string
		calls []string
	}{
		{"invalid ARN", exportRequest("arn:aws:s3:::bucket/certificate", []byte("pass")), "ValidationException", nil},
		{"short passphrase", exportRequest(d.rsa, []byte("abc")), "ValidationException", nil},
		{"missing passphrase", exportRequest(d.rsa, nil), "ValidationException", nil},
		{"passphrase rule", exportRequest(d.rsa, []byte("pa$$")), "ValidationException", nil},
		{"wrong account", exportRequest(wrongAccount, []byte("pass")), "InvalidArnException", []string{"Certificate " + wrongAccount}},
		{"unknown", exportRequest(unknown, []byte("pass")), "ResourceNotFoundException", []string{"Certificate " + unknown}},
		{"pending", exportRequest(d.pending, []byte("pass")), "RequestInProgressException", []string{"Certificate " + d.pending}},
		{"imported", exportRequest(d.imported, []byte("pass")), "ValidationException", []string{"Certificate " + d.imported}},
		{"public, not exportable", exportRequest(d.publicNotExportable, []byte("pass")), "ValidationException", []string{"Certificate " + d.publicNotExportable}},
		{"private", exportRequest(d.p256, []byte("pass")), "", []string{"Certificate " + d.p256, "PrivateKey " + d.p256}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recordingCA{CA: d}
			resp, err := acmexport.Export(t.Context(), rec, tt.req, nil)
			if got := code(err); got != tt.code {
				t.Errorf("Export() = %v, want code %q", err, tt.code)
			}
			if (resp == nil) == (err == nil) {
				t.Errorf("Export() = %v, %v: want exactly one of a response and an error", resp, err)
			}
			if diff := cmp.Diff(tt.calls, rec.Calls()); diff != "" {
				t.Errorf("calls to the CA mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func code(err error) string {
	var apiErr acmexport.APIError
	if errors.As(err, &apiErr) {
		return apiErr.ErrorCode()
	}
	if err != nil {
		return "not an APIError: " + err.Error()
	}
	return ""
}

func TestExportStatuses(t *testing.T) {
	d := sharedDemoCA(t)
	issued, err := d.Certificate(t.Context(), d.rsa)
	if err != nil {
		t.Fatal(err)
	}
	for _, status := range []acmexport.Status{
		acmexport.StatusInactive, acmexport.StatusExpired, acmexport.StatusValidationTimedOut,
		acmexport.StatusRevoked, acmexport.StatusFailed, "SOMETHING_NEW",
	} {
		ca := funcCA{
			cert: func(context.Context, string) (*acmexport.Certificate, error) {
				c := *issued
				c.Status = status
				return &c, nil
			},
			key: func(context.Context, string) (crypto.Signer, error) {
				t.Errorf("PrivateKey called for a %s certificate", status)
				return nil, errors.New("no")
			},
		}
		_, err := acmexport.Export(t.Context(), ca, exportRequest(d.rsa, []byte("pass")), nil)
		var v *acmexport.ValidationException
		if !errors.As(err, &v) || !strings.Contains(v.Message, string(status)) {
			t.Errorf("Export(%s certificate) = %v, want a ValidationException naming the status", status, err)
		}
	}
}

func TestExportCAFailures(t *testing.T) {
	d := sharedDemoCA(t)
	issued, err := d.Certificate(t.Context(), d.rsa)
	if err != nil {
		t.Fatal(err)
	}
	otherKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	boom := errors.New("backend down")
	certOK := func(context.Context, string) (*acmexport.Certificate, error) { c := *issued; return &c, nil }
	keyOK := func(ctx context.Context, arn string) (crypto.Signer, error) { return d.PrivateKey(ctx, d.rsa) }
	tests := []struct {
		name  string
		ca    funcCA
		code  string
		cause error
	}{
		{"lookup fails", funcCA{cert: func(context.Context, string) (*acmexport.Certificate, error) { return nil, boom }, key: keyOK}, "InternalFailure", boom},
		{"key fails", funcCA{cert: certOK, key: func(context.Context, string) (crypto.Signer, error) { return nil, boom }}, "InternalFailure", boom},
		{"throttled", funcCA{cert: func(context.Context, string) (*acmexport.Certificate, error) {
			return nil, &acmexport.ThrottlingException{Message: "slow down"}
		}, key: keyOK}, "ThrottlingException", nil},
		{"no certificate, no error", funcCA{cert: func(context.Context, string) (*acmexport.Certificate, error) { return nil, nil }, key: keyOK}, "InternalFailure", nil},
		{"issued without leaf", funcCA{cert: func(context.Context, string) (*acmexport.Certificate, error) {
			c := *issued
			c.Leaf = nil
			return &c, nil
		}, key: keyOK}, "InternalFailure", nil},
		{"issued without chain", funcCA{cert: func(context.Context, string) (*acmexport.Certificate, error) {
			c := *issued
			c.Chain = nil
			return &c, nil
		}, key: keyOK}, "InternalFailure", nil},
		{"key does not match", funcCA{cert: certOK, key: func(context.Context, string) (crypto.Signer, error) { return otherKey, nil }}, "InternalFailure", nil},
		{"no key, no error", funcCA{cert: certOK, key: func(context.Context, string) (crypto.Signer, error) { return nil, nil }}, "InternalFailure", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := acmexport.Export(t.Context(), tt.ca, exportRequest(d.rsa, []byte("pass")), nil)
			if got := code(err); got != tt.code {
				t.Errorf("Export() = %v, want code %s", err, tt.code)
			}
			if tt.cause != nil && !errors.Is(err, tt.cause) {
				t.Errorf("Export() = %v, want it to wrap %v", err, tt.cause)
			}
		})
	}
}

func TestExportCanceled(t *testing.T) {
	d := sharedDemoCA(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	rec := &recordingCA{CA: d}
	_, err := acmexport.Export(ctx, rec, exportRequest(d.rsa, []byte("pass")), nil)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Export(canceled) = %v, want context.Canceled", err)
	}
	if calls := rec.Calls(); len(calls) > 0 {
		t.Errorf("Export(canceled) asked the CA %q", calls)
	}
}

// TestExportPassphraseBytes checks that the passphrase is used byte for
// byte, as it arrives in a request body.
func TestExportPassphraseBytes(t *testing.T) {
	d := sharedDemoCA(t)
	export := func(t *testing.T, body string, cfg *acmexport.Config) (*acmexport.Response, error) {
		t.Helper()
		var req acmexport.Request
		if err := req.UnmarshalJSON([]byte(`{"CertificateArn":"` + d.p256 + `",` + body + `}`)); err != nil {
			return nil, err
		}
		return acmexport.Export(t.Context(), d, &req, cfg)
	}

	t.Run("trailing newline is kept", func(t *testing.T) {
		resp, err := export(t, `"Passphrase":"dGVzdGluZzEyMwo="`, nil) // "testing123\n"
		if err != nil {
			t.Fatal(err)
		}
		openResponse(t, resp, []byte("testing123\n"), d.Roots())
		if _, err := pkcs8.ParsePKCS8PrivateKey(mustDER(t, resp.PrivateKey), []byte("testing123")); err == nil {
			t.Errorf("the key opens without the trailing newline")
		}
	})
	t.Run("abcd1234 is six binary bytes", func(t *testing.T) {
		six := []byte{0x69, 0xb7, 0x1d, 0xd7, 0x6d, 0xf8}
		_, err := export(t, `"Passphrase":"abcd1234"`, nil)
		var v *acmexport.ValidationException
		if !errors.As(err, &v) || !strings.Contains(v.Message, "Member must consist of ASCII characters") {
			t.Fatalf("Export(abcd1234) = %v, want the character rule's ValidationException", err)
		}
		resp, err := export(t, `"Passphrase":"abcd1234"`, &acmexport.Config{AnyPassphraseBytes: true})
		if err != nil {
			t.Fatal(err)
		}
		openResponse(t, resp, six, d.Roots())
		if _, err := pkcs8.ParsePKCS8PrivateKey(mustDER(t, resp.PrivateKey), []byte("abcd1234")); err == nil {
			t.Errorf("the key opens with the base64 text as passphrase")
		}
	})
	t.Run("YWJj is three bytes", func(t *testing.T) {
		_, err := export(t, `"Passphrase":"YWJj"`, nil)
		var v *acmexport.ValidationException
		if !errors.As(err, &v) || !strings.Contains(v.Message, "length greater than or equal to 4") {
			t.Errorf("Export(YWJj) = %v, want a length ValidationException", err)
		}
	})
	t.Run("foobar is not base64", func(t *testing.T) {
		_, err := export(t, `"Passphrase":"foobar"`, nil)
		if got := code(err); got != "SerializationException" {
			t.Errorf("Export(foobar) = %v, want a SerializationException", err)
		}
	})
}

func TestNilArguments(t *testing.T) {
	d := sharedDemoCA(t)
	if _, err := acmexport.Export(t.Context(), d, nil, nil); code(err) != "ValidationException" {
		t.Errorf("Export(nil request) = %v, want a ValidationException", err)
	}
	if _, err := acmexport.Export(t.Context(), nil, exportRequest(d.rsa, []byte("pass")), nil); code(err) != "InternalFailure" {
		t.Errorf("Export(nil CA) = %v, want an InternalFailure", err)
	}
	if err := acmexport.ValidateRequest(nil, nil); code(err) != "ValidationException" {
		t.Errorf("ValidateRequest(nil) = %v, want a ValidationException", err)
	}
	var me *acmexport.MalformedError
	if b, err := acmexport.Open(nil, []byte("pass"), nil); b != nil || !errors.As(err, &me) {
		t.Errorf("Open(nil) = %v, %v; want a *MalformedError", b, err)
	}
}

// TestExportDeterministic shows how a test makes Export's output repeatable,
// to compare it with a golden file: the salt and IV come from crypto/rand,
// which testing/cryptotest.SetGlobalRandom makes deterministic.
func TestExportDeterministic(t *testing.T) {
	d := sharedDemoCA(t)
	export := func(t *testing.T) string {
		cryptotest.SetGlobalRandom(t, 42)
		resp, err := acmexport.Export(t.Context(), d, exportRequest(d.p256, []byte("pass")), nil)
		if err != nil {
			t.Fatal(err)
		}
		return resp.PrivateKey
	}
	var first, second string
	t.Run("first", func(t *testing.T) { first = export(t) })
	t.Run("second", func(t *testing.T) { second = export(t) })
	if first == "" || first != second {
		t.Errorf("two exports under the same global random seed differ")
	}
}
