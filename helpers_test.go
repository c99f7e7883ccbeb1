package acmexport_test

import (
	"context"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"sync"
	"testing"

	"github.com/youmark/pkcs8"

	"github.com/acmexport/acmexport"
	"github.com/acmexport/acmexport/memca"
)

// recordingCA passes calls on to a CA and records them, so that a test can
// show which were made.
type recordingCA struct {
	acmexport.CA
	mu    sync.Mutex
	calls []string
}

func (r *recordingCA) Certificate(ctx context.Context, arn string) (*acmexport.Certificate, error) {
	r.record("Certificate " + arn)
	return r.CA.Certificate(ctx, arn)
}

func (r *recordingCA) PrivateKey(ctx context.Context, arn string) (crypto.Signer, error) {
	r.record("PrivateKey " + arn)
	return r.CA.PrivateKey(ctx, arn)
}

func (r *recordingCA) record(call string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call)
}

func (r *recordingCA) Calls() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}

// funcCA is a CA made of two functions, for the answers memca never gives.
type funcCA struct {
	cert func(ctx context.Context, arn string) (*acmexport.Certificate, error)
	key  func(ctx context.Context, arn string) (crypto.Signer, error)
}

func (f funcCA) Certificate(ctx context.Context, arn string) (*acmexport.Certificate, error) {
	return f.cert(ctx, arn)
}

func (f funcCA) PrivateKey(ctx context.Context, arn string) (crypto.Signer, error) {
	return f.key(ctx, arn)
}

// demoCA is a memca CA holding one certificate of each kind the tests need.
type demoCA struct {
	*memca.CA
	rsa, p256, p384, pending, imported, publicExportable, publicNotExportable string
}

func newDemoCA(t testing.TB) *demoCA {
	t.Helper()
	ca, err := memca.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	d := &demoCA{CA: ca}
	for _, c := range []struct {
		arn *string
		req memca.Request
	}{
		{&d.rsa, memca.Request{DomainName: "rsa.example.com", KeyAlgorithm: acmexport.RSA2048}},
		{&d.p256, memca.Request{DomainName: "p256.example.com", KeyAlgorithm: acmexport.ECPrime256v1}},
		{&d.p384, memca.Request{DomainName: "p384.example.com", KeyAlgorithm: acmexport.ECSecp384r1}},
		{&d.pending, memca.Request{DomainName: "pending.example.com", Type: acmexport.TypeAmazonIssued, Export: acmexport.ExportEnabled, Pending: true}},
		{&d.imported, memca.Request{DomainName: "imported.example.com", Type: acmexport.TypeImported}},
		{&d.publicExportable, memca.Request{DomainName: "public.example.com", KeyAlgorithm: acmexport.ECPrime256v1, Type: acmexport.TypeAmazonIssued, Export: acmexport.ExportEnabled}},
		{&d.publicNotExportable, memca.Request{DomainName: "closed.example.com", KeyAlgorithm: acmexport.ECPrime256v1, Type: acmexport.TypeAmazonIssued, Export: acmexport.ExportDisabled}},
	} {
		arn, err := ca.Issue(context.Background(), c.req)
		if err != nil {
			t.Fatalf("Issue(%+v) = %v", c.req, err)
		}
		*c.arn = arn
	}
	return d
}

var (
	sharedDemoOnce sync.Once
	sharedDemo     *demoCA
)

// sharedDemoCA returns one demoCA for the whole test binary: making RSA
// keys is slow, and the tests only read from it.
func sharedDemoCA(t testing.TB) *demoCA {
	sharedDemoOnce.Do(func() { sharedDemo = newDemoCA(t) })
	if sharedDemo == nil {
		t.Fatal("the demo CA could not be made")
	}
	return sharedDemo
}

// opened is what a test gets from opening a Response.
type opened struct {
	leaf  *x509.Certificate
	chain []*x509.Certificate
	key   crypto.Signer
}

// openResponse decodes resp's PEM, decrypts its key with passphrase using
// the pkcs8 dependency directly, checks that the key matches the leaf and
// that the chain verifies up to roots.
func openResponse(t *testing.T, resp *acmexport.Response, passphrase []byte, roots *x509.CertPool) opened {
	t.Helper()
	var o opened
	leafDER, err := acmexport.DecodePEM(resp.Certificate, acmexport.LabelCertificate)
	if err != nil || len(leafDER) != 1 {
		t.Fatalf("Certificate: %d blocks, %v", len(leafDER), err)
	}
	if o.leaf, err = x509.ParseCertificate(leafDER[0]); err != nil {
		t.Fatal(err)
	}
	chainDER, err := acmexport.DecodePEM(resp.CertificateChain, acmexport.LabelCertificate)
	if err != nil {
		t.Fatalf("CertificateChain: %v", err)
	}
	intermediates := x509.NewCertPool()
	for _, der := range chainDER {
		c, err := x509.ParseCertificate(der)
		if err != nil {
			t.Fatal(err)
		}
		o.chain = append(o.chain, c)
		intermediates.AddCert(c)
	}
	keyDER, err := acmexport.DecodePEM(resp.PrivateKey, acmexport.LabelEncryptedPrivateKey)
	if err != nil || len(keyDER) != 1 {
		t.Fatalf("PrivateKey: %d blocks, %v", len(keyDER), err)
	}
	key, err := pkcs8.ParsePKCS8PrivateKey(keyDER[0], passphrase)
	if err != nil {
		t.Fatalf("decrypting PrivateKey: %v", err)
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		t.Fatalf("PrivateKey holds a %T, not a crypto.Signer", key)
	}
	o.key = signer
	if pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(o.leaf.PublicKey) {
		t.Errorf("PrivateKey does not match the certificate's public key")
	}
	if _, err := o.leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: intermediates,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}); err != nil {
		t.Errorf("the chain does not verify: %v", err)
	}
	if last := o.chain[len(o.chain)-1]; !roots.Equal(poolOf(last)) {
		t.Errorf("the chain's last certificate is %q, want the root", last.Subject)
	}
	return o
}

func poolOf(certs ...*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}

// pbes2Shape is the EncryptedPrivateKeyInfo of a key, its parameters read
// with encoding/asn1 so that a test can check each.
type pbes2Shape struct {
	Scheme     asn1.ObjectIdentifier
	KDF        asn1.ObjectIdentifier
	Salt       []byte
	Iterations int
	PRF        asn1.ObjectIdentifier // nil if the element is absent
	PRFParams  []byte                // the PRF's parameters, DER
	Cipher     asn1.ObjectIdentifier
	IV         []byte
}

func readPBES2(t *testing.T, pemText string) pbes2Shape {
	t.Helper()
	blocks, err := acmexport.DecodePEM(pemText, acmexport.LabelEncryptedPrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Algorithm pkix.AlgorithmIdentifier
		Data      []byte
	}
	var params struct {
		KDF, Scheme pkix.AlgorithmIdentifier
	}
	var kdf struct {
		Salt       []byte
		Iterations int
		PRF        asn1.RawValue `asn1:"optional"`
	}
	var s pbes2Shape
	mustUnmarshal(t, blocks[0], &info)
	mustUnmarshal(t, info.Algorithm.Parameters.FullBytes, &params)
	mustUnmarshal(t, params.KDF.Parameters.FullBytes, &kdf)
	mustUnmarshal(t, params.Scheme.Parameters.FullBytes, &s.IV)
	s.Scheme, s.KDF, s.Cipher = info.Algorithm.Algorithm, params.KDF.Algorithm, params.Scheme.Algorithm
	s.Salt, s.Iterations = kdf.Salt, kdf.Iterations
	if len(kdf.PRF.FullBytes) > 0 {
		var prf pkix.AlgorithmIdentifier
		mustUnmarshal(t, kdf.PRF.FullBytes, &prf)
		s.PRF, s.PRFParams = prf.Algorithm, prf.Parameters.FullBytes
	}
	return s
}

func mustUnmarshal(t *testing.T, der []byte, v any) {
	t.Helper()
	rest, err := asn1.Unmarshal(der, v)
	if err != nil || len(rest) > 0 {
		t.Fatalf("asn1.Unmarshal into %T: %v, %d bytes left", v, err, len(rest))
	}
}

// caKey returns the key the demo CA holds for arn, and its unencrypted
// PKCS#8 DER.
func caKey(t *testing.T, d *demoCA, arn string) (crypto.Signer, []byte) {
	t.Helper()
	key, err := d.PrivateKey(t.Context(), arn)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return key, plain
}
