package memca

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"fmt"
	"net"
	"strings"

	"github.com/acmexport/acmexport"
	"github.com/google/uuid"
)

// A Request asks a CA for a certificate.
type Request struct {
	// DomainName is the leaf's one DNS name, both its subject alternative
	// name and its common name. It is required; a leading "*." asks for a
	// wildcard.
	DomainName string

	// KeyAlgorithm is the algorithm of the certificate's key pair. The zero
	// value means acmexport.RSA2048.
	KeyAlgorithm acmexport.KeyAlgorithm

	// Type is recorded as the certificate's type. The zero value means
	// acmexport.TypePrivate. An imported certificate is issued by the same
	// chain as any other, and always records acmexport.ExportDisabled.
	Type acmexport.Type

	// Export is recorded as the certificate's export option, as given. The
	// zero value means not stated.
	Export acmexport.ExportOption

	// Pending asks for a certificate that stays pending validation, with no
	// leaf, until CA.Complete issues it. An imported certificate cannot be
	// pending.
	Pending bool
}

// Issue makes a certificate as req asks and returns its ARN. The key pair is
// made at once; the leaf is signed by the intermediate at once unless
// req.Pending is set, in which case the certificate is pending validation
// until Complete is called.
//
// Issue returns a plain error if req is not valid: an empty or malformed
// DomainName, or a KeyAlgorithm, Type or Export this package does not know.
// It returns ctx.Err() if ctx is done before the certificate is stored, and
// then stores nothing.
func (ca *CA) Issue(ctx context.Context, req Request) (arn string, err error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	req, err = req.normalize()
	if err != nil {
		return "", err
	}

	key, err := generateKey(req.KeyAlgorithm)
	if err != nil {
		return "", err
	}
	id, err := uuid.NewRandom()
	if err != nil {
		return "", fmt.Errorf("memca: making a certificate ID: %w", err)
	}
	e := &entry{
		arn:          fmt.Sprintf("arn:%s:acm:%s:%s:certificate/%s", ca.partition, ca.region, ca.account, id),
		domainName:   req.DomainName,
		typ:          req.Type,
		export:       req.Export,
		keyAlgorithm: req.KeyAlgorithm,
		key:          key,
	}
	if !req.Pending {
		if e.leaf, err = ca.signLeaf(e.domainName, key); err != nil {
			return "", err
		}
	}

	// An RSA key takes a while; a caller that gave up meanwhile gets nothing.
	if err := ctx.Err(); err != nil {
		return "", err
	}
	ca.mu.Lock()
	defer ca.mu.Unlock()
	ca.certs[id.String()] = e
	ca.order = append(ca.order, id.String())
	return e.arn, nil
}

// Complete issues the pending certificate named by arn: it signs its leaf
// and makes it acmexport.StatusIssued.
//
// Complete returns an *acmexport.InvalidArnException if arn cannot name a
// certificate of this CA, an *acmexport.ResourceNotFoundException if the CA
// has no such certificate, and a plain error if the certificate is not
// pending validation.
func (ca *CA) Complete(arn string) error {
	ca.mu.Lock()
	defer ca.mu.Unlock()

	e, err := ca.find(arn)
	if err != nil {
		return err
	}
	if e.leaf != nil {
		return fmt.Errorf("memca: certificate %s is not pending validation", arn)
	}

	leaf, err := ca.signLeaf(e.domainName, e.key)
	if err != nil {
		return err
	}
	e.leaf = leaf
	return nil
}

// normalize returns req with its defaults filled in, or an error that says
// what is wrong with it.
func (req Request) normalize() (Request, error) {
	if req.KeyAlgorithm == "" {
		req.KeyAlgorithm = acmexport.RSA2048
	}
	if req.Type == "" {
		req.Type = acmexport.TypePrivate
	}
	if err := checkDomainName(req.DomainName); err != nil {
		return req, err
	}

	switch req.Type {
	case acmexport.TypePrivate, acmexport.TypeAmazonIssued:
	case acmexport.TypeImported:
		if req.Pending {
			return req, errors.New("memca: an imported certificate cannot be pending")
		}
		req.Export = acmexport.ExportDisabled
	default:
		return req, fmt.Errorf("memca: unknown certificate type %q", req.Type)
	}

	switch req.Export {
	case "", acmexport.ExportEnabled, acmexport.ExportDisabled:
	default:
		return req, fmt.Errorf("memca: unknown export option %q", req.Export)
	}
	return req, nil
}

// checkDomainName returns an error unless name is a DNS name, or a wildcard
// one, that a leaf can carry: dot-separated labels of 1 to 63 ASCII letters,
// digits and inner hyphens, 253 characters in all.
func checkDomainName(name string) error {
	if name == "" {
		return errors.New("memca: the domain name is empty")
	}
	if len(name) > 253 {
		return fmt.Errorf("memca: domain name %q is longer than 253 characters", name)
	}
	if net.ParseIP(name) != nil {
		return fmt.Errorf("memca: %q is an IP address, not a domain name", name)
	}

	for _, label := range strings.Split(strings.TrimPrefix(name, "*."), ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("memca: domain name %q has a label that is empty or longer than 63 characters", name)
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("memca: domain name %q has a label that starts or ends with a hyphen", name)
		}
		for _, c := range []byte(label) {
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-') {
				return fmt.Errorf("memca: domain name %q has a character other than a letter, digit, hyphen or dot", name)
			}
		}
	}
	return nil
}

// generateKey returns a new key pair of algorithm alg.
func generateKey(alg acmexport.KeyAlgorithm) (crypto.Signer, error) {
	var (
		key crypto.Signer
		err error
	)
	switch alg {
	case acmexport.RSA2048:
		key, err = rsa.GenerateKey(rand.Reader, 2048)
	case acmexport.ECPrime256v1:
		key, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case acmexport.ECSecp384r1:
		key, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	default:
		return nil, fmt.Errorf("memca: unsupported key algorithm %q", alg)
	}
	if err != nil {
		return nil, fmt.Errorf("memca: generating a %s key: %w", alg, err)
	}
	return key, nil
}

// signLeaf returns a leaf for domainName and key, signed by the
// intermediate.
func (ca *CA) signLeaf(domainName string, key crypto.Signer) (*x509.Certificate, error) {
	now := ca.now()
	notAfter := now.Add(leafLifetime)
	// A leaf must not outlive its issuer.
	if notAfter.After(ca.inter.NotAfter) {
		notAfter = ca.inter.NotAfter
	}

	usage := x509.KeyUsageDigitalSignature
	if _, ok := key.(*rsa.PrivateKey); ok {
		// RSA key exchange in TLS 1.2 encrypts to the certificate's key.
		usage |= x509.KeyUsageKeyEncipherment
	}

	leaf, err := sign(&x509.Certificate{
		Subject:               pkix.Name{CommonName: domainName},
		DNSNames:              []string{domainName},
		NotBefore:             now.Add(-backdate),
		NotAfter:              notAfter,
		KeyUsage:              usage,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}, ca.inter, key.Public(), ca.interKey)
	if err != nil {
		return nil, fmt.Errorf("memca: signing the leaf for %q: %w", domainName, err)
	}
	return leaf, nil
}
