package acmexport_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/acm"

	"github.com/acmexport/acmexport"
)

// BenchmarkHandler measures exports of a P-256 certificate from a memca CA
// three ways, each from as many goroutines as GOMAXPROCS: Export called
// directly (the baseline), a Handler on a loopback HTTP server called with
// raw net/http requests, and the same called with the AWS SDK for Go v2.
// Client and server share the process and its CPUs, so the HTTP cases pay
// for both ends. scripts/bench.sh runs it with -cpu 1,2 to see it scale.
func BenchmarkHandler(b *testing.B) {
	c := issueBenchCert(b, acmexport.ECPrime256v1)
	srv := httptest.NewServer(&acmexport.Handler{CA: c.ca})
	defer srv.Close()
	transport := &http.Transport{MaxIdleConnsPerHost: 64}
	defer transport.CloseIdleConnections()
	httpClient := &http.Client{Transport: transport}

	b.Run("direct", func(b *testing.B) {
		req := c.request()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				if _, err := acmexport.Export(ctx, c.ca, req, nil); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})

	b.Run("raw", func(b *testing.B) {
		body := exportBody(c.arn, base64.StdEncoding.EncodeToString(benchPassphrase))
		b.ReportAllocs()
		b.SetParallelism(benchInFlight)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				req, err := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
				if err != nil {
					b.Error(err)
					return
				}
				req.Header.Set("Content-Type", acmexport.ContentType)
				req.Header.Set("X-Amz-Target", acmexport.Target)
				resp, err := httpClient.Do(req)
				if err != nil {
					b.Error(err)
					return
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK {
					b.Errorf("status %d, %v; want 200", resp.StatusCode, err)
					return
				}
			}
		})
	})

	b.Run("sdk", func(b *testing.B) {
		client := acm.New(acm.Options{
			Region:           "us-east-1",
			BaseEndpoint:     aws.String(srv.URL),
			Credentials:      credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
			RetryMaxAttempts: 1,
			HTTPClient:       httpClient,
		})
		in := &acm.ExportCertificateInput{CertificateArn: aws.String(c.arn), Passphrase: benchPassphrase}
		b.ReportAllocs()
		b.SetParallelism(benchInFlight)
		b.RunParallel(func(pb *testing.PB) {
			ctx := context.Background()
			for pb.Next() {
				out, err := client.ExportCertificate(ctx, in)
				if err != nil {
					b.Error(err)
					return
				}
				if out.PrivateKey == nil {
					b.Error("ExportCertificate returned no PrivateKey")
					return
				}
			}
		})
	})
}

// benchInFlight is how many requests each CPU has in flight in the HTTP
// cases of BenchmarkHandler. With one, a CPU would sit idle while a request
// crosses the loopback in either direction, and the benchmark would measure
// latency; the target is throughput, which Export called directly reaches
// with one goroutine per CPU since it never waits.
const benchInFlight = 2
