package acmexport_test

import (
	"bufio"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/acmexport/acmexport"
)

// vector is one file of testdata/pkcs8, made by testdata/pkcs8/gen.sh.
type vector struct {
	file       string
	header     map[string]string
	passphrase []byte
	pem        string
}

// readVectors reads every vector; it fails the test if there are none, so
// that a moved folder cannot make the tests pass vacuously.
func readVectors(t testing.TB) []vector {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "pkcs8", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no vectors in testdata/pkcs8 (%v): run testdata/pkcs8/gen.sh", err)
	}
	var vs []vector
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		head, body, ok := strings.Cut(string(data), "\n\n")
		if !ok {
			t.Fatalf("%s: no blank line between header and key", f)
		}
		v := vector{file: f, header: map[string]string{}, pem: body}
		sc := bufio.NewScanner(strings.NewReader(head))
		for sc.Scan() {
			k, val, ok := strings.Cut(sc.Text(), ": ")
			if !ok {
				t.Fatalf("%s: header line %q is not name: value", f, sc.Text())
			}
			v.header[k] = val
		}
		v.passphrase = []byte(v.header["passphrase"])
		if v.header["expect"] == "" || v.header["key"] == "" || len(v.passphrase) == 0 {
			t.Fatalf("%s: header lacks expect, key or passphrase", f)
		}
		vs = append(vs, v)
	}
	return vs
}

func readPlainKey(t *testing.T, name string) crypto.Signer {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "pkcs8", name))
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		t.Fatalf("%s holds no PEM block", name)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return key.(crypto.Signer)
}

type equaler interface{ Equal(crypto.PrivateKey) bool }

func TestDecryptKeyOpenSSLVectors(t *testing.T) {
	vs := readVectors(t)
	if len(vs) < 24 {
		t.Errorf("%d vectors, want the 24 gen.sh makes", len(vs))
	}
	for _, v := range vs {
		t.Run(filepath.Base(v.file), func(t *testing.T) {
			key, err := acmexport.DecryptKey(v.pem, v.passphrase, nil)
			switch v.header["expect"] {
			case "ok":
				if err != nil {
					t.Fatalf("DecryptKey() = %v, want the key of %s", err, v.header["key"])
				}
				if want := readPlainKey(t, v.header["key"]); !key.(equaler).Equal(want) {
					t.Errorf("DecryptKey() gave another key than %s", v.header["key"])
				}
				_, err := acmexport.DecryptKey(v.pem, append(v.passphrase, '!'), nil)
				if !errors.Is(err, acmexport.ErrIncorrectPassphrase) {
					t.Errorf("DecryptKey(wrong passphrase) = %v, want ErrIncorrectPassphrase", err)
				}
			case "unsupported":
				var u *acmexport.UnsupportedError
				if !errors.As(err, &u) || !strings.Contains(u.What, "hmacWithSHA512") {
					t.Errorf("DecryptKey() = %v, %v; want an *UnsupportedError naming hmacWithSHA512", key, err)
				}
			default:
				t.Fatalf("unknown expect %q", v.header["expect"])
			}
		})
	}
}

// TestOpenExportFormats opens every format Export writes.
func TestOpenExportFormats(t *testing.T) {
	d := sharedDemoCA(t)
	for _, cfg := range []*acmexport.Config{
		nil,
		{KeyFormat: acmexport.KeyFormatHMACSHA256},
		{KeyFormat: acmexport.KeyFormatHMACSHA256, Iterations: acmexport.MaxIterations / 100},
	} {
		for _, arn := range []string{d.rsa, d.p256, d.p384} {
			pass := []byte("  exact bytes\n")
			resp, err := acmexport.Export(t.Context(), d, exportRequest(arn, pass), cfg)
			if err != nil {
				t.Fatal(err)
			}
			b, err := acmexport.Open(resp, pass, &acmexport.OpenConfig{Roots: d.Roots()})
			if err != nil {
				t.Fatalf("Open(Export(%+v)) = %v", cfg, err)
			}
			want, err := d.PrivateKey(t.Context(), arn)
			if err != nil {
				t.Fatal(err)
			}
			if !b.Key.(equaler).Equal(want) {
				t.Errorf("Open(Export(%+v)) gave another key than the CA's", cfg)
			}
			if len(b.Chain) != 2 || !b.Chain[1].Equal(d.Root()) {
				t.Errorf("Open(Export(%+v)) chain has %d certificates, want intermediate and root", cfg, len(b.Chain))
			}
			if len(b.TLS.Certificate) != 2 || b.TLS.Leaf != b.Leaf || b.TLS.PrivateKey != b.Key {
				t.Errorf("Open(Export(%+v)) TLS holds %d certificates, want the leaf and the intermediate", cfg, len(b.TLS.Certificate))
			}
			trimmed := []byte(strings.TrimSpace(string(pass)))
			if _, err := acmexport.Open(resp, trimmed, nil); !errors.Is(err, acmexport.ErrIncorrectPassphrase) {
				t.Errorf("Open(trimmed passphrase) = %v, want ErrIncorrectPassphrase", err)
			}
		}
	}
}

// TestOpenTolerates feeds Open the variations real services send.
func TestOpenTolerates(t *testing.T) {
	d := sharedDemoCA(t)
	pass := []byte("pass")
	resp, err := acmexport.Export(t.Context(), d, exportRequest(d.p256, pass), nil)
	if err != nil {
		t.Fatal(err)
	}
	crlf := func(s string) string { return strings.ReplaceAll(s, "\n", "\r\n") }
	trim := func(s string) string { return strings.TrimSuffix(s, "\n") }
	tests := []struct {
		name string
		resp acmexport.Response
	}{
		{"as sent", *resp},
		{"CRLF", acmexport.Response{Certificate: crlf(resp.Certificate), CertificateChain: crlf(resp.CertificateChain), PrivateKey: crlf(resp.PrivateKey)}},
		{"no final newline", acmexport.Response{Certificate: trim(resp.Certificate), CertificateChain: trim(resp.CertificateChain), PrivateKey: trim(resp.PrivateKey)}},
		{"surrounding white space", acmexport.Response{Certificate: "\n " + resp.Certificate + "\n\n", CertificateChain: resp.CertificateChain + "  \n", PrivateKey: "\r\n" + resp.PrivateKey}},
		{"chain glued", acmexport.Response{Certificate: resp.Certificate, CertificateChain: strings.Replace(resp.CertificateChain, "-----\n-----BEGIN", "----------BEGIN", 1), PrivateKey: resp.PrivateKey}},
		{"chain in Certificate, glued", acmexport.Response{Certificate: trim(resp.Certificate) + resp.CertificateChain, PrivateKey: resp.PrivateKey}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := acmexport.Open(&tt.resp, pass, &acmexport.OpenConfig{Roots: d.Roots()})
			if err != nil {
				t.Fatalf("Open() = %v", err)
			}
			if len(b.Chain) != 2 {
				t.Errorf("Open() chain has %d certificates, want 2", len(b.Chain))
			}
		})
	}
}

func TestOpenErrors(t *testing.T) {
	d := sharedDemoCA(t)
	pass := []byte("pass")
	resp, err := acmexport.Export(t.Context(), d, exportRequest(d.p256, pass), nil)
	if err != nil {
		t.Fatal(err)
	}
	other, err := acmexport.Export(t.Context(), d, exportRequest(d.p384, pass), nil)
	if err != nil {
		t.Fatal(err)
	}
	chain, err := acmexport.DecodePEM(resp.CertificateChain, acmexport.LabelCertificate)
	if err != nil {
		t.Fatal(err)
	}
	reversed := acmexport.EncodePEM(acmexport.LabelCertificate, chain[1], chain[0])
	foreign, err := newForeignRoot()
	if err != nil {
		t.Fatal(err)
	}

	with := func(f func(r *acmexport.Response)) *acmexport.Response {
		r := *resp
		f(&r)
		return &r
	}
	tests := []struct {
		name string
		resp *acmexport.Response
		cfg  *acmexport.OpenConfig
		want func(error) bool
	}{
		{"wrong passphrase", resp, nil, func(err error) bool { return errors.Is(err, acmexport.ErrIncorrectPassphrase) }},
		{"key of another certificate", with(func(r *acmexport.Response) { r.PrivateKey = other.PrivateKey }), nil,
			func(err error) bool { return errors.Is(err, acmexport.ErrKeyMismatch) }},
		{"chain out of order", with(func(r *acmexport.Response) { r.CertificateChain = reversed }), nil, isChainError},
		{"chain of another CA", with(func(r *acmexport.Response) {
			r.CertificateChain = acmexport.EncodePEM(acmexport.LabelCertificate, foreign.Raw)
		}), nil, isChainError},
		{"chain holds the leaf", with(func(r *acmexport.Response) { r.CertificateChain = r.Certificate + r.CertificateChain }), nil, isChainError},
		{"untrusted root", resp, &acmexport.OpenConfig{Roots: poolOf(foreign)}, isChainError},
		{"expired", resp, &acmexport.OpenConfig{Roots: d.Roots(), Now: func() time.Time { return time.Now().AddDate(5, 0, 0) }}, isChainError},
		{"both fields hold a chain", with(func(r *acmexport.Response) { r.Certificate += r.CertificateChain }), nil, isMalformed("Certificate")},
		{"empty certificate", with(func(r *acmexport.Response) { r.Certificate = "" }), nil, isMalformed("Certificate")},
		{"key in the Certificate field", with(func(r *acmexport.Response) { r.Certificate = r.PrivateKey }), nil, isMalformed("Certificate")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wrongPass := tt.name == "wrong passphrase"
			p := pass
			if wrongPass {
				p = []byte("pass\n")
			}
			b, err := acmexport.Open(tt.resp, p, tt.cfg)
			if b != nil || !tt.want(err) {
				t.Fatalf("Open() = %v, %v; want no bundle and the %s error", b, err, tt.name)
			}
			if strings.Contains(err.Error(), string(p)) && len(p) > 4 {
				t.Errorf("Open() error %q holds the passphrase", err)
			}
		})
	}
}

func isChainError(err error) bool {
	var ce *acmexport.ChainError
	return errors.As(err, &ce)
}

func isMalformed(field string) func(error) bool {
	return func(err error) bool {
		var me *acmexport.MalformedError
		return errors.As(err, &me) && me.Field == field
	}
}

func newForeignRoot() (*x509.Certificate, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "Some Other Root"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

func TestDecryptKeyMalformed(t *testing.T) {
	d := sharedDemoCA(t)
	key, plain := caKey(t, d, d.p256)
	ecDER, err := x509.MarshalECPrivateKey(key.(*ecdsa.PrivateKey))
	if err != nil {
		t.Fatal(err)
	}
	legacy := string(pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Headers: map[string]string{
		"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00112233445566778899AABBCCDDEEFF",
	}, Bytes: ecDER}))
	tests := []struct {
		name, text, reason string
	}{
		{"unencrypted PRIVATE KEY", acmexport.EncodePEM("PRIVATE KEY", plain), "an unencrypted PRIVATE KEY, want ENCRYPTED PRIVATE KEY"},
		{"legacy Proc-Type key", legacy, `a legacy "EC PRIVATE KEY" block with Proc-Type "4,ENCRYPTED", want ENCRYPTED PRIVATE KEY: convert it with openssl pkcs8 -topk8`},
		{"DER instead of PEM", string(plain), "binary DER, want PEM text"},
		{"certificate", acmexport.EncodePEM("CERTIFICATE", plain), `a "CERTIFICATE" block, want ENCRYPTED PRIVATE KEY`},
		{"empty", "", "empty"},
		{"two keys", acmexport.EncodePEM(acmexport.LabelEncryptedPrivateKey, plain, plain), "2 ENCRYPTED PRIVATE KEY blocks, want 1"},
		{"unencrypted key under the ENCRYPTED label", acmexport.EncodePEM(acmexport.LabelEncryptedPrivateKey, plain), "not a PKCS#8 EncryptedPrivateKeyInfo"},
		{"bad base64", "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAB==\n-----END ENCRYPTED PRIVATE KEY-----\n", "line 2: base64 is not canonical or its padding is wrong"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := acmexport.DecryptKey(tt.text, []byte("pass"), nil)
			var me *acmexport.MalformedError
			if k != nil || !errors.As(err, &me) || me.Field != "PrivateKey" || me.Reason != tt.reason {
				t.Errorf("DecryptKey() = %v, %v; want a *MalformedError with reason %q", k, err, tt.reason)
			}
		})
	}
}

// TestOpenServesTLS checks that a Bundle's TLS certificate serves a
// handshake to a Go client that trusts only the root.
func TestOpenServesTLS(t *testing.T) {
	d := sharedDemoCA(t)
	pass := []byte("pass")
	resp, err := acmexport.Export(t.Context(), d, exportRequest(d.rsa, pass), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, err := acmexport.Open(resp, pass, nil)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{b.TLS}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		c.(*tls.Conn).Handshake()
	}()

	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	dialer := &tls.Dialer{Config: &tls.Config{RootCAs: d.Roots(), ServerName: "rsa.example.com"}}
	conn, err := dialer.DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("TLS handshake with the opened certificate: %v", err)
	}
	defer conn.Close()
	if got := conn.(*tls.Conn).ConnectionState().PeerCertificates; len(got) != 2 || !got[0].Equal(b.Leaf) {
		t.Errorf("server sent %d certificates, want the leaf and the intermediate", len(got))
	}
}
