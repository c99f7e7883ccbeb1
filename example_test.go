package acmexport_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/acmexport/acmexport"
	"github.com/acmexport/acmexport/memca"
)

func ExampleExport() {
	ctx := context.Background()
	ca, err := memca.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	arn, err := ca.Issue(ctx, memca.Request{DomainName: "www.example.com", KeyAlgorithm: acmexport.ECPrime256v1})
	if err != nil {
		log.Fatal(err)
	}

	resp, err := acmexport.Export(ctx, ca, &acmexport.Request{
		CertificateArn: &arn,
		Passphrase:     []byte("correct horse battery staple"),
	}, nil)
	if err != nil {
		log.Fatal(err)
	}
	chain, err := acmexport.DecodePEM(resp.CertificateChain, acmexport.LabelCertificate)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Print(strings.SplitAfter(resp.Certificate, "\n")[0])
	fmt.Print(strings.SplitAfter(resp.PrivateKey, "\n")[0])
	fmt.Println(len(chain), "certificates in the chain")
	// Output:
	// -----BEGIN CERTIFICATE-----
	// -----BEGIN ENCRYPTED PRIVATE KEY-----
	// 2 certificates in the chain
}

func ExampleExport_errors() {
	ctx := context.Background()
	ca, err := memca.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	arn, err := ca.Issue(ctx, memca.Request{DomainName: "www.example.com", Pending: true, Type: acmexport.TypeAmazonIssued})
	if err != nil {
		log.Fatal(err)
	}

	_, err = acmexport.Export(ctx, ca, &acmexport.Request{CertificateArn: &arn, Passphrase: []byte("pass")}, nil)
	var inProgress *acmexport.RequestInProgressException
	fmt.Println(errors.As(err, &inProgress))

	var apiErr acmexport.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.ErrorCode(), apiErr.HTTPStatus())
	}
	// Output:
	// true
	// RequestInProgressException 400
}

func ExampleValidateRequest() {
	arn := "arn:aws:acm:us-east-1:111122223333:certificate/1"
	err := acmexport.ValidateRequest(&acmexport.Request{CertificateArn: &arn, Passphrase: []byte("abc")}, nil)
	fmt.Println(err.(*acmexport.ValidationException).ErrorMessage())
	// Output:
	// 1 validation error detected: Value at 'passphrase' failed to satisfy constraint: Member must have length greater than or equal to 4
}

func ExampleValidateARN() {
	fmt.Println(acmexport.ValidateARN("arn:aws:acm:us-east-1:111122223333:certificate/1"))
	fmt.Println(acmexport.ValidateARN("arn:aws:s3:::my-bucket/certificate"))
	// Output:
	// <nil>
	// acmexport: ValidationException: 1 validation error detected: Value 'arn:aws:s3:::my-bucket/certificate' at 'certificateArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:[\w+=/,.@-]+:acm:[\w+=/,.@-]*:[0-9]+:[\w+=,.@-]+(/[\w+=,.@-]+)*
}

func ExampleHandler() {
	ca, err := memca.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	srv := httptest.NewServer(&acmexport.Handler{CA: ca})
	defer srv.Close()

	// What an AWS SDK sends, for a certificate the CA does not have.
	body := `{"CertificateArn":"arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000","Passphrase":"cGFzc3dvcmQ="}`
	req, err := http.NewRequest("POST", srv.URL, strings.NewReader(body))
	if err != nil {
		log.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", acmexport.Target)
	req.Header.Set("Content-Type", acmexport.ContentType)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		log.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.StatusCode, res.Header.Get("X-Amzn-ErrorType"))
	fmt.Println(string(out))
	// Output:
	// 400 ResourceNotFoundException
	// {"__type":"ResourceNotFoundException","message":"could not find certificate arn:aws:acm:us-east-1:111122223333:certificate/00000000-0000-0000-0000-000000000000"}
}

func ExampleDecodePEM() {
	_, err := acmexport.DecodePEM("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n\n", acmexport.LabelCertificate)
	fmt.Println(err)
	// Output:
	// acmexport: CERTIFICATE PEM, line 4: found a blank line, want -----BEGIN CERTIFICATE-----
}
