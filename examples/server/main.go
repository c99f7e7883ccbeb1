// Command server serves ExportCertificate on loopback from an in-memory CA
// holding one demo certificate of every kind, so that the AWS CLI and the
// AWS SDKs can be pointed at it.
//
//	go run ./examples/server [-addr 127.0.0.1:8080] [-any-passphrase-bytes]
//		[-throttle N] [-ca-failures] [-credentials FILE [-region R]]
//
// It prints one line per certificate, in ACM's words,
//
//	STATUS TYPE KEY_ALGORITHM EXPORT ARN
//
// then the address it listens on, then an AWS CLI command that exports the
// first certificate.
//
// The other flags, all off by default, reach the errors that the demo
// certificates cannot, so that a client's handling of them can be seen:
//
//   - -any-passphrase-bytes accepts passphrases outside the documented
//     ASCII rule (acmexport.Config.AnyPassphraseBytes).
//   - -throttle N answers every Nth ExportCertificate request, counted from
//     the start, with a ThrottlingException (acmexport.Handler.Allow); 1
//     refuses them all.
//   - -ca-failures adds two ARNs whose lookups fail inside the CA, and
//     prints them before the address as "CA_FAILURE ARN" (an unexpected
//     error: 500 InternalFailure) and "ACCESS_DENIED ARN" (the CA refuses
//     the caller: 403 AccessDeniedException).
//
// Without -credentials it does not check SigV4 signatures: any credentials
// will do, and anyone who can reach the address can export every key, which
// is why it listens on loopback by default and says so in its log. With
// -credentials FILE it verifies every request's signature, for region R
// (us-east-1 by default), against the access keys in FILE, a JSON object
// from access key ID to credential:
//
//	{"AKIDEXAMPLE": {"SecretAccessKey": "...", "Principal": "arn:aws:iam::111122223333:user/demo"}}
//
// (a credential may also have a "SessionToken"). It refuses to start if
// FILE can be read or written by anyone but its owner.
//
// Its logs go to standard error and never hold a passphrase, a key or a
// secret. It stops cleanly on SIGINT or SIGTERM, letting the requests in
// flight finish.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/acmexport/acmexport"
	"github.com/acmexport/acmexport/memca"
	"github.com/google/uuid"
)

// demoPassphrase is the passphrase of the printed AWS CLI command.
const demoPassphrase = "password"

// limits bound what one client can take of the server: a slow client is
// cut off, an idle connection closed, a huge header refused. Tests shorten
// them.
var limits = struct {
	readHeader, read, write, idle, shutdown time.Duration
	maxHeaderBytes                          int
}{
	readHeader:     5 * time.Second,
	read:           10 * time.Second,
	write:          30 * time.Second,
	idle:           60 * time.Second,
	shutdown:       30 * time.Second,
	maxHeaderBytes: 16 << 10,
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr, nil); err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(1)
	}
}

// run parses args, serves until ctx is done, and then shuts down, letting
// requests in flight finish. If ready is not nil, it receives the address
// once the server listens.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, ready chan<- string) error {
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "`address` to listen on; port 0 picks a free one")
	anyBytes := fs.Bool("any-passphrase-bytes", false, "accept passphrases outside the documented ASCII rule")
	throttle := fs.Int("throttle", 0, "answer every `N`th ExportCertificate request with a ThrottlingException; 0 never, 1 always")
	caFailures := fs.Bool("ca-failures", false, "add two ARNs whose lookups fail inside the CA (500 InternalFailure, 403 AccessDeniedException)")
	credsFile := fs.String("credentials", "", "verify SigV4 signatures against the access keys in this JSON `file`")
	region := fs.String("region", "us-east-1", "the `region` signatures must be scoped to, with -credentials")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *throttle < 0 {
		return fmt.Errorf("-throttle %d: want 0 or more", *throttle)
	}
	var creds acmexport.StaticCredentials
	if *credsFile != "" {
		var err error
		if creds, err = loadCredentials(*credsFile); err != nil {
			return err
		}
	}
	logger := slog.New(slog.NewTextHandler(stderr, nil))

	ca, err := newDemoCA(ctx)
	if err != nil {
		return err
	}
	list := ca.List()
	for _, c := range list {
		fmt.Fprintln(stdout, c.Status, c.Type, c.KeyAlgorithm, c.Export, c.ARN)
	}
	var served acmexport.CA = ca
	if *caFailures {
		// The ARNs are the demo certificates' own but for the ID, so that
		// they pass every check before the lookup.
		prefix := list[0].ARN[:strings.LastIndex(list[0].ARN, "/")+1]
		fca := &failingCA{CA: ca, failing: prefix + uuid.NewString(), denied: prefix + uuid.NewString()}
		fmt.Fprintln(stdout, "CA_FAILURE", fca.failing)
		fmt.Fprintln(stdout, "ACCESS_DENIED", fca.denied)
		served = fca
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	fmt.Fprintln(stdout, "listening on", url)
	// fileb:// sends the file's bytes as they are with AWS CLI v1 and v2
	// alike; a passphrase given inline is base64 to v2 but raw text to v1.
	// With -credentials, the caller brings its own keys.
	demoKeys := "AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo "
	if creds != nil {
		demoKeys = ""
	}
	fmt.Fprintf(stdout, "printf %%s %s > passphrase.txt && %saws acm export-certificate --region %s --endpoint-url %s --certificate-arn %s --passphrase fileb://passphrase.txt\n",
		demoPassphrase, demoKeys, *region, url, list[0].ARN)
	if creds == nil {
		logger.Warn("requests are not authenticated: anyone who can reach this address can export every key", "addr", ln.Addr().String())
	} else {
		logger.Info("requests must be signed with SigV4", "access_keys", len(creds), "region", *region)
	}

	h := &acmexport.Handler{
		CA:     served,
		Config: &acmexport.Config{AnyPassphraseBytes: *anyBytes},
		Allow:  everyNth(*throttle),
		Region: *region,
		OnError: func(r *http.Request, id string, err error) {
			// The request line says which client errors were answered;
			// only failures of the server's own are worth more. Error,
			// unlike ErrorMessage, holds an InternalFailure's cause.
			var apiErr acmexport.APIError
			if errors.As(err, &apiErr) && apiErr.HTTPStatus() >= 500 {
				logger.Error("request failed", "request_id", id, "error", err)
			}
		},
	}
	if creds != nil {
		h.Credentials = creds
	}
	if *throttle > 0 {
		logger.Warn("throttling on purpose", "every", *throttle)
	}
	srv := &http.Server{
		Handler:           logRequests(logger, h),
		ReadHeaderTimeout: limits.readHeader,
		ReadTimeout:       limits.read,
		WriteTimeout:      limits.write,
		IdleTimeout:       limits.idle,
		MaxHeaderBytes:    limits.maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	if ready != nil {
		ready <- ln.Addr().String()
	}

	done := make(chan error, 1)
	go func() { done <- srv.Serve(ln) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), limits.shutdown)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// loadCredentials reads the access keys of -credentials, refusing a file
// that others may read or write: it holds secrets.
func loadCredentials(path string) (acmexport.StaticCredentials, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if perm := fi.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("%s has mode %#o: it holds secret keys, so only its owner may read it (chmod 600 %s)", path, perm, path)
	}
	var creds acmexport.StaticCredentials
	dec := json.NewDecoder(io.LimitReader(f, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&creds); err != nil {
		return nil, fmt.Errorf("%s: want a JSON object from access key ID to {\"SecretAccessKey\": ..., \"SessionToken\": ..., \"Principal\": ...}: %w", path, err)
	}
	if len(creds) == 0 {
		return nil, fmt.Errorf("%s holds no access key", path)
	}
	for id, c := range creds {
		if c.SecretAccessKey == "" {
			return nil, fmt.Errorf("%s: access key %q has no SecretAccessKey", path, id)
		}
	}
	return creds, nil
}

// newDemoCA makes a CA with a certificate of every kind Export treats
// differently: the first is the one the printed command exports.
func newDemoCA(ctx context.Context) (*memca.CA, error) {
	ca, err := memca.New(nil)
	if err != nil {
		return nil, err
	}
	for _, req := range []memca.Request{
		{DomainName: "rsa.example.internal", KeyAlgorithm: acmexport.RSA2048, Export: acmexport.ExportEnabled},
		{DomainName: "p256.example.internal", KeyAlgorithm: acmexport.ECPrime256v1, Export: acmexport.ExportEnabled},
		{DomainName: "p384.example.internal", KeyAlgorithm: acmexport.ECSecp384r1, Export: acmexport.ExportEnabled},
		{DomainName: "pending.example.com", Type: acmexport.TypeAmazonIssued, Export: acmexport.ExportEnabled, Pending: true},
		{DomainName: "imported.example.com", Type: acmexport.TypeImported},
		{DomainName: "public.example.com", Type: acmexport.TypeAmazonIssued, Export: acmexport.ExportEnabled},
		{DomainName: "closed.example.com", Type: acmexport.TypeAmazonIssued, Export: acmexport.ExportDisabled},
	} {
		if _, err := ca.Issue(ctx, req); err != nil {
			return nil, err
		}
	}
	return ca, nil
}

// everyNth returns a Handler.Allow that refuses every nth request it is
// asked about, or nil, which allows them all, if n is 0.
func everyNth(n int) func(*http.Request) bool {
	if n == 0 {
		return nil
	}
	var count atomic.Int64
	return func(*http.Request) bool { return count.Add(1)%int64(n) != 0 }
}

// failingCA is the demo CA with two ARNs whose lookups fail, as those of a
// CA backed by a real PKI might: one with an error the library does not
// know, which the client sees as an InternalFailure that says nothing of
// it, and one with an AccessDeniedException, which the client sees as it
// is.
type failingCA struct {
	*memca.CA
	failing, denied string
}

func (ca *failingCA) Certificate(ctx context.Context, arn string) (*acmexport.Certificate, error) {
	switch arn {
	case ca.failing:
		return nil, errors.New("demo: the certificate store is unreachable")
	case ca.denied:
		return nil, &acmexport.AccessDeniedException{Message: "User is not authorized to perform: acm:ExportCertificate on resource: " + arn}
	}
	return ca.CA.Certificate(ctx, arn)
}

// logRequests logs one line per request: never a body, so never a
// passphrase or a key.
func logRequests(logger *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		logger.Info("request",
			"target", r.Header.Get("X-Amz-Target"),
			"status", sw.status,
			"error", sw.Header().Get("X-Amzn-ErrorType"),
			"request_id", sw.Header().Get("x-amzn-RequestId"),
			"remote", r.RemoteAddr,
			"duration", time.Since(start))
	})
}

// statusWriter remembers the status a handler wrote.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}
