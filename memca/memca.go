package memca

import (
	"bytes"
	"cmp"
	"crypto"
	"crypto/x509"
	"fmt"
	"regexp"
	"sync"
	"time"

	"github.com/acmexport/acmexport"
)

// Config configures a CA. The zero value, and a nil *Config, give a CA in
// the partition "aws", region "us-east-1" and account "111122223333" that
// reads the clock with time.Now.
type Config struct {
	// Partition is the partition field of the CA's ARNs. Empty means "aws".
	Partition string

	// Region is the region field of the CA's ARNs. Empty means "us-east-1".
	Region string

	// Account is the account field of the CA's ARNs, all digits. Empty
	// means "111122223333".
	Account string

	// Now returns the time that validity periods start from: those of the
	// root and intermediate when New runs, and that of each leaf when it is
	// issued. It is used for nothing else. Nil means time.Now.
	Now func() time.Time
}

// The fields of an ARN as the current ACM model allows them.
var (
	partitionPattern = regexp.MustCompile(`^[\w+=/,.@-]+$`)
	regionPattern    = regexp.MustCompile(`^[\w+=/,.@-]+$`)
	accountPattern   = regexp.MustCompile(`^[0-9]+$`)
)

// A CA is an in-memory certificate authority. It implements acmexport.CA.
// Its methods are safe for concurrent use.
type CA struct {
	partition, region, account string
	now                        func() time.Time

	// The chain is made by New and never changes.
	root     *x509.Certificate
	inter    *x509.Certificate
	interKey crypto.Signer

	mu    sync.RWMutex
	certs map[string]*entry // by certificate ID, the UUID in the ARN
	order []string          // certificate IDs in issue order
}

// entry is what a CA keeps of one certificate.
type entry struct {
	arn          string
	domainName   string
	typ          acmexport.Type
	export       acmexport.ExportOption
	keyAlgorithm acmexport.KeyAlgorithm
	key          crypto.Signer
	leaf         *x509.Certificate // nil while pending validation
}

func (e *entry) status() acmexport.Status {
	if e.leaf == nil {
		return acmexport.StatusPendingValidation
	}
	return acmexport.StatusIssued
}

var _ acmexport.CA = (*CA)(nil)

// New returns a CA with a fresh root and intermediate and no certificates.
// cfg may be nil. It returns an error if a field of cfg cannot be part of an
// ACM ARN, or if the CA's keys or certificates cannot be made.
func New(cfg *Config) (*CA, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	ca := &CA{
		partition: cmp.Or(cfg.Partition, "aws"),
		region:    cmp.Or(cfg.Region, "us-east-1"),
		account:   cmp.Or(cfg.Account, "111122223333"),
		now:       cfg.Now,
		certs:     make(map[string]*entry),
	}
	if ca.now == nil {
		ca.now = time.Now
	}

	switch {
	case !partitionPattern.MatchString(ca.partition):
		return nil, fmt.Errorf("memca: invalid partition %q", ca.partition)
	case !regionPattern.MatchString(ca.region):
		return nil, fmt.Errorf("memca: invalid region %q", ca.region)
	case !accountPattern.MatchString(ca.account):
		return nil, fmt.Errorf("memca: invalid account %q: want digits only", ca.account)
	}

	if err := ca.makeChain(); err != nil {
		return nil, err
	}
	return ca, nil
}

// Root returns a copy of the CA's self-signed root certificate.
func (ca *CA) Root() *x509.Certificate {
	return clone(ca.root)
}

// Roots returns a new pool that holds only the CA's root certificate, for
// x509.VerifyOptions.Roots or tls.Config.RootCAs.
func (ca *CA) Roots() *x509.CertPool {
	pool := x509.NewCertPool()
	pool.AddCert(clone(ca.root))
	return pool
}

// clone returns a copy of c that shares no memory with it, parsed again
// from c.Raw.
func clone(c *x509.Certificate) *x509.Certificate {
	if c == nil {
		return nil
	}
	// The parsed certificate's fields alias the bytes it is given.
	cc, err := x509.ParseCertificate(bytes.Clone(c.Raw))
	if err != nil {
		// c was parsed from the same bytes when it was made.
		panic("memca: internal error: certificate no longer parses: " + err.Error())
	}
	return cc
}
