package acmexport

import (
	"context"
	"crypto"
	"crypto/x509"
	"errors"
	"fmt"

	"github.com/acmexport/acmexport/internal/pbes2"
)

// KeyFormat chooses the PBES2 parameters Export encrypts a private key
// with. Every format uses AES-256-CBC with a 16-byte IV and a fresh salt and
// IV from crypto/rand for each export. A test that needs the same output
// twice, to compare with a golden file, makes crypto/rand repeatable with
// testing/cryptotest.SetGlobalRandom, as the standard library's own key
// generation requires since Go 1.26.
type KeyFormat int

const (
	// KeyFormatACM is the format real ACM returns, parameter for
	// parameter: PBKDF2 with 2048 iterations, a 20-byte salt and the PRF
	// element left out, which means HMAC-SHA1. Some consumers accept only
	// this. It is the default.
	KeyFormatACM KeyFormat = iota

	// KeyFormatHMACSHA256 writes the PRF out as HMAC-SHA256 and uses a
	// 16-byte salt and Config.Iterations iterations. With 2048 iterations
	// it has the shape `openssl pkcs8 -topk8` writes by default, but for
	// the salt, which OpenSSL 3.0 makes 8 bytes long.
	KeyFormatHMACSHA256
)

// The bounds of Config.Iterations.
const (
	DefaultIterations = 2048
	MinIterations     = 1000
	MaxIterations     = 2_000_000
)

// Config changes how Export works. The zero value, and a nil *Config, is the
// default: ACM's key format and its passphrase rules.
type Config struct {
	// KeyFormat chooses how the private key is encrypted. The zero value is
	// KeyFormatACM.
	KeyFormat KeyFormat

	// Iterations is the PBKDF2 iteration count of KeyFormatHMACSHA256,
	// from MinIterations to MaxIterations. Zero means DefaultIterations.
	// KeyFormatACM's count is fixed, so that its output keeps ACM's shape:
	// setting Iterations with it is an error.
	Iterations int

	// AnyPassphraseBytes turns off the documented character rule, under
	// which a passphrase may hold any ASCII character except #, $ and %, so
	// that any bytes of the right length are accepted. Whether ACM itself
	// enforces the rule is not known.
	AnyPassphraseBytes bool
}

func (c *Config) anyPassphraseBytes() bool {
	return c != nil && c.AnyPassphraseBytes
}

// params returns the PBES2 parameters c asks for, or an error that says
// what is wrong with c.
func (c *Config) params() (pbes2.Params, error) {
	var cfg Config
	if c != nil {
		cfg = *c
	}
	switch cfg.KeyFormat {
	case KeyFormatACM:
		if cfg.Iterations != 0 {
			return pbes2.Params{}, errors.New("acmexport: Config.Iterations is set, but KeyFormatACM's iteration count is fixed")
		}
		return pbes2.Params{PRF: pbes2.PRFOmitted, Iterations: DefaultIterations, SaltSize: 20}, nil
	case KeyFormatHMACSHA256:
		n := cfg.Iterations
		if n == 0 {
			n = DefaultIterations
		}
		if n < MinIterations || n > MaxIterations {
			return pbes2.Params{}, fmt.Errorf("acmexport: Config.Iterations is %d, want %d to %d", n, MinIterations, MaxIterations)
		}
		return pbes2.Params{PRF: pbes2.PRFHMACSHA256, Iterations: n, SaltSize: 16}, nil
	default:
		return pbes2.Params{}, fmt.Errorf("acmexport: unknown Config.KeyFormat %d", cfg.KeyFormat)
	}
}

// Export carries out ExportCertificate: it checks req, looks the
// certificate up in ca, and returns it with its chain and its private key
// encrypted under req.Passphrase. cfg may be nil. req is not changed.
//
// The checks run in ACM's order: the request's constraints
// (ValidationException, all violations at once); the lookup
// (ResourceNotFoundException, InvalidArnException, or what else the CA may
// answer with); the certificate's status (RequestInProgressException while
// it is pending validation, ValidationException in any other state but
// issued); whether it may be exported at all (ValidationException). Nothing
// is asked of ca for a request that breaks a constraint, and ca.PrivateKey
// only for a certificate that exports.
//
// Every error is an APIError but one: if ctx is done before the key is
// encrypted, Export returns ctx.Err(). A failure that is not the caller's,
// an unusable cfg included, is an *InternalFailure wrapping the cause.
func Export(ctx context.Context, ca CA, req *Request, cfg *Config) (*Response, error) {
	params, err := cfg.params()
	if err != nil {
		return nil, &InternalFailure{Err: err}
	}
	if err := ValidateRequest(req, cfg); err != nil {
		return nil, err
	}
	if ca == nil {
		return nil, &InternalFailure{Err: errors.New("acmexport: Export was given a nil CA")}
	}
	arn := *req.CertificateArn

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	cert, err := ca.Certificate(ctx, arn)
	if err != nil {
		return nil, caError(ctx, "looking up the certificate", err)
	}
	if err := checkExportable(arn, cert); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	key, err := ca.PrivateKey(ctx, arn)
	if err != nil {
		return nil, caError(ctx, "fetching the private key", err)
	}
	if err := checkKeyMatches(cert.Leaf, key); err != nil {
		return nil, &InternalFailure{Err: err}
	}

	if err := ctx.Err(); err != nil {
		return nil, err
	}
	der, err := pbes2.Encrypt(key, req.Passphrase, params)
	if err != nil {
		return nil, &InternalFailure{Err: fmt.Errorf("acmexport: encrypting the private key: %w", err)}
	}

	resp := &Response{
		Certificate:      EncodePEM(LabelCertificate, cert.Leaf.Raw),
		CertificateChain: EncodePEM(LabelCertificate, rawCerts(cert.Chain)...),
		PrivateKey:       EncodePEM(LabelEncryptedPrivateKey, der),
	}
	if err := resp.Check(); err != nil {
		return nil, &InternalFailure{Err: err}
	}
	return resp, nil
}

// caError passes on the errors a CA may answer with and wraps any other.
func caError(ctx context.Context, doing string, err error) error {
	var (
		notFound   *ResourceNotFoundException
		invalidARN *InvalidArnException
		throttled  *ThrottlingException
		denied     *AccessDeniedException
	)
	switch {
	case errors.As(err, &notFound), errors.As(err, &invalidARN), errors.As(err, &throttled), errors.As(err, &denied):
		return err
	case ctx.Err() != nil && errors.Is(err, ctx.Err()):
		return ctx.Err()
	}
	return &InternalFailure{Err: fmt.Errorf("acmexport: CA failed %s: %w", doing, err)}
}

// checkExportable reports why cert may not be exported, if it may not.
func checkExportable(arn string, cert *Certificate) error {
	if cert == nil {
		return &InternalFailure{Err: errors.New("acmexport: CA returned no certificate and no error")}
	}
	switch cert.Status {
	case StatusIssued:
	case StatusPendingValidation:
		return &RequestInProgressException{Message: "Certificate " + arn + " has not been issued yet: its status is PENDING_VALIDATION."}
	default:
		return &ValidationException{Message: "Certificate " + arn + " cannot be exported: its status is " + string(cert.Status) + ", and only ISSUED certificates can be exported."}
	}
	if !cert.exportable() {
		return &ValidationException{Message: "Certificate " + arn + " cannot be exported: " + whyNotExportable(cert)}
	}
	if cert.Leaf == nil {
		return &InternalFailure{Err: errors.New("acmexport: CA returned an issued certificate without its Leaf")}
	}
	if len(cert.Chain) == 0 {
		return &InternalFailure{Err: errors.New("acmexport: CA returned an issued certificate without its Chain")}
	}
	for _, c := range cert.Chain {
		if c == nil {
			return &InternalFailure{Err: errors.New("acmexport: CA returned a Chain holding nil")}
		}
	}
	return nil
}

func whyNotExportable(cert *Certificate) string {
	switch cert.Type {
	case TypeImported:
		return "it was imported, and imported certificates never export."
	case TypeAmazonIssued:
		return "it is a public certificate that was not requested with export enabled."
	case TypePrivate:
		return "its export option is DISABLED."
	default:
		return "its type " + fmt.Sprintf("%q", cert.Type) + " is not one that exports."
	}
}

// checkKeyMatches reports whether key is the private half of leaf's public
// key: a CA that answers with another key has a bug.
func checkKeyMatches(leaf *x509.Certificate, key crypto.Signer) error {
	if key == nil {
		return errors.New("acmexport: CA returned no private key and no error")
	}
	pub, ok := key.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(leaf.PublicKey) {
		return errors.New("acmexport: CA returned a private key that does not match the certificate")
	}
	return nil
}

func rawCerts(certs []*x509.Certificate) [][]byte {
	raw := make([][]byte, len(certs))
	for i, c := range certs {
		raw[i] = c.Raw
	}
	return raw
}
