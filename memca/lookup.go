package memca

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"strings"

	"github.com/acmexport/acmexport"
)

// Certificate returns a fresh copy of what the CA knows of the certificate
// named by arn: changing the copy, its Leaf or its Chain does not change the
// CA. Leaf is nil while the certificate is pending validation, and so is
// Chain; once it is issued, Chain is the intermediate then the root.
//
// Certificate returns an *acmexport.InvalidArnException if arn cannot name a
// certificate of this CA (it is not an ACM ARN, it names another partition,
// region or account, or its resource is not certificate/ID), an
// *acmexport.ResourceNotFoundException if the CA has no such certificate,
// and ctx.Err() if ctx is done.
func (ca *CA) Certificate(ctx context.Context, arn string) (*acmexport.Certificate, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ca.mu.RLock()
	defer ca.mu.RUnlock()

	e, err := ca.find(arn)
	if err != nil {
		return nil, err
	}
	c := &acmexport.Certificate{
		Status:       e.status(),
		Type:         e.typ,
		Export:       e.export,
		KeyAlgorithm: e.keyAlgorithm,
	}
	if e.leaf != nil {
		c.Leaf = clone(e.leaf)
		c.Chain = []*x509.Certificate{clone(ca.inter), clone(ca.root)}
	}
	return c, nil
}

// PrivateKey returns a copy of the private key of the certificate named by
// arn: an *rsa.PrivateKey or an *ecdsa.PrivateKey.
//
// PrivateKey returns an *acmexport.RequestInProgressException if the
// certificate is pending validation, and otherwise the errors of
// Certificate.
func (ca *CA) PrivateKey(ctx context.Context, arn string) (crypto.Signer, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ca.mu.RLock()
	defer ca.mu.RUnlock()

	e, err := ca.find(arn)
	if err != nil {
		return nil, err
	}
	if e.leaf == nil {
		return nil, &acmexport.RequestInProgressException{
			Message: fmt.Sprintf("certificate %s is pending validation and has not been issued yet", arn),
		}
	}
	return cloneKey(e.key)
}

// A Summary describes one of a CA's certificates, as List reports it.
type Summary struct {
	ARN        string // names the certificate in Certificate and PrivateKey
	DomainName string // the leaf's one DNS name, as requested

	// The rest are the fields of the same name of acmexport.Certificate.
	Status       acmexport.Status
	Type         acmexport.Type
	KeyAlgorithm acmexport.KeyAlgorithm
	Export       acmexport.ExportOption
}

// List returns a summary of each of the CA's certificates, in the order
// they were requested. It returns an empty slice for a CA with none.
func (ca *CA) List() []Summary {
	ca.mu.RLock()
	defer ca.mu.RUnlock()

	list := make([]Summary, 0, len(ca.order))
	for _, id := range ca.order {
		e := ca.certs[id]
		list = append(list, Summary{
			ARN:          e.arn,
			DomainName:   e.domainName,
			Status:       e.status(),
			Type:         e.typ,
			KeyAlgorithm: e.keyAlgorithm,
			Export:       e.export,
		})
	}
	return list
}

// find returns the certificate named by arn, or the error that Certificate
// documents. The caller holds ca.mu.
func (ca *CA) find(arn string) (*entry, error) {
	fields := strings.Split(arn, ":")
	if len(fields) != 6 || fields[0] != "arn" || fields[2] != "acm" {
		return nil, invalidARN("%q is not an ACM certificate ARN", arn)
	}
	partition, region, account, resource := fields[1], fields[3], fields[4], fields[5]
	switch {
	case partition != ca.partition:
		return nil, invalidARN("%s is in partition %q; this CA is in %q", arn, partition, ca.partition)
	case region != ca.region:
		return nil, invalidARN("%s is in region %q; this CA is in %q", arn, region, ca.region)
	case account != ca.account:
		// The CA's own account is left out: it is not the caller's to learn.
		return nil, invalidARN("%s belongs to another account than this CA's", arn)
	}
	id, ok := strings.CutPrefix(resource, "certificate/")
	if !ok || id == "" || strings.Contains(id, "/") {
		return nil, invalidARN("%s does not name a certificate", arn)
	}

	e, ok := ca.certs[id]
	if !ok {
		return nil, &acmexport.ResourceNotFoundException{Message: "could not find certificate " + arn}
	}
	return e, nil
}

func invalidARN(format string, args ...any) error {
	return &acmexport.InvalidArnException{Message: fmt.Sprintf(format, args...)}
}

// cloneKey returns a copy of key that shares no memory with it.
func cloneKey(key crypto.Signer) (crypto.Signer, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, fmt.Errorf("memca: copying a key: %w", err)
	}
	k, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("memca: copying a key: %w", err)
	}
	signer, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("memca: copying a key: %T is not a signer", k)
	}
	return signer, nil
}
