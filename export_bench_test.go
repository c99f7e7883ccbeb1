package acmexport_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/aes"
	"crypto/cipher"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"fmt"
	"sync"
	"testing"

	"github.com/acmexport/acmexport"
	"github.com/acmexport/acmexport/memca"
)

// The benchmarks of this file and of pem_bench_test.go and
// handler_bench_test.go compare each operation with a baseline measured in
// the same run; scripts/bench.sh runs them and computes the ratios, and
// BENCHMARKS.md records them.
//
// The client side is measured by BenchmarkDecryptKey, in
// open_bench_test.go, against BenchmarkFloorDecrypt below.

// benchPassphrase is a passphrase Export accepts under the default rules.
var benchPassphrase = []byte("correct horse battery staple")

// benchCert is one issued certificate with its key, taken from a memca CA
// once, so that a benchmark can export it without asking the CA.
type benchCert struct {
	ca   *memca.CA
	arn  string
	cert *acmexport.Certificate
	key  crypto.Signer
}

var benchCerts = struct {
	sync.Mutex
	ca    *memca.CA
	certs map[acmexport.KeyAlgorithm]*benchCert
}{certs: make(map[acmexport.KeyAlgorithm]*benchCert)}

// issueBenchCert returns a certificate of algorithm alg from a CA shared by
// all the benchmarks, issuing it the first time it is asked for.
func issueBenchCert(b testing.TB, alg acmexport.KeyAlgorithm) *benchCert {
	b.Helper()
	benchCerts.Lock()
	defer benchCerts.Unlock()
	if c := benchCerts.certs[alg]; c != nil {
		return c
	}
	ctx := context.Background()
	if benchCerts.ca == nil {
		ca, err := memca.New(nil)
		if err != nil {
			b.Fatal(err)
		}
		benchCerts.ca = ca
	}
	ca := benchCerts.ca
	arn, err := ca.Issue(ctx, memca.Request{DomainName: "bench.example.com", KeyAlgorithm: alg})
	if err != nil {
		b.Fatal(err)
	}
	cert, err := ca.Certificate(ctx, arn)
	if err != nil {
		b.Fatal(err)
	}
	key, err := ca.PrivateKey(ctx, arn)
	if err != nil {
		b.Fatal(err)
	}
	c := &benchCert{ca: ca, arn: arn, cert: cert, key: key}
	benchCerts.certs[alg] = c
	return c
}

// staticCA answers every lookup with the same certificate and key, at no
// cost, so that a benchmark of Export measures Export alone.
func (c *benchCert) staticCA() acmexport.CA {
	return funcCA{
		cert: func(context.Context, string) (*acmexport.Certificate, error) { return c.cert, nil },
		key:  func(context.Context, string) (crypto.Signer, error) { return c.key, nil },
	}
}

func (c *benchCert) request() *acmexport.Request {
	return &acmexport.Request{CertificateArn: &c.arn, Passphrase: benchPassphrase}
}

var benchAlgorithms = []struct {
	name string
	alg  acmexport.KeyAlgorithm
}{
	{"RSA2048", acmexport.RSA2048},
	{"P256", acmexport.ECPrime256v1},
}

// BenchmarkExport measures, for each key algorithm, Export with the default
// key format and its baseline, one after the other:
//
//   - Export: from a CA that costs nothing, so that it measures Export
//     alone.
//   - floor: the cryptography an export cannot avoid, called directly. It
//     marshals the key as PKCS#8, derives the key-encryption key with
//     PBKDF2-HMAC-SHA1 (2048 iterations, a 20-byte salt, 32 bytes out) and
//     encrypts the PKCS#8 with AES-256-CBC, as KeyFormatACM does.
//   - memca: Export from the memca CA, as the example server runs it: the
//     difference from Export is what that CA costs.
func BenchmarkExport(b *testing.B) {
	for _, a := range benchAlgorithms {
		b.Run(a.name+"/Export", func(b *testing.B) {
			c := issueBenchCert(b, a.alg)
			ca, req, ctx := c.staticCA(), c.request(), context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := acmexport.Export(ctx, ca, req, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(a.name+"/floor", func(b *testing.B) {
			key := issueBenchCert(b, a.alg).key
			salt, iv := make([]byte, 20), make([]byte, aes.BlockSize)
			rand.Read(salt)
			rand.Read(iv)
			b.ReportAllocs()
			for b.Loop() {
				floorEncrypt(b, key, salt, iv)
			}
		})
		b.Run(a.name+"/memca", func(b *testing.B) {
			c := issueBenchCert(b, a.alg)
			req, ctx := c.request(), context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := acmexport.Export(ctx, c.ca, req, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkExportChain measures Export with chains of 1 to 100 certificates:
// its allocations must not grow with the chain beyond the output.
func BenchmarkExportChain(b *testing.B) {
	c := issueBenchCert(b, acmexport.ECPrime256v1)
	for _, n := range []int{1, 10, 100} {
		b.Run(fmt.Sprintf("len%d", n), func(b *testing.B) {
			chain := make([]*x509.Certificate, n)
			for i := range chain {
				chain[i] = c.cert.Chain[i%len(c.cert.Chain)]
			}
			cert := *c.cert
			cert.Chain = chain
			ca := funcCA{
				cert: func(context.Context, string) (*acmexport.Certificate, error) { return &cert, nil },
				key:  func(context.Context, string) (crypto.Signer, error) { return c.key, nil },
			}
			req, ctx := c.request(), context.Background()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := acmexport.Export(ctx, ca, req, nil); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFloorDecrypt is the baseline of BenchmarkDecryptKey (see the
// top of this file): the cryptography opening an export cannot avoid,
// called directly. It derives the key as BenchmarkExport's floor does,
// decrypts with AES-256-CBC, and parses the PKCS#8 that comes out.
func BenchmarkFloorDecrypt(b *testing.B) {
	for _, a := range benchAlgorithms {
		b.Run(a.name, func(b *testing.B) {
			key := issueBenchCert(b, a.alg).key
			salt, iv := make([]byte, 20), make([]byte, aes.BlockSize)
			rand.Read(salt)
			rand.Read(iv)
			ciphertext := floorEncrypt(b, key, salt, iv)

			b.ReportAllocs()
			for b.Loop() {
				data := make([]byte, len(ciphertext))
				cipher.NewCBCDecrypter(floorCipher(b, salt), iv).CryptBlocks(data, ciphertext)
				data = data[:len(data)-int(data[len(data)-1])]
				if _, err := x509.ParsePKCS8PrivateKey(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// floorEncrypt is the cryptography an export cannot avoid, called directly:
// the key marshalled as PKCS#8, PBKDF2 with HMAC-SHA1 and ACM's parameters,
// AES-256-CBC with PKCS#7 padding.
func floorEncrypt(b *testing.B, key crypto.Signer, salt, iv []byte) []byte {
	plain, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		b.Fatal(err)
	}
	pad := aes.BlockSize - len(plain)%aes.BlockSize
	data := append(plain, bytes.Repeat([]byte{byte(pad)}, pad)...)
	cipher.NewCBCEncrypter(floorCipher(b, salt), iv).CryptBlocks(data, data)
	return data
}

// floorCipher derives the key from benchPassphrase with PBKDF2, HMAC-SHA1
// and ACM's parameters, and returns AES-256 under it.
func floorCipher(b *testing.B, salt []byte) cipher.Block {
	kek, err := pbkdf2.Key(sha1.New, string(benchPassphrase), salt, acmexport.DefaultIterations, 32)
	if err != nil {
		b.Fatal(err)
	}
	block, err := aes.NewCipher(kek)
	if err != nil {
		b.Fatal(err)
	}
	return block
}
