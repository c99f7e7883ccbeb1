package memca_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/cryptotest"
	"time"

	"github.com/acmexport/acmexport"
	"github.com/acmexport/acmexport/memca"
	"github.com/google/go-cmp/cmp"
)

// certEqual lets cmp compare certificates, whose public keys it cannot see
// into.
var certEqual = cmp.Comparer(func(a, b *x509.Certificate) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(b)
})

func newCA(t *testing.T, cfg *memca.Config) *memca.CA {
	t.Helper()
	ca, err := memca.New(cfg)
	if err != nil {
		t.Fatalf("New(%+v) = %v", cfg, err)
	}
	return ca
}

func issue(t *testing.T, ca *memca.CA, req memca.Request) string {
	t.Helper()
	arn, err := ca.Issue(t.Context(), req)
	if err != nil {
		t.Fatalf("Issue(%+v) = %v, want nil error", req, err)
	}
	return arn
}

func lookup(t *testing.T, ca *memca.CA, arn string) *acmexport.Certificate {
	t.Helper()
	c, err := ca.Certificate(t.Context(), arn)
	if err != nil {
		t.Fatalf("Certificate(%s) = %v, want nil error", arn, err)
	}
	return c
}

func TestNewARNs(t *testing.T) {
	const uuid = `[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}`
	tests := []struct {
		name string
		cfg  *memca.Config
		want string
	}{
		{"nil", nil, `^arn:aws:acm:us-east-1:111122223333:certificate/` + uuid + `$`},
		{"zero", &memca.Config{}, `^arn:aws:acm:us-east-1:111122223333:certificate/` + uuid + `$`},
		{"custom", &memca.Config{Partition: "aws-cn", Region: "cn-north-1", Account: "123456789012"},
			`^arn:aws-cn:acm:cn-north-1:123456789012:certificate/` + uuid + `$`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ca := newCA(t, tt.cfg)
			req := memca.Request{DomainName: "example.com", KeyAlgorithm: acmexport.ECPrime256v1}
			arn := issue(t, ca, req)
			if !regexp.MustCompile(tt.want).MatchString(arn) {
				t.Errorf("Issue(%+v) = %s, want a match for %s", req, arn, tt.want)
			}
			if !regexp.MustCompile(`^(?:` + acmexport.ARNPattern + `)$`).MatchString(arn) {
				t.Errorf("Issue(%+v) = %s, which does not match acmexport.ARNPattern", req, arn)
			}
		})
	}
}

func TestNewInvalidConfig(t *testing.T) {
	tests := []memca.Config{
		{Partition: "aws:cn"},
		{Region: "us east 1"},
		{Account: "11112222333x"},
		{Account: "1111:2222"},
	}
	for _, cfg := range tests {
		t.Run(cfg.Partition+cfg.Region+cfg.Account, func(t *testing.T) {
			ca, err := memca.New(&cfg)
			if err == nil || !strings.HasPrefix(err.Error(), "memca: ") {
				t.Errorf("New(%+v) = %v, %v, want a memca error", cfg, ca, err)
			}
		})
	}
}

func TestChain(t *testing.T) {
	ca := newCA(t, nil)
	root := ca.Root()
	c := lookup(t, ca, issue(t, ca, memca.Request{DomainName: "example.com", KeyAlgorithm: acmexport.ECPrime256v1}))
	if len(c.Chain) != 2 {
		t.Fatalf("len(Chain) = %d, want 2", len(c.Chain))
	}
	inter := c.Chain[0]

	if !c.Chain[1].Equal(root) {
		t.Errorf("Chain[1] = %s, want the root %s", c.Chain[1].Subject, root.Subject)
	}
	if err := root.CheckSignatureFrom(root); err != nil {
		t.Errorf("root.CheckSignatureFrom(root) = %v, want nil", err)
	}
	if err := inter.CheckSignatureFrom(root); err != nil {
		t.Errorf("intermediate.CheckSignatureFrom(root) = %v, want nil", err)
	}
	if err := c.Leaf.CheckSignatureFrom(inter); err != nil {
		t.Errorf("leaf.CheckSignatureFrom(intermediate) = %v, want nil", err)
	}

	type caFields struct {
		CommonName     string
		IsCA           bool
		MaxPathLen     int
		MaxPathLenZero bool
		Curve          string
	}
	fields := func(c *x509.Certificate) caFields {
		f := caFields{CommonName: c.Subject.CommonName, IsCA: c.IsCA, MaxPathLen: c.MaxPathLen, MaxPathLenZero: c.MaxPathLenZero}
		if k, ok := c.PublicKey.(*ecdsa.PublicKey); ok {
			f.Curve = k.Curve.Params().Name
		}
		return f
	}
	if diff := cmp.Diff(caFields{"acmexport memca Root CA", true, 1, false, "P-384"}, fields(root)); diff != "" {
		t.Errorf("Root() mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(caFields{"acmexport memca Intermediate CA", true, 0, true, "P-256"}, fields(inter)); diff != "" {
		t.Errorf("Chain[0] mismatch (-want +got):\n%s", diff)
	}
}

func TestIssueKeyAlgorithms(t *testing.T) {
	tests := []struct {
		name     string
		alg      acmexport.KeyAlgorithm
		want     acmexport.KeyAlgorithm
		rsaBits  int    // for RSA
		curve    string // for EC
		keyUsage x509.KeyUsage
	}{
		{"default", "", acmexport.RSA2048, 2048, "", x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment},
		{"RSA_2048", acmexport.RSA2048, acmexport.RSA2048, 2048, "", x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment},
		{"EC_prime256v1", acmexport.ECPrime256v1, acmexport.ECPrime256v1, 0, "P-256", x509.KeyUsageDigitalSignature},
		{"EC_secp384r1", acmexport.ECSecp384r1, acmexport.ECSecp384r1, 0, "P-384", x509.KeyUsageDigitalSignature},
	}
	ca := newCA(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := memca.Request{DomainName: "www.example.com", KeyAlgorithm: tt.alg}
			arn := issue(t, ca, req)
			c := lookup(t, ca, arn)
			if c.Status != acmexport.StatusIssued || c.Type != acmexport.TypePrivate || c.KeyAlgorithm != tt.want {
				t.Errorf("Certificate(Issue(%+v)) = %s %s %s, want %s %s %s", req,
					c.Status, c.Type, c.KeyAlgorithm, acmexport.StatusIssued, acmexport.TypePrivate, tt.want)
			}

			key, err := ca.PrivateKey(t.Context(), arn)
			if err != nil {
				t.Fatalf("PrivateKey(%s) = %v, want nil error", arn, err)
			}
			pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
			if !ok || !pub.Equal(c.Leaf.PublicKey) {
				t.Errorf("PrivateKey(%s).Public() does not match the leaf's public key", arn)
			}
			switch k := c.Leaf.PublicKey.(type) {
			case *rsa.PublicKey:
				if k.N.BitLen() != tt.rsaBits || tt.rsaBits == 0 {
					t.Errorf("leaf key is RSA %d, want RSA %d / curve %q", k.N.BitLen(), tt.rsaBits, tt.curve)
				}
			case *ecdsa.PublicKey:
				if k.Curve.Params().Name != tt.curve || tt.curve == "" {
					t.Errorf("leaf key is EC %s, want RSA %d / curve %q", k.Curve.Params().Name, tt.rsaBits, tt.curve)
				}
			default:
				t.Errorf("leaf key is %T, want RSA or ECDSA", k)
			}

			leaf := c.Leaf
			if leaf.Subject.CommonName != "www.example.com" || !cmp.Equal(leaf.DNSNames, []string{"www.example.com"}) {
				t.Errorf("leaf names = %q, %q, want www.example.com for both", leaf.Subject.CommonName, leaf.DNSNames)
			}
			if leaf.IsCA || leaf.KeyUsage != tt.keyUsage {
				t.Errorf("leaf IsCA, KeyUsage = %v, %v, want false, %v", leaf.IsCA, leaf.KeyUsage, tt.keyUsage)
			}
			wantEKU := []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth}
			if diff := cmp.Diff(wantEKU, leaf.ExtKeyUsage); diff != "" {
				t.Errorf("leaf ExtKeyUsage mismatch (-want +got):\n%s", diff)
			}
			if leaf.SerialNumber.Sign() <= 0 || leaf.SerialNumber.BitLen() > 129 {
				t.Errorf("leaf SerialNumber = %v, want positive and at most 129 bits", leaf.SerialNumber)
			}
			if len(leaf.AuthorityKeyId) == 0 || !cmp.Equal(leaf.AuthorityKeyId, c.Chain[0].SubjectKeyId) {
				t.Errorf("leaf AuthorityKeyId = %x, want the intermediate's SubjectKeyId %x", leaf.AuthorityKeyId, c.Chain[0].SubjectKeyId)
			}

			for i, cc := range c.Chain {
				if cc.Equal(leaf) {
					t.Errorf("Chain[%d] is the leaf", i)
				}
			}
			inters := x509.NewCertPool()
			inters.AddCert(c.Chain[0])
			_, err = leaf.Verify(x509.VerifyOptions{
				DNSName:       "www.example.com",
				Roots:         ca.Roots(),
				Intermediates: inters,
				KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			})
			if err != nil {
				t.Errorf("leaf.Verify() = %v, want nil", err)
			}
		})
	}
}

func TestIssueInvalid(t *testing.T) {
	tests := []struct {
		name string
		req  memca.Request
		want string // a part of the error
	}{
		{"empty domain", memca.Request{}, "domain name is empty"},
		{"space in domain", memca.Request{DomainName: "www example.com"}, `"www example.com"`},
		{"empty label", memca.Request{DomainName: "www..example.com"}, `"www..example.com"`},
		{"hyphen label", memca.Request{DomainName: "-www.example.com"}, `"-www.example.com"`},
		{"unicode domain", memca.Request{DomainName: "bücher.example"}, `"bücher.example"`},
		{"long domain", memca.Request{DomainName: strings.Repeat("a.", 127) + "com"}, "longer than 253"},
		{"IP address", memca.Request{DomainName: "1.2.3.4"}, "is an IP address"},
		{"RSA 4096", memca.Request{DomainName: "example.com", KeyAlgorithm: "RSA_4096"}, `"RSA_4096"`},
		{"EC secp521r1", memca.Request{DomainName: "example.com", KeyAlgorithm: "EC_secp521r1"}, `"EC_secp521r1"`},
		{"type", memca.Request{DomainName: "example.com", Type: "SELF_SIGNED"}, `"SELF_SIGNED"`},
		{"export", memca.Request{DomainName: "example.com", Export: "MAYBE"}, `"MAYBE"`},
		{"pending import", memca.Request{DomainName: "example.com", Type: acmexport.TypeImported, Pending: true}, "imported"},
	}
	ca := newCA(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arn, err := ca.Issue(t.Context(), tt.req)
			if err == nil || !strings.HasPrefix(err.Error(), "memca: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Issue(%+v) = %q, %v, want an error with %s", tt.req, arn, err, tt.want)
			}
		})
	}
	if got := ca.List(); len(got) != 0 {
		t.Errorf("List() after failed Issue calls = %v, want none", got)
	}
}

func TestIssueTypes(t *testing.T) {
	ca := newCA(t, nil)
	reqs := []memca.Request{
		{DomainName: "private.example.com", KeyAlgorithm: acmexport.ECPrime256v1},
		{DomainName: "private-disabled.example.com", KeyAlgorithm: acmexport.ECPrime256v1, Export: acmexport.ExportDisabled},
		{DomainName: "public.example.com", KeyAlgorithm: acmexport.ECSecp384r1, Type: acmexport.TypeAmazonIssued, Export: acmexport.ExportEnabled},
		{DomainName: "public-plain.example.com", KeyAlgorithm: acmexport.ECPrime256v1, Type: acmexport.TypeAmazonIssued},
		{DomainName: "imported.example.com", KeyAlgorithm: acmexport.ECPrime256v1, Type: acmexport.TypeImported, Export: acmexport.ExportEnabled},
		{DomainName: "*.pending.example.com", KeyAlgorithm: acmexport.ECPrime256v1, Pending: true},
	}
	var want []memca.Summary
	for i, status := range []acmexport.Status{"ISSUED", "ISSUED", "ISSUED", "ISSUED", "ISSUED", "PENDING_VALIDATION"} {
		want = append(want, memca.Summary{
			ARN:          issue(t, ca, reqs[i]),
			DomainName:   reqs[i].DomainName,
			Status:       status,
			KeyAlgorithm: reqs[i].KeyAlgorithm,
		})
	}
	want[0].Type, want[0].Export = acmexport.TypePrivate, ""
	want[1].Type, want[1].Export = acmexport.TypePrivate, acmexport.ExportDisabled
	want[2].Type, want[2].Export = acmexport.TypeAmazonIssued, acmexport.ExportEnabled
	want[3].Type, want[3].Export = acmexport.TypeAmazonIssued, ""
	want[4].Type, want[4].Export = acmexport.TypeImported, acmexport.ExportDisabled
	want[5].Type, want[5].Export = acmexport.TypePrivate, ""

	if diff := cmp.Diff(want, ca.List()); diff != "" {
		t.Errorf("List() mismatch (-want +got):\n%s", diff)
	}
	for _, s := range want {
		c := lookup(t, ca, s.ARN)
		got := memca.Summary{ARN: s.ARN, DomainName: s.DomainName, Status: c.Status, Type: c.Type, KeyAlgorithm: c.KeyAlgorithm, Export: c.Export}
		if diff := cmp.Diff(s, got); diff != "" {
			t.Errorf("Certificate(%s) mismatch (-want +got):\n%s", s.ARN, diff)
		}
	}
}

func TestPendingComplete(t *testing.T) {
	ca := newCA(t, nil)
	req := memca.Request{DomainName: "pending.example.com", KeyAlgorithm: acmexport.ECSecp384r1, Pending: true}
	arn := issue(t, ca, req)

	c := lookup(t, ca, arn)
	want := &acmexport.Certificate{Status: acmexport.StatusPendingValidation, Type: acmexport.TypePrivate, KeyAlgorithm: acmexport.ECSecp384r1}
	if diff := cmp.Diff(want, c, certEqual); diff != "" {
		t.Errorf("Certificate(%s) while pending mismatch (-want +got):\n%s", arn, diff)
	}
	var inProgress *acmexport.RequestInProgressException
	if key, err := ca.PrivateKey(t.Context(), arn); !errors.As(err, &inProgress) || !strings.Contains(err.Error(), arn) {
		t.Errorf("PrivateKey(%s) while pending = %v, %v, want a *RequestInProgressException naming the ARN", arn, key, err)
	}

	if err := ca.Complete(arn); err != nil {
		t.Fatalf("Complete(%s) = %v, want nil", arn, err)
	}
	c = lookup(t, ca, arn)
	if c.Status != acmexport.StatusIssued || c.Leaf == nil || len(c.Chain) != 2 {
		t.Fatalf("Certificate(%s) after Complete = %s, leaf %v, %d in chain; want ISSUED, a leaf, 2", arn, c.Status, c.Leaf != nil, len(c.Chain))
	}
	if c.Leaf.Subject.CommonName != req.DomainName {
		t.Errorf("leaf CommonName = %q, want %q", c.Leaf.Subject.CommonName, req.DomainName)
	}
	key, err := ca.PrivateKey(t.Context(), arn)
	if err != nil {
		t.Fatalf("PrivateKey(%s) after Complete = %v, want nil error", arn, err)
	}
	if !key.Public().(*ecdsa.PublicKey).Equal(c.Leaf.PublicKey) {
		t.Errorf("PrivateKey(%s) does not match the leaf issued by Complete", arn)
	}

	if err := ca.Complete(arn); err == nil || !strings.Contains(err.Error(), "not pending") {
		t.Errorf("Complete(%s) a second time = %v, want a not-pending error", arn, err)
	}
}

func TestARNErrors(t *testing.T) {
	ca := newCA(t, nil)
	arn := issue(t, ca, memca.Request{DomainName: "example.com", KeyAlgorithm: acmexport.ECPrime256v1})
	id := arn[strings.LastIndex(arn, "/")+1:]

	const unknown = "arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-4000-8000-000000000000"
	tests := []struct {
		name    string
		arn     string
		invalid bool // else not found
	}{
		{"partition", "arn:aws-cn:acm:us-east-1:111122223333:certificate/" + id, true},
		{"region", "arn:aws:acm:eu-west-1:111122223333:certificate/" + id, true},
		{"account", "arn:aws:acm:us-east-1:444455556666:certificate/" + id, true},
		{"service", "arn:aws:iam:us-east-1:111122223333:certificate/" + id, true},
		{"resource type", "arn:aws:acm:us-east-1:111122223333:private-key/" + id, true},
		{"no id", "arn:aws:acm:us-east-1:111122223333:certificate/", true},
		{"nested id", "arn:aws:acm:us-east-1:111122223333:certificate/" + id + "/x", true},
		{"bare id", "arn:aws:acm:us-east-1:111122223333:" + id, true},
		{"five fields", "arn:aws:acm:us-east-1:certificate/" + id, true},
		{"not an arn", "certificate/" + id, true},
		{"empty", "", true},
		{"unknown id", unknown, false},
		{"id case", "arn:aws:acm:us-east-1:111122223333:certificate/" + strings.ToUpper(id), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			check := func(method string, err error) {
				t.Helper()
				var (
					invalid  *acmexport.InvalidArnException
					notFound *acmexport.ResourceNotFoundException
					msg      string
				)
				switch {
				case tt.invalid && errors.As(err, &invalid):
					msg = invalid.Message
				case !tt.invalid && errors.As(err, &notFound):
					msg = notFound.Message
				case tt.invalid:
					t.Errorf("%s(%q) = %v, want an *acmexport.InvalidArnException", method, tt.arn, err)
					return
				default:
					t.Errorf("%s(%q) = %v, want an *acmexport.ResourceNotFoundException", method, tt.arn, err)
					return
				}
				if !strings.Contains(msg, tt.arn) {
					t.Errorf("%s(%q) message = %q, want it to name the ARN", method, tt.arn, msg)
				}
			}
			c, err := ca.Certificate(t.Context(), tt.arn)
			if c != nil {
				t.Errorf("Certificate(%s) = %v, want nil", tt.arn, c)
			}
			check("Certificate", err)
			k, err := ca.PrivateKey(t.Context(), tt.arn)
			if k != nil {
				t.Errorf("PrivateKey(%s) = %v, want nil", tt.arn, k)
			}
			check("PrivateKey", err)
			check("Complete", ca.Complete(tt.arn))
		})
	}

	// The message of a plain miss is stable.
	_, err := ca.Certificate(t.Context(), unknown)
	want := &acmexport.ResourceNotFoundException{Message: "could not find certificate " + unknown}
	var got *acmexport.ResourceNotFoundException
	if !errors.As(err, &got) || *got != *want {
		t.Errorf("Certificate(%s) = %v, want %v", unknown, err, want)
	}
}

func TestCertificateIsCopy(t *testing.T) {
	ca := newCA(t, nil)
	arn := issue(t, ca, memca.Request{DomainName: "example.com", KeyAlgorithm: acmexport.ECPrime256v1})
	want := lookup(t, ca, arn)
	// The bytes of want, which a shared certificate would also change.
	wantDER := [][]byte{bytes.Clone(want.Leaf.Raw), bytes.Clone(want.Chain[0].Raw), bytes.Clone(want.Chain[1].Raw)}

	got := lookup(t, ca, arn)
	got.Status = acmexport.StatusRevoked
	got.Export = acmexport.ExportEnabled
	got.Leaf.Raw[len(got.Leaf.Raw)-1] ^= 0xff
	got.Leaf.DNSNames[0] = "evil.example"
	got.Chain[0].Raw[len(got.Chain[0].Raw)-1] ^= 0xff
	got.Chain[1] = got.Leaf
	got.Chain = append(got.Chain, got.Leaf)

	again := lookup(t, ca, arn)
	if diff := cmp.Diff(want, again, certEqual); diff != "" {
		t.Errorf("Certificate(%s) after changing an earlier result mismatch (-want +got):\n%s", arn, diff)
	}
	againDER := [][]byte{again.Leaf.Raw, again.Chain[0].Raw, again.Chain[1].Raw}
	if diff := cmp.Diff(wantDER, againDER); diff != "" {
		t.Errorf("Certificate(%s) DER after changing an earlier result mismatch (-want +got):\n%s", arn, diff)
	}
	if got := again.Leaf.DNSNames; !cmp.Equal(got, []string{"example.com"}) {
		t.Errorf("Certificate(%s).Leaf.DNSNames = %q after changing an earlier result", arn, got)
	}

	root := ca.Root()
	root.Raw[len(root.Raw)-1] ^= 0xff
	if ca.Root().Equal(root) {
		t.Errorf("Root() changed through an earlier result")
	}

	key, err := ca.PrivateKey(t.Context(), arn)
	if err != nil {
		t.Fatal(err)
	}
	key.(*ecdsa.PrivateKey).D.SetInt64(1)
	key2, err := ca.PrivateKey(t.Context(), arn)
	if err != nil {
		t.Fatal(err)
	}
	if key2.(*ecdsa.PrivateKey).D.Int64() == 1 {
		t.Errorf("PrivateKey(%s) changed through an earlier result", arn)
	}
}

func TestNow(t *testing.T) {
	now := time.Date(2031, time.March, 4, 5, 6, 7, 0, time.UTC)
	ca := newCA(t, &memca.Config{Now: func() time.Time { return now }})
	c := lookup(t, ca, issue(t, ca, memca.Request{DomainName: "example.com", KeyAlgorithm: acmexport.ECPrime256v1}))

	type validity struct{ NotBefore, NotAfter time.Time }
	want := validity{now.Add(-time.Hour), now.AddDate(0, 0, 395)}
	if diff := cmp.Diff(want, validity{c.Leaf.NotBefore, c.Leaf.NotAfter}); diff != "" {
		t.Errorf("leaf validity mismatch (-want +got):\n%s", diff)
	}
	for i, cc := range c.Chain {
		if !cc.NotBefore.Equal(now.Add(-time.Hour)) || !cc.NotAfter.After(c.Leaf.NotAfter) {
			t.Errorf("Chain[%d] validity = %v..%v, want from %v to after the leaf's end", i, cc.NotBefore, cc.NotAfter, now.Add(-time.Hour))
		}
	}

	inters := x509.NewCertPool()
	inters.AddCert(c.Chain[0])
	opts := x509.VerifyOptions{Roots: ca.Roots(), Intermediates: inters, CurrentTime: now}
	if _, err := c.Leaf.Verify(opts); err != nil {
		t.Errorf("leaf.Verify(at Now) = %v, want nil", err)
	}
	opts.CurrentTime = now.AddDate(0, 0, 396)
	if _, err := c.Leaf.Verify(opts); err == nil {
		t.Errorf("leaf.Verify(396 days after Now) = nil, want an expiry error")
	}
}

func TestContextCanceled(t *testing.T) {
	ca := newCA(t, nil)
	arn := issue(t, ca, memca.Request{DomainName: "example.com", KeyAlgorithm: acmexport.ECPrime256v1})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	if got, err := ca.Issue(ctx, memca.Request{DomainName: "example.com"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Issue(cancelled) = %q, %v, want %v", got, err, context.Canceled)
	}
	if got, err := ca.Certificate(ctx, arn); !errors.Is(err, context.Canceled) {
		t.Errorf("Certificate(cancelled, %s) = %v, %v, want %v", arn, got, err, context.Canceled)
	}
	if got, err := ca.PrivateKey(ctx, arn); !errors.Is(err, context.Canceled) {
		t.Errorf("PrivateKey(cancelled, %s) = %v, %v, want %v", arn, got, err, context.Canceled)
	}
	if got := len(ca.List()); got != 1 {
		t.Errorf("len(List()) after a cancelled Issue = %d, want 1", got)
	}
}

func TestConcurrent(t *testing.T) {
	ca := newCA(t, nil)
	first := issue(t, ca, memca.Request{DomainName: "example.com", KeyAlgorithm: acmexport.ECPrime256v1, Pending: true})

	const n = 8
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			req := memca.Request{DomainName: "example.com", KeyAlgorithm: acmexport.ECPrime256v1, Pending: i%2 == 0}
			arn, err := ca.Issue(t.Context(), req)
			if err != nil {
				t.Errorf("Issue(%+v) = %v", req, err)
				return
			}
			if _, err := ca.Certificate(t.Context(), arn); err != nil {
				t.Errorf("Certificate(%s) = %v", arn, err)
			}
			if req.Pending {
				if err := ca.Complete(arn); err != nil {
					t.Errorf("Complete(%s) = %v", arn, err)
				}
			}
		})
		// Readers race the writers; first may or may not be issued yet.
		wg.Go(func() {
			ca.List()
			ca.Certificate(t.Context(), first)
			ca.PrivateKey(t.Context(), first)
		})
	}
	wg.Go(func() { ca.Complete(first) })
	wg.Wait()

	list := ca.List()
	if len(list) != n+1 {
		t.Fatalf("len(List()) = %d, want %d", len(list), n+1)
	}
	for _, s := range list {
		if s.Status != acmexport.StatusIssued {
			t.Errorf("List() has %s %s, want ISSUED", s.ARN, s.Status)
		}
	}
}

// TestDeterministic checks what the package doc promises: with a fixed
// global random source and clock, two CAs make the same chain and ARNs.
func TestDeterministic(t *testing.T) {
	now := time.Date(2030, time.January, 1, 0, 0, 0, 0, time.UTC)
	run := func() (root []byte, arn string, leaf []byte) {
		cryptotest.SetGlobalRandom(t, 42)
		ca := newCA(t, &memca.Config{Now: func() time.Time { return now }})
		arn = issue(t, ca, memca.Request{DomainName: "example.com", KeyAlgorithm: acmexport.ECPrime256v1})
		return ca.Root().Raw, arn, lookup(t, ca, arn).Leaf.Raw
	}
	root1, arn1, leaf1 := run()
	root2, arn2, leaf2 := run()
	if !cmp.Equal(root1, root2) || arn1 != arn2 || !cmp.Equal(leaf1, leaf2) {
		t.Errorf("two runs under SetGlobalRandom(42) differ: ARNs %s and %s", arn1, arn2)
	}
}
