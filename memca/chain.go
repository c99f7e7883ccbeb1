package memca

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"fmt"
	"math/big"
	"time"
)

// Subject names of the CA's own certificates.
const (
	organization     = "acmexport memca"
	rootName         = "acmexport memca Root CA"
	intermediateName = "acmexport memca Intermediate CA"
)

// Validity periods. Every certificate starts backdate before it is made,
// so that a verifier whose clock is a little behind accepts it.
const (
	backdate             = time.Hour
	rootLifetime         = 10 * 365 * 24 * time.Hour
	intermediateLifetime = 5 * 365 * 24 * time.Hour
	leafLifetime         = 395 * 24 * time.Hour
)

// makeChain makes the CA's root and intermediate.
func (ca *CA) makeChain() error {
	now := ca.now()

	rootKey, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return fmt.Errorf("memca: generating the root key: %w", err)
	}
	root, err := sign(&x509.Certificate{
		Subject:               pkix.Name{Organization: []string{organization}, CommonName: rootName},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(rootLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            1,
	}, nil, rootKey.Public(), rootKey)
	if err != nil {
		return fmt.Errorf("memca: making the root: %w", err)
	}

	interKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("memca: generating the intermediate key: %w", err)
	}
	inter, err := sign(&x509.Certificate{
		Subject:               pkix.Name{Organization: []string{organization}, CommonName: intermediateName},
		NotBefore:             now.Add(-backdate),
		NotAfter:              now.Add(intermediateLifetime),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
	}, root, interKey.Public(), rootKey)
	if err != nil {
		return fmt.Errorf("memca: making the intermediate: %w", err)
	}

	ca.root, ca.inter, ca.interKey = root, inter, interKey
	return nil
}

// sign gives template a random serial number, signs it with parentKey as
// parent (self-signed if parent is nil) and returns the parsed result.
func sign(template, parent *x509.Certificate, pub crypto.PublicKey, parentKey crypto.Signer) (*x509.Certificate, error) {
	serial, err := serialNumber()
	if err != nil {
		return nil, err
	}
	template.SerialNumber = serial
	if parent == nil {
		parent = template
	}

	der, err := x509.CreateCertificate(rand.Reader, template, parent, pub, parentKey)
	if err != nil {
		return nil, err
	}
	return x509.ParseCertificate(der)
}

// serialLimit bounds serial numbers: 128 random bits, well inside the 20
// octets RFC 5280 allows.
var serialLimit = new(big.Int).Lsh(big.NewInt(1), 128)

// serialNumber returns a random serial number in [1, 2^128].
func serialNumber() (*big.Int, error) {
	n, err := rand.Int(rand.Reader, serialLimit)
	if err != nil {
		return nil, fmt.Errorf("memca: generating a serial number: %w", err)
	}
	// Serial numbers must be positive; zero is not.
	return n.Add(n, big.NewInt(1)), nil
}
