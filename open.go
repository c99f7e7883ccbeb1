package acmexport

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/acmexport/acmexport/internal/pbes2"
)

// The default limits of OpenConfig. Each bounds a derivation to about a
// second or two of one core.
const (
	DefaultMaxScryptN      = 1 << 20
	DefaultMaxScryptMemory = 64 << 20
	DefaultMaxScryptWork   = 1 << 22
)

// OpenConfig changes how Open and DecryptKey read what ExportCertificate
// returned. The zero value, and a nil *OpenConfig, is the default.
type OpenConfig struct {
	// MaxIterations caps the PBKDF2 iteration count a key may ask for.
	// Zero means MaxIterations, the most Export writes.
	MaxIterations int

	// MaxScryptN caps scrypt's cost parameter N. Zero means
	// DefaultMaxScryptN.
	MaxScryptN int

	// MaxScryptMemory caps the bytes scrypt allocates, 128·r·(N+p). Zero
	// means DefaultMaxScryptMemory.
	MaxScryptMemory int64

	// MaxScryptWork caps N·r·p, to which scrypt's time is proportional.
	// Zero means DefaultMaxScryptWork, sixteen times what OpenSSL's
	// default scrypt parameters ask.
	MaxScryptWork int64

	// Roots, if set, are the CAs the chain must verify to. If nil, Open
	// checks only that the chain is in order: each certificate issued by
	// the next.
	Roots *x509.CertPool

	// Now is the time the chain is verified at, with Roots. Nil means
	// time.Now.
	Now func() time.Time
}

func (c *OpenConfig) limits() pbes2.Limits {
	var cfg OpenConfig
	if c != nil {
		cfg = *c
	}
	lim := pbes2.Limits{
		MaxIterations:   cfg.MaxIterations,
		MaxScryptN:      cfg.MaxScryptN,
		MaxScryptMemory: cfg.MaxScryptMemory,
		MaxScryptWork:   cfg.MaxScryptWork,
	}
	if lim.MaxIterations <= 0 {
		lim.MaxIterations = MaxIterations
	}
	if lim.MaxScryptN <= 0 {
		lim.MaxScryptN = DefaultMaxScryptN
	}
	if lim.MaxScryptMemory <= 0 {
		lim.MaxScryptMemory = DefaultMaxScryptMemory
	}
	if lim.MaxScryptWork <= 0 {
		lim.MaxScryptWork = DefaultMaxScryptWork
	}
	return lim
}

// ErrIncorrectPassphrase is returned, wrapped, when the passphrase does not
// open the key.
var ErrIncorrectPassphrase = errors.New("acmexport: incorrect passphrase")

// ErrKeyMismatch is returned when the private key is not the certificate's.
var ErrKeyMismatch = errors.New("acmexport: the private key does not match the certificate")

// An UnsupportedError reports a key encrypted in a way this package does not
// decrypt, or a key of a type it does not use.
type UnsupportedError struct {
	// What names the algorithm or parameter, with its object identifier.
	What string
}

func (e *UnsupportedError) Error() string { return "acmexport: unsupported: " + e.What }

// A LimitError reports a key whose key derivation asks for more work than
// OpenConfig allows. Nothing was derived.
type LimitError struct {
	Reason string
}

func (e *LimitError) Error() string { return "acmexport: key encryption over the limit: " + e.Reason }

// A MalformedError reports a field that is not the PEM or DER it should be.
type MalformedError struct {
	// Field is the response field: "Certificate", "CertificateChain" or
	// "PrivateKey".
	Field string
	// Reason says what was found, such as the PEM block type.
	Reason string
	// Err is the underlying error, often a *PEMError, or nil.
	Err error
}

func (e *MalformedError) Error() string { return "acmexport: malformed " + e.Field + ": " + e.Reason }
func (e *MalformedError) Unwrap() error { return e.Err }

// A ChainError reports a certificate chain that is out of order or does not
// verify.
type ChainError struct {
	Reason string
	// Err is the underlying error, such as an x509.UnknownAuthorityError,
	// or nil.
	Err error
}

func (e *ChainError) Error() string { return "acmexport: certificate chain: " + e.Reason }
func (e *ChainError) Unwrap() error { return e.Err }

// A Bundle is an exported certificate opened for use.
type Bundle struct {
	// Key is the decrypted private key: an *rsa.PrivateKey, an
	// *ecdsa.PrivateKey or an ed25519.PrivateKey.
	Key crypto.Signer
	// Leaf is the exported certificate.
	Leaf *x509.Certificate
	// Chain is the issuer chain, issuing CA first, as it was sent.
	Chain []*x509.Certificate
	// TLS holds Leaf, Chain but for a self-signed root at its end, and
	// Key, ready for tls.Config.Certificates.
	TLS tls.Certificate
}

// Open reads what ExportCertificate returned, from ACM or any service that
// answers as it does, and decrypts the key with passphrase, byte for byte
// as it was sent. For the output of the AWS SDK for Go, fill resp with
// aws.ToString of its three fields. cfg may be nil.
//
// Open checks that the key is the certificate's (ErrKeyMismatch) and that
// each certificate of the chain issued the one before it, and, with
// cfg.Roots, that the chain verifies (*ChainError). It reads the fields as
// tolerantly as real services need: LF or CRLF line ends, with or without a
// final line break, surrounding white space, blocks glued together without
// a line break; anything else is a *MalformedError that names what it
// found. The key's scheme is read from the key, as DecryptKey says.
//
// Open returns a whole Bundle or an error, never both. No error holds the
// passphrase.
func Open(resp *Response, passphrase []byte, cfg *OpenConfig) (*Bundle, error) {
	if resp == nil {
		resp = new(Response) // every field empty
	}
	certs, err := readCertificates("Certificate", resp.Certificate)
	if err != nil {
		return nil, err
	}
	leaf, chain := certs[0], certs[1:]
	if strings.TrimSpace(resp.CertificateChain) != "" {
		if len(chain) > 0 {
			return nil, &MalformedError{Field: "Certificate", Reason: fmt.Sprintf("%d certificates, and CertificateChain holds the chain", len(certs))}
		}
		if chain, err = readCertificates("CertificateChain", resp.CertificateChain); err != nil {
			return nil, err
		}
	}
	if err := checkChain(leaf, chain, cfg); err != nil {
		return nil, err
	}

	key, err := DecryptKey(resp.PrivateKey, passphrase, cfg)
	if err != nil {
		return nil, err
	}
	if err := checkKeyMatches(leaf, key); err != nil {
		return nil, ErrKeyMismatch
	}

	b := &Bundle{Key: key, Leaf: leaf, Chain: chain}
	b.TLS = tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key, Leaf: leaf}
	for i, c := range chain {
		if i == len(chain)-1 && bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignatureFrom(c) == nil {
			break // a TLS peer has its own copy of the root
		}
		b.TLS.Certificate = append(b.TLS.Certificate, c.Raw)
	}
	return b, nil
}

// DecryptKey decrypts one ENCRYPTED PRIVATE KEY PEM block, a PKCS#8
// EncryptedPrivateKeyInfo, with passphrase, used byte for byte.
//
// It reads the scheme from the key: PBES2 with PBKDF2 (HMAC-SHA1, implied
// when the PRF element is absent, or HMAC-SHA256) or scrypt, and
// AES-128/192/256-CBC or DES-EDE3-CBC. Work factors (PBKDF2's iteration
// count, scrypt's N, memory and N·r·p) are checked against cfg's limits
// before any key derivation runs.
//
// The errors are distinct: ErrIncorrectPassphrase (wrapped) for a
// passphrase that does not open the key; *UnsupportedError for any other
// scheme, or for a key of an algorithm Go does not parse; *LimitError for
// a work factor over the limit; *MalformedError for text that is not one
// ENCRYPTED PRIVATE KEY block, naming what it is instead (an unencrypted
// PRIVATE KEY, a legacy "Proc-Type: 4,ENCRYPTED" key, DER). cfg may be
// nil. The derived key and the decrypted PKCS#8 are erased before
// DecryptKey returns.
func DecryptKey(privateKey string, passphrase []byte, cfg *OpenConfig) (crypto.Signer, error) {
	const field = "PrivateKey"
	blocks, err := readPEM(field, privateKey, LabelEncryptedPrivateKey)
	if err != nil {
		return nil, err
	}
	if len(blocks) != 1 {
		return nil, &MalformedError{Field: field, Reason: fmt.Sprintf("%d ENCRYPTED PRIVATE KEY blocks, want 1", len(blocks))}
	}

	key, err := pbes2.Decrypt(blocks[0], passphrase, cfg.limits())
	var perr *pbes2.Error
	if errors.As(err, &perr) {
		switch perr.Kind {
		case pbes2.Incorrect:
			return nil, fmt.Errorf("%w: %s", ErrIncorrectPassphrase, perr.Msg)
		case pbes2.Unsupported:
			return nil, &UnsupportedError{What: perr.Msg}
		case pbes2.TooCostly:
			return nil, &LimitError{Reason: perr.Msg}
		default:
			return nil, &MalformedError{Field: field, Reason: perr.Msg}
		}
	}
	if err != nil {
		return nil, &MalformedError{Field: field, Reason: "undecodable key", Err: err}
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, &UnsupportedError{What: fmt.Sprintf("a %T key, which cannot sign", key)}
	}
	return signer, nil
}

// readCertificates reads a field of one or more CERTIFICATE blocks.
func readCertificates(field, text string) ([]*x509.Certificate, error) {
	blocks, err := readPEM(field, text, LabelCertificate)
	if err != nil {
		return nil, err
	}
	certs := make([]*x509.Certificate, len(blocks))
	for i, der := range blocks {
		if certs[i], err = x509.ParseCertificate(der); err != nil {
			return nil, &MalformedError{Field: field, Reason: fmt.Sprintf("certificate %d does not parse", i+1), Err: err}
		}
	}
	return certs, nil
}

// readPEM reads a field with the tolerance real services need, then
// strictly: whatever DecodePEM still refuses is a *MalformedError that says
// what the text holds instead.
func readPEM(field, text, label string) ([][]byte, error) {
	t := strings.TrimSpace(strings.ReplaceAll(text, "\r\n", "\n"))
	t = strings.ReplaceAll(t, "-----END "+label+"----------BEGIN ", "-----END "+label+"-----\n-----BEGIN ")
	blocks, err := DecodePEM(t, label)
	if err == nil {
		return blocks, nil
	}
	return nil, &MalformedError{Field: field, Reason: describe(t, label, err), Err: err}
}

// describe says what a text that is not PEM of label holds instead.
func describe(text, label string, err error) string {
	if text == "" {
		return "empty"
	}
	if text[0] == 0x30 {
		return "binary DER, want PEM text"
	}
	reason := err.Error()
	var pe *PEMError
	if errors.As(err, &pe) {
		reason = fmt.Sprintf("line %d: %s", pe.Line, pe.Reason)
	}
	block, _ := pem.Decode([]byte(text))
	switch {
	case block == nil:
		return reason
	case block.Headers["Proc-Type"] != "":
		return fmt.Sprintf("a legacy %q block with Proc-Type %q, want %s: convert it with openssl pkcs8 -topk8", block.Type, block.Headers["Proc-Type"], label)
	case block.Type == "PRIVATE KEY" && label == LabelEncryptedPrivateKey:
		return "an unencrypted PRIVATE KEY, want ENCRYPTED PRIVATE KEY"
	case block.Type != label:
		return fmt.Sprintf("a %q block, want %s", block.Type, label)
	}
	return reason
}

// checkChain checks that each certificate of chain issued the one before
// it, the first the leaf, and with cfg.Roots that the chain verifies.
func checkChain(leaf *x509.Certificate, chain []*x509.Certificate, cfg *OpenConfig) error {
	child := leaf
	for i, c := range chain {
		if c.Equal(leaf) {
			return &ChainError{Reason: fmt.Sprintf("certificate %d of the chain is the exported certificate itself", i+1)}
		}
		if err := child.CheckSignatureFrom(c); err != nil {
			what := "the exported certificate"
			if i > 0 {
				what = fmt.Sprintf("certificate %d", i)
			}
			return &ChainError{Reason: fmt.Sprintf("certificate %d of the chain did not issue %s: out of order or not the chain", i+1, what), Err: err}
		}
		child = c
	}
	if cfg == nil || cfg.Roots == nil {
		return nil
	}
	now := time.Now
	if cfg.Now != nil {
		now = cfg.Now
	}
	intermediates := x509.NewCertPool()
	for _, c := range chain {
		intermediates.AddCert(c)
	}
	_, err := leaf.Verify(x509.VerifyOptions{
		Roots:         cfg.Roots,
		Intermediates: intermediates,
		CurrentTime:   now(),
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageAny},
	})
	if err != nil {
		return &ChainError{Reason: "does not verify: " + err.Error(), Err: err}
	}
	return nil
}
