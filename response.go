package acmexport

import (
	"fmt"
	"strings"
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
		// A text has no more characters than bytes, so only one longer
		// in bytes than the limit needs counting.
		if len(f.text) > f.max {
			if n := utf8.RuneCountInString(f.text); n > f.max {
				return fmt.Errorf("acmexport: response %s is %d characters, more than %d", f.name, n, f.max)
			}
		}
		first, err := checkCanonicalPEM(f.text, f.label, f.blocks)
		if err != nil {
			return fmt.Errorf("acmexport: response %s: %w", f.name, err)
		}
		if f.label == LabelEncryptedPrivateKey && !pbes2.IsEncrypted(first) {
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

	// What encoding/json writes for the three strings, without its
	// reflection: Check has made sure that they hold nothing JSON escapes
	// but LF.
	b := make([]byte, 0, len(`{"Certificate":"","CertificateChain":"","PrivateKey":""}`)+
		jsonLen(r.Certificate)+jsonLen(r.CertificateChain)+jsonLen(r.PrivateKey))
	b = append(b, `{"Certificate":"`...)
	b = appendJSONText(b, r.Certificate)
	b = append(b, `","CertificateChain":"`...)
	b = appendJSONText(b, r.CertificateChain)
	b = append(b, `","PrivateKey":"`...)
	b = appendJSONText(b, r.PrivateKey)
	b = append(b, `"}`...)
	return b, nil
}

// jsonLen is the length of s in JSON, quotes aside, if it holds nothing to
// escape but LF.
func jsonLen(s string) int {
	return len(s) + strings.Count(s, "\n")
}

// appendJSONText appends s to b as the inside of a JSON string, for text
// that Check accepted: base64, armor lines and LF.
func appendJSONText(b []byte, s string) []byte {
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return append(b, s...)
		}
		b = append(b, s[:i]...)
		b = append(b, `\n`...)
		s = s[i+1:]
	}
}
