package acmexport

import (
	"context"
	"crypto"
	"crypto/x509"
)

// A CA is where Export finds the certificate a request names. The in-memory
// CA in the memca subpackage is one; a host with its own PKI writes another.
//
// Export calls Certificate first and PrivateKey only for a certificate that
// it is about to export, so a CA never hands out a key for a request that is
// refused. Both methods must be safe for concurrent use.
//
// A method reports a certificate it does not have with a
// *ResourceNotFoundException, an ARN that cannot name one of its certificates
// (another account, region or resource type) with an *InvalidArnException,
// a refusal to serve the call now with a *ThrottlingException, and a caller
// it will not serve with an *AccessDeniedException. Export passes those on
// to the caller unchanged, and ctx.Err() as itself; any other error becomes
// an *InternalFailure that wraps it.
type CA interface {
	// Certificate returns the certificate named by arn, which Export has
	// already checked against ARNPattern.
	Certificate(ctx context.Context, arn string) (*Certificate, error)

	// PrivateKey returns the private key of the certificate named by arn.
	PrivateKey(ctx context.Context, arn string) (crypto.Signer, error)
}

// A Certificate is what a CA knows of one certificate: what Export needs to
// decide whether it may be exported, and what it exports.
type Certificate struct {
	// Status is the certificate's state. Only StatusIssued exports.
	Status Status

	// Type says where the certificate came from.
	Type Type

	// Export says whether a certificate of TypeAmazonIssued was requested
	// exportable. TypePrivate certificates export unless it is
	// ExportDisabled; TypeImported certificates never do.
	Export ExportOption

	// KeyAlgorithm is the algorithm of the certificate's key pair.
	KeyAlgorithm KeyAlgorithm

	// Leaf is the certificate itself. It may be nil while Status is
	// StatusPendingValidation, and must be set once it is StatusIssued.
	Leaf *x509.Certificate

	// Chain holds the certificates that issued Leaf, the issuing CA first
	// and the root last. It does not hold Leaf.
	Chain []*x509.Certificate
}

// Status is a certificate's state, in ACM's CertificateStatus words.
type Status string

// The states ACM reports. Export answers StatusPendingValidation with a
// RequestInProgressException and every other state but StatusIssued with a
// ValidationException.
const (
	StatusPendingValidation  Status = "PENDING_VALIDATION"
	StatusIssued             Status = "ISSUED"
	StatusInactive           Status = "INACTIVE"
	StatusExpired            Status = "EXPIRED"
	StatusValidationTimedOut Status = "VALIDATION_TIMED_OUT"
	StatusRevoked            Status = "REVOKED"
	StatusFailed             Status = "FAILED"
)

// Type is where a certificate came from, in ACM's CertificateType words.
type Type string

// The certificate types ACM reports.
const (
	// TypePrivate is a certificate issued by a private CA. It exports.
	TypePrivate Type = "PRIVATE"
	// TypeAmazonIssued is a public certificate. It exports only if it was
	// requested with ExportEnabled.
	TypeAmazonIssued Type = "AMAZON_ISSUED"
	// TypeImported is a certificate imported with its key. It never exports.
	TypeImported Type = "IMPORTED"
)

// ExportOption says whether a certificate was requested exportable, in
// ACM's CertificateExport words. The zero value means not stated.
type ExportOption string

// The values of ACM's CertificateExport option.
const (
	ExportEnabled  ExportOption = "ENABLED"
	ExportDisabled ExportOption = "DISABLED"
)

// KeyAlgorithm is the algorithm of a certificate's key pair, in ACM's
// KeyAlgorithm words. These are the algorithms ACM issues and so exports.
type KeyAlgorithm string

// The key algorithms ACM issues.
const (
	RSA2048      KeyAlgorithm = "RSA_2048"
	ECPrime256v1 KeyAlgorithm = "EC_prime256v1"
	ECSecp384r1  KeyAlgorithm = "EC_secp384r1"
)

// exportable reports whether c may be exported at all, whatever its status.
func (c *Certificate) exportable() bool {
	switch c.Type {
	case TypePrivate:
		return c.Export != ExportDisabled
	case TypeAmazonIssued:
		return c.Export == ExportEnabled
	default:
		return false
	}
}
