package acmexport_test

import (
	"testing"

	"github.com/acmexport/acmexport"
)

// BenchmarkDecryptKey opens what Export writes by default, against
// BenchmarkFloorDecrypt: the same derivation, decryption and parse called
// directly. scripts/bench.sh computes the ratio.
func BenchmarkDecryptKey(b *testing.B) {
	for _, a := range benchAlgorithms {
		b.Run(a.name, func(b *testing.B) {
			c := issueBenchCert(b, a.alg)
			resp, err := acmexport.Export(b.Context(), c.ca, &acmexport.Request{CertificateArn: &c.arn, Passphrase: benchPassphrase}, nil)
			if err != nil {
				b.Fatal(err)
			}

			b.ReportAllocs()
			for b.Loop() {
				if _, err := acmexport.DecryptKey(resp.PrivateKey, benchPassphrase, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
