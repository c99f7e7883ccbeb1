package acmexport_test

import (
	"encoding/base64"
	"encoding/pem"
	"strings"
	"sync"
	"testing"

	"github.com/acmexport/acmexport"
)

// pemCase is one text the PEM benchmarks read, with what the baselines
// need: the model's pattern for it and the base64 bodies of its blocks.
type pemCase struct {
	name   string
	text   string
	chain  bool     // whether the chain pattern applies, not the certificate one
	bodies [][]byte // the text between each BEGIN and END line
	blocks int
}

var (
	pemCasesOnce sync.Once
	pemCasesList []pemCase
)

// pemCases returns one certificate, a chain of ten, and a chain of as many
// as fit under MaxCertificateChainLength, all from a real certificate.
func pemCases(b *testing.B) []pemCase {
	pemCasesOnce.Do(func() {
		c := issueBenchCert(b, acmexport.ECPrime256v1)
		one := acmexport.EncodePEM(acmexport.LabelCertificate, c.cert.Leaf.Raw)
		ders := [][]byte{c.cert.Leaf.Raw, c.cert.Chain[0].Raw, c.cert.Chain[1].Raw}
		var ten, big []string
		for i := 0; i < 10; i++ {
			ten = append(ten, acmexport.EncodePEM(acmexport.LabelCertificate, ders[i%3]))
		}
		size := 0
		for i := 0; ; i++ {
			p := acmexport.EncodePEM(acmexport.LabelCertificate, ders[i%3])
			if size+len(p) > acmexport.MaxCertificateChainLength {
				break
			}
			big = append(big, p)
			size += len(p)
		}
		pemCasesList = []pemCase{
			newPEMCase("cert", one, false),
			newPEMCase("chain10", strings.Join(ten, ""), true),
			newPEMCase("chain2MiB", strings.Join(big, ""), true),
		}
	})
	if pemCasesList == nil {
		b.Fatal("the PEM cases could not be made")
	}
	return pemCasesList
}

func newPEMCase(name, text string, chain bool) pemCase {
	pc := pemCase{name: name, text: text, chain: chain}
	const begin = "-----BEGIN CERTIFICATE-----\n"
	const end = "-----END CERTIFICATE-----\n"
	for rest := text; rest != ""; {
		i := strings.Index(rest, end)
		pc.bodies = append(pc.bodies, []byte(rest[len(begin):i]))
		rest = rest[i+len(end):]
		pc.blocks++
	}
	return pc
}

// BenchmarkPEM measures, on a certificate, a chain of ten and a chain near
// the 2 MiB limit, DecodePEM and its two baselines:
//
//   - base64: a bare base64.StdEncoding.Decode of each block's body, line
//     breaks included, into a buffer made beforehand. It checks no
//     structure and allocates nothing.
//   - regexp: the model's pattern for the field compiled by Go's regexp.
//     It matches, and does not decode.
//
// Bytes per second make the sizes comparable: DecodePEM's cost must be
// linear in the size.
func BenchmarkPEM(b *testing.B) {
	for _, pc := range pemCases(b) {
		b.Run(pc.name+"/DecodePEM", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(pc.text)))
			for b.Loop() {
				blocks, err := acmexport.DecodePEM(pc.text, acmexport.LabelCertificate)
				if err != nil || len(blocks) != pc.blocks {
					b.Fatalf("DecodePEM() = %d blocks, %v; want %d", len(blocks), err, pc.blocks)
				}
			}
		})
		b.Run(pc.name+"/base64", func(b *testing.B) {
			size := 0
			for _, body := range pc.bodies {
				size = max(size, base64.StdEncoding.DecodedLen(len(body)))
			}
			dst := make([]byte, size)
			b.ReportAllocs()
			b.SetBytes(int64(len(pc.text)))
			for b.Loop() {
				for _, body := range pc.bodies {
					if _, err := base64.StdEncoding.Decode(dst, body); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
		b.Run(pc.name+"/regexp", func(b *testing.B) {
			re := modelPEM(acmexport.LabelCertificate, pc.chain)
			b.ReportAllocs()
			b.SetBytes(int64(len(pc.text)))
			for b.Loop() {
				if !re.MatchString(pc.text) {
					b.Fatal("the model's pattern refuses the text")
				}
			}
		})
	}
}

// TestEncodePEMIsEncodingPEM pins that the hand-written EncodePEM writes
// byte for byte what encoding/pem writes, block after block.
func TestEncodePEMIsEncodingPEM(t *testing.T) {
	for n := 0; n <= 200; n++ {
		der := make([]byte, n)
		for i := range der {
			der[i] = byte(i*7 + n)
		}
		for _, ders := range [][][]byte{{der}, {der, der[:n/2], der}} {
			var want []byte
			for _, d := range ders {
				want = append(want, pem.EncodeToMemory(&pem.Block{Type: acmexport.LabelEncryptedPrivateKey, Bytes: d})...)
			}
			if got := acmexport.EncodePEM(acmexport.LabelEncryptedPrivateKey, ders...); got != string(want) {
				t.Fatalf("EncodePEM(%d blocks, the first of %d bytes) =\n%s\nwant\n%s", len(ders), n, got, want)
			}
		}
	}
}
