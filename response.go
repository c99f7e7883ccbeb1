package acmexport

import (
	"encoding/json"
	"fmt"
	"unicode/utf8"

	"github.com/acmexport/acmexport/internal/pbes2"
)

// The length limits of the response members, from the service model, in
// characters.
const (
	MaxCertificateLength      = 32768
	MaxCertificateChainLength = 2097152
	MaxPrivateKeyLength       = 524288
)

// A Response is the output of ExportCertificate: three PEM texts.
type Response struct {
	// Certificate is the exported certificate, one CERTIFICATE block.
	Certificate string

	// CertificateChain holds the certificates that issued Certificate, one
	// CERTIFICATE block each, the issuing CA first and the root last.
	CertificateChain string

	// PrivateKey is the certificate's private key as a PKCS#8
	// EncryptedPrivateKeyInfo, one ENCRYPTED PRIVATE KEY block.
	PrivateKey string
}

// Check reports whether r is a response the operation may send: each field
// within its length limit and in the canonical form EncodePEM writes, with
// the right label and number of blocks, and the key an encrypted PKCS#8
// structure. A failure is a bug of whoever built r, never of the client;
// the error says which field and rule, and quotes none of it.
func (r *Response) Check() error {
	fields := []struct {
		name, text, label string
		max, blocks       int
	}{
		{"Certificate", r.Certificate, LabelCertificate, MaxCertificateLength, 1},
		{"CertificateChain", r.CertificateChain, LabelCertificate, MaxCertificateChainLength, -1},
		{"PrivateKey", r.PrivateKey, LabelEncryptedPrivateKey, MaxPrivateKeyLength, 1},
	}
	for _, f := range fields {
		// Every valid field is ASCII, so its length in bytes is its
		// length in characters.
		if n := utf8.RuneCountInString(f.text); n > f.max {
			return fmt.Errorf("acmexport: response %s is %d characters, more than %d", f.name, n, f.max)
		}
		blocks, err := checkCanonicalPEM(f.text, f.label, f.blocks)
		if err != nil {
			return fmt.Errorf("acmexport: response %s: %w", f.name, err)
		}
		if f.label == LabelEncryptedPrivateKey && !pbes2.IsEncrypted(blocks[0]) {
			return fmt.Errorf("acmexport: response %s is not a PBES2-encrypted PKCS#8 key", f.name)
		}
	}
	return nil
}

// MarshalJSON checks r with Check and encodes it as the operation's JSON
// body. It refuses, with Check's error, a response that breaks a rule.
func (r Response) MarshalJSON() ([]byte, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	type wire Response
	return json.Marshal(wire(r))
}
