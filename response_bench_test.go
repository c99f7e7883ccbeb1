package acmexport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/acmexport/acmexport"
)

// benchResponse returns what Export answers for a P-256 certificate.
func benchResponse(t testing.TB) *acmexport.Response {
	c := issueBenchCert(t, acmexport.ECPrime256v1)
	resp, err := acmexport.Export(context.Background(), c.staticCA(), c.request(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// plainResponse is Response without its MarshalJSON, to see what
// encoding/json itself writes.
type plainResponse struct {
	Certificate, CertificateChain, PrivateKey string
}

// TestResponseMarshalJSONIsEncodingJSON pins that the hand-written
// MarshalJSON writes byte for byte what encoding/json writes.
func TestResponseMarshalJSONIsEncodingJSON(t *testing.T) {
	resp := benchResponse(t)
	long := *resp
	for range 50 {
		long.CertificateChain += resp.CertificateChain
	}
	for _, r := range []*acmexport.Response{resp, &long} {
		got, err := r.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(plainResponse(*r))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("MarshalJSON() =\n%s\nwant\n%s", got, want)
		}
		// The Handler calls json.Marshal, which compacts what
		// MarshalJSON returns; that must change nothing either.
		if viaJSON, err := json.Marshal(r); err != nil || !bytes.Equal(viaJSON, want) {
			t.Errorf("json.Marshal(Response) = %s, %v\nwant %s", viaJSON, err, want)
		}
	}
}

// BenchmarkResponse measures the encoding of a response body as the
// Handler runs it after each export, through json.Marshal, Check included;
// and Check alone.
func BenchmarkResponse(b *testing.B) {
	resp := benchResponse(b)
	b.Run("MarshalJSON", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(resp); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Check", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := resp.Check(); err != nil {
				b.Fatal(err)
			}
		}
	})
}
