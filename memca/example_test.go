package memca_test

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"log"

	"github.com/acmexport/acmexport"
	"github.com/acmexport/acmexport/memca"
)

func Example() {
	ctx := context.Background()
	ca, err := memca.New(nil)
	if err != nil {
		log.Fatal(err)
	}

	arn, err := ca.Issue(ctx, memca.Request{
		DomainName:   "www.example.com",
		KeyAlgorithm: acmexport.ECPrime256v1,
	})
	if err != nil {
		log.Fatal(err)
	}
	cert, err := ca.Certificate(ctx, arn)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cert.Status, cert.Type, cert.KeyAlgorithm, len(cert.Chain))

	// The chain is what a TLS client needs besides the root.
	inters := x509.NewCertPool()
	inters.AddCert(cert.Chain[0])
	_, err = cert.Leaf.Verify(x509.VerifyOptions{
		DNSName:       "www.example.com",
		Roots:         ca.Roots(),
		Intermediates: inters,
	})
	fmt.Println("verified:", err == nil)
	// Output:
	// ISSUED PRIVATE EC_prime256v1 2
	// verified: true
}

func ExampleCA_Complete() {
	ctx := context.Background()
	ca, err := memca.New(nil)
	if err != nil {
		log.Fatal(err)
	}

	arn, err := ca.Issue(ctx, memca.Request{
		DomainName:   "pending.example.com",
		KeyAlgorithm: acmexport.ECSecp384r1,
		Pending:      true,
	})
	if err != nil {
		log.Fatal(err)
	}
	// A pending certificate has no leaf, and its key is not handed out.
	cert, err := ca.Certificate(ctx, arn)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cert.Status, cert.Leaf == nil)
	_, err = ca.PrivateKey(ctx, arn)
	var inProgress *acmexport.RequestInProgressException
	fmt.Println("in progress:", errors.As(err, &inProgress))

	if err := ca.Complete(arn); err != nil {
		log.Fatal(err)
	}
	for _, s := range ca.List() {
		fmt.Println(s.DomainName, s.Status, s.KeyAlgorithm)
	}
	// Output:
	// PENDING_VALIDATION true
	// in progress: true
	// pending.example.com ISSUED EC_secp384r1
}
