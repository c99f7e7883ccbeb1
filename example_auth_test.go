package acmexport_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/acmexport/acmexport"
	"github.com/acmexport/acmexport/memca"
)

// A Handler that verifies SigV4 signatures and lets only alice export, and
// only the certificates of her own domain.
func ExampleHandler_authentication() {
	ctx := context.Background()
	ca, err := memca.New(nil)
	if err != nil {
		log.Fatal(err)
	}
	arn, err := ca.Issue(ctx, memca.Request{DomainName: "alice.example.com", KeyAlgorithm: acmexport.ECPrime256v1})
	if err != nil {
		log.Fatal(err)
	}
	other, err := ca.Issue(ctx, memca.Request{DomainName: "bob.example.com", KeyAlgorithm: acmexport.ECPrime256v1})
	if err != nil {
		log.Fatal(err)
	}

	signedAt := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	h := &acmexport.Handler{
		CA: ca,
		Credentials: acmexport.StaticCredentials{
			"AKIDALICE": {SecretAccessKey: "alice-secret", Principal: "arn:aws:iam::111122223333:user/alice"},
		},
		Region: "us-east-1",
		Now:    func() time.Time { return signedAt }, // a fixed clock, for the example
		Authorize: func(_ context.Context, principal, certARN string) (bool, error) {
			return principal == "arn:aws:iam::111122223333:user/alice" && certARN == arn, nil
		},
	}

	// send signs a request to export certARN with secret (none if empty),
	// as the AWS SDKs do, and prints the answer's status and error code.
	send := func(certARN, secret string) {
		body := `{"CertificateArn":"` + certARN + `","Passphrase":"Y29ycmVjdCBob3JzZQ=="}`
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("Content-Type", acmexport.ContentType)
		req.Header.Set("X-Amz-Target", acmexport.Target)
		if secret != "" {
			sum := sha256.Sum256([]byte(body))
			creds := aws.Credentials{AccessKeyID: "AKIDALICE", SecretAccessKey: secret}
			if err := v4.NewSigner().SignHTTP(ctx, creds, req, hex.EncodeToString(sum[:]), acmexport.SigningName, "us-east-1", signedAt); err != nil {
				log.Fatal(err)
			}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		fmt.Println(rec.Code, rec.Header().Get("X-Amzn-ErrorType"))
	}

	send(arn, "")
	send(arn, "wrong-secret")
	send(other, "alice-secret")
	send(arn, "alice-secret")
	// Output:
	// 403 MissingAuthenticationTokenException
	// 400 InvalidSignatureException
	// 403 AccessDeniedException
	// 200
}
