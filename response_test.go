package acmexport_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/acmexport/acmexport"
)

func TestResponseCheck(t *testing.T) {
	d := sharedDemoCA(t)
	good, err := acmexport.Export(t.Context(), d, exportRequest(d.p256, []byte("pass")), nil)
	if err != nil {
		t.Fatal(err)
	}
	_, plain := caKey(t, d, d.p256)
	certDER := mustDecode(t, good.Certificate, acmexport.LabelCertificate)

	tests := []struct {
		name   string
		mutate func(r *acmexport.Response)
		want   string // part of the error, "" for none
	}{
		{"good", func(*acmexport.Response) {}, ""},
		{"unencrypted key", func(r *acmexport.Response) {
			r.PrivateKey = acmexport.EncodePEM("PRIVATE KEY", plain)
		}, `response PrivateKey: acmexport: ENCRYPTED PRIVATE KEY PEM, line 1: found "-----BEGIN PRIVATE KEY-----"`},
		{"unencrypted key under the ENCRYPTED label", func(r *acmexport.Response) {
			r.PrivateKey = acmexport.EncodePEM(acmexport.LabelEncryptedPrivateKey, plain)
		}, "response PrivateKey is not a PBES2-encrypted PKCS#8 key"},
		{"two keys", func(r *acmexport.Response) { r.PrivateKey += r.PrivateKey }, "response PrivateKey: acmexport: ENCRYPTED PRIVATE KEY PEM, line 1: 2 blocks, want 1"},
		{"chain in Certificate", func(r *acmexport.Response) { r.Certificate += r.CertificateChain }, "response Certificate: acmexport: CERTIFICATE PEM, line 1: 3 blocks, want 1"},
		{"CRLF", func(r *acmexport.Response) { r.Certificate = strings.ReplaceAll(r.Certificate, "\n", "\r\n") }, "line ends in CRLF, want LF"},
		{"no final newline", func(r *acmexport.Response) { r.CertificateChain = strings.TrimSuffix(r.CertificateChain, "\n") }, "missing final line break"},
		{"empty chain", func(r *acmexport.Response) { r.CertificateChain = "" }, "response CertificateChain: acmexport: CERTIFICATE PEM, line 1: no PEM block"},
		{"certificate too long", func(r *acmexport.Response) {
			r.Certificate = acmexport.EncodePEM(acmexport.LabelCertificate, make([]byte, 25000))
		}, "response Certificate is 33911 characters, more than 32768"},
		{"chain too long", func(r *acmexport.Response) {
			r.CertificateChain = acmexport.EncodePEM(acmexport.LabelCertificate, certDER, make([]byte, 1_600_000))
		}, "more than 2097152"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := *good
			tt.mutate(&r)
			err := r.Check()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Check() = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Check() = %v, want an error containing %q", err, tt.want)
			}
			body, merr := json.Marshal(r)
			if (merr == nil) != (err == nil) {
				t.Errorf("json.Marshal(Response) = %v, but Check() = %v", merr, err)
			}
			if err != nil && strings.Contains(err.Error(), "MII") {
				t.Errorf("Check() error quotes the PEM: %v", err)
			}
			if merr == nil {
				var back acmexport.Response
				if err := json.Unmarshal(body, &back); err != nil || back != r {
					t.Errorf("json round trip changed the response: %v", err)
				}
			}
		})
	}
}

func mustDecode(t *testing.T, text, label string) []byte {
	t.Helper()
	blocks, err := acmexport.DecodePEM(text, label)
	if err != nil {
		t.Fatal(err)
	}
	return blocks[0]
}
