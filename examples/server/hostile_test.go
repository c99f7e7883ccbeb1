package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/acmexport/acmexport"
)

// server is an example server that a test started with run.
type server struct {
	addr           string
	stdout, stderr *syncBuffer
	banner         []string
	cancel         context.CancelFunc
	done           chan error
}

// startServer runs the server with args on a free loopback port, waits
// until it listens, and stops it when the test ends.
func startServer(t *testing.T, args ...string) *server {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{stdout: new(syncBuffer), stderr: new(syncBuffer), cancel: cancel, done: make(chan error, 1)}
	ready := make(chan string, 1)
	args = append([]string{"-addr", "127.0.0.1:0"}, args...)
	go func() { s.done <- run(ctx, args, s.stdout, s.stderr, ready) }()
	select {
	case s.addr = <-ready:
	case err := <-s.done:
		cancel()
		t.Fatalf("run(%q) = %v before listening; stderr:\n%s", args, err, s.stderr.String())
	case <-time.After(60 * time.Second):
		cancel()
		t.Fatal("the server did not start within a minute")
	}
	s.banner = strings.Split(strings.TrimSuffix(s.stdout.String(), "\n"), "\n")
	t.Cleanup(func() { s.stop(t) })
	return s
}

// stop shuts the server down, once, and fails the test if that fails.
func (s *server) stop(t *testing.T) {
	t.Helper()
	if s.cancel == nil {
		return
	}
	s.cancel()
	s.cancel = nil
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("run() = %v after shutdown, want nil", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("the server did not shut down within 30s")
	}
}

// arn returns the ARN of the banner line that starts with kind.
func (s *server) arn(t *testing.T, kind string) string {
	t.Helper()
	for _, line := range s.banner {
		if strings.HasPrefix(line, kind+" arn:") {
			return line[len(kind)+1:]
		}
	}
	t.Fatalf("no banner line %q in:\n%s", kind, strings.Join(s.banner, "\n"))
	return ""
}

// shorten sets the server's limits for one test.
func shorten(t *testing.T, readHeader, read, idle time.Duration, maxHeaderBytes int) {
	saved := limits
	t.Cleanup(func() { limits = saved })
	limits.readHeader, limits.read, limits.idle, limits.maxHeaderBytes = readHeader, read, idle, maxHeaderBytes
}

func TestServerCredentials(t *testing.T) {
	dir := t.TempDir()
	const secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	creds := filepath.Join(dir, "credentials.json")
	data := `{"AKIDEXAMPLE": {"SecretAccessKey": "` + secret + `", "Principal": "arn:aws:iam::111122223333:user/demo"}}`
	if err := os.WriteFile(creds, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}

	s := startServer(t, "-credentials", creds, "-region", "eu-west-1")
	if cmd := s.banner[len(s.banner)-1]; strings.Contains(cmd, "AWS_SECRET_ACCESS_KEY") || !strings.Contains(cmd, "--region eu-west-1") {
		t.Errorf("command line = %q, want one for eu-west-1 without demo keys", cmd)
	}
	arn := s.arn(t, "ISSUED PRIVATE EC_prime256v1 ENABLED")
	body := `{"CertificateArn":"` + arn + `","Passphrase":"cGFzc3dvcmQ="}`

	if status, out := post(t, s.addr, body); status != 403 || out["__type"] != "MissingAuthenticationTokenException" {
		t.Errorf("unsigned request: status %d, body %v; want 403 MissingAuthenticationTokenException", status, out)
	}
	for _, tc := range []struct {
		name, key, secret, region string
		status                    int
		code                      string
	}{
		{"right secret", "AKIDEXAMPLE", secret, "eu-west-1", 200, ""},
		{"wrong secret", "AKIDEXAMPLE", "not-the-secret", "eu-west-1", 400, "InvalidSignatureException"},
		{"unknown key", "AKIDOTHER", secret, "eu-west-1", 400, "UnrecognizedClientException"},
		{"wrong region", "AKIDEXAMPLE", secret, "us-east-1", 400, "InvalidSignatureException"},
	} {
		status, out := postSigned(t, s.addr, body, aws.Credentials{AccessKeyID: tc.key, SecretAccessKey: tc.secret}, tc.region)
		if status != tc.status || out["__type"] != tc.code {
			t.Errorf("%s: status %d, body %v; want %d %s", tc.name, status, out, tc.status, tc.code)
		}
	}
	s.stop(t)
	logs := s.stderr.String()
	if strings.Contains(logs, secret) || strings.Contains(logs, "not authenticated") || !strings.Contains(logs, "requests must be signed") {
		t.Errorf("logs hold the secret or the wrong notice:\n%s", logs)
	}
}

func TestServerCredentialsFileRefused(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string, mode os.FileMode) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(data), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := `{"AKID": {"SecretAccessKey": "s3cr3t-value"}}`
	for _, tc := range []struct {
		name, path, want string
	}{
		{"readable by others", write("open.json", good, 0o644), "only its owner may read it"},
		{"writable by the group", write("group.json", good, 0o620), "only its owner may read it"},
		{"not JSON", write("bad.json", `AKID=s3cr3t-value`, 0o600), "want a JSON object"},
		{"unknown field", write("typo.json", `{"AKID": {"SecretKey": "s3cr3t-value"}}`, 0o600), "unknown field"},
		{"no secret", write("empty.json", `{"AKID": {}}`, 0o600), "has no SecretAccessKey"},
		{"no keys", write("none.json", `{}`, 0o600), "holds no access key"},
		{"missing", filepath.Join(dir, "absent.json"), "no such file"},
	} {
		var stdout, stderr syncBuffer
		err := run(t.Context(), []string{"-addr", "127.0.0.1:0", "-credentials", tc.path}, &stdout, &stderr, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: run() = %v, want an error saying %q", tc.name, err, tc.want)
		}
		if err != nil && strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("%s: the error holds the secret: %v", tc.name, err)
		}
		if stdout.String() != "" {
			t.Errorf("%s: the server printed %q before refusing", tc.name, stdout.String())
		}
	}
}

// postSigned sends body signed with creds for region by the AWS SDK's
// signer, as the SDK would.
func postSigned(t *testing.T, addr, body string, creds aws.Credentials, region string) (int, map[string]string) {
	t.Helper()
	req := exportRequest(t, addr, body)
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(t.Context(), creds, req, hex.EncodeToString(sum[:]), "acm", region, time.Now()); err != nil {
		t.Fatal(err)
	}
	return roundTrip(t, req)
}

// TestServerHostileClients checks the server's limits: a huge header, a
// slow client and many idle connections each cost it a bounded time and
// leave it serving.
func TestServerHostileClients(t *testing.T) {
	shorten(t, 500*time.Millisecond, time.Second, time.Second, 4<<10)
	s := startServer(t)
	arn := s.arn(t, "ISSUED PRIVATE EC_prime256v1 ENABLED")
	body := `{"CertificateArn":"` + arn + `","Passphrase":"cGFzc3dvcmQ="}`

	t.Run("header over the limit", func(t *testing.T) {
		req, err := http.NewRequest("POST", "http://"+s.addr+"/", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Target", acmexport.Target)
		req.Header.Set("X-Padding", strings.Repeat("a", 8<<10))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
			t.Errorf("status %d, want 431", res.StatusCode)
		}
	})

	t.Run("one byte at a time", func(t *testing.T) {
		conn, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		start := time.Now()
		head := "POST / HTTP/1.1\r\nHost: x\r\nX-Amz-Target: " + acmexport.Target + "\r\n"
		var werr error
		for i := 0; i < len(head) && werr == nil; i++ {
			_, werr = conn.Write([]byte{head[i]})
			time.Sleep(100 * time.Millisecond)
		}
		// The server gives up on the header after readHeader and closes
		// the connection; a read then ends at once.
		conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		io.Copy(io.Discard, conn)
		if took := time.Since(start); took > 4*time.Second {
			t.Errorf("a slow client held a connection for %v, want it cut off after about 0.5s", took)
		}
	})

	t.Run("many idle connections", func(t *testing.T) {
		var conns []net.Conn
		for range 200 {
			c, err := net.Dial("tcp", s.addr)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		if status, out := post(t, s.addr, body); status != 200 {
			t.Errorf("with 200 idle connections open: status %d, body %v", status, out)
		}
		// Each of them is closed by the server once the header timeout
		// runs out, without a byte sent.
		for _, c := range conns {
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			if _, err := c.Read(make([]byte, 1)); err != io.EOF {
				t.Fatalf("an idle connection was not closed by the server: %v", err)
			}
			c.Close()
		}
	})

	t.Run("chunked body over the limit", func(t *testing.T) {
		pr, pw := io.Pipe()
		go func() {
			pw.Write([]byte(`{"CertificateArn":"` + arn + `","Extra":"`))
			for range 100 {
				if _, err := pw.Write(bytes.Repeat([]byte("a"), 1<<10)); err != nil {
					return
				}
			}
			pw.Write([]byte(`"}`))
			pw.Close()
		}()
		req, err := http.NewRequest("POST", "http://"+s.addr+"/", pr)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Amz-Target", acmexport.Target)
		req.Header.Set("Content-Type", acmexport.ContentType)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var out map[string]string
		json.NewDecoder(res.Body).Decode(&out)
		if res.StatusCode != 400 || out["__type"] != "SerializationException" {
			t.Errorf("status %d, body %v; want 400 SerializationException", res.StatusCode, out)
		}
		pr.Close()
	})
}

// TestServerLoad sends a bounded mix of exports and every error case from
// many clients at once, checks every answer, and then that no goroutine is
// left behind and that the heap stayed flat.
func TestServerLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("the load test takes a few seconds")
	}
	before := runtime.NumGoroutine()
	s := startServer(t, "-ca-failures", "-throttle", "7")
	p256 := s.arn(t, "ISSUED PRIVATE EC_prime256v1 ENABLED")
	pass := base64.StdEncoding.EncodeToString([]byte("load-test-passphrase"))
	kinds := []struct {
		body   string
		status int
		code   string
	}{
		{`{"CertificateArn":"` + p256 + `","Passphrase":"` + pass + `"}`, 200, ""},
		{`{"CertificateArn":"` + s.arn(t, "PENDING_VALIDATION AMAZON_ISSUED RSA_2048 ENABLED") + `","Passphrase":"` + pass + `"}`, 400, "RequestInProgressException"},
		{`{"CertificateArn":"` + s.arn(t, "ISSUED IMPORTED RSA_2048 DISABLED") + `","Passphrase":"` + pass + `"}`, 400, "ValidationException"},
		{`{"CertificateArn":"` + p256[:len(p256)-4] + `0000","Passphrase":"` + pass + `"}`, 400, "ResourceNotFoundException"},
		{`{"CertificateArn":"` + strings.Replace(p256, "111122223333", "999999999999", 1) + `","Passphrase":"` + pass + `"}`, 400, "InvalidArnException"},
		{`{"CertificateArn":"x","Passphrase":"YWJj"}`, 400, "ValidationException"},
		{`{"CertificateArn":"` + p256 + `","Passphrase":"foobar"}`, 400, "SerializationException"},
		{`{"CertificateArn":"` + s.arn(t, "CA_FAILURE") + `","Passphrase":"` + pass + `"}`, 500, "InternalFailure"},
		{`{"CertificateArn":"` + s.arn(t, "ACCESS_DENIED") + `","Passphrase":"` + pass + `"}`, 403, "AccessDeniedException"},
	}

	const clients, perClient = 32, 30
	client := &http.Client{Timeout: 30 * time.Second}
	var heap []uint64
	var mu sync.Mutex
	var wg sync.WaitGroup
	deadline := time.Now().Add(2 * time.Minute)
	for c := range clients {
		wg.Go(func() {
			for i := range perClient {
				if time.Now().After(deadline) {
					t.Errorf("client %d: out of time after %d requests", c, i)
					return
				}
				k := kinds[(c+i)%len(kinds)]
				status, code, err := send(client, s.addr, k.body)
				switch {
				case err != nil:
					t.Errorf("client %d, request %d: %v", c, i, err)
				case code == "ThrottlingException" && status == 400:
					// -throttle 7: every 7th request, whatever it is.
				case status != k.status || code != k.code:
					t.Errorf("client %d, request %d: %d %q, want %d %q", c, i, status, code, k.status, k.code)
				}
				if c == 0 && i%10 == 0 {
					mu.Lock()
					heap = append(heap, heapInUse())
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	client.CloseIdleConnections()
	s.stop(t)

	t.Logf("heap in use while serving %d requests, sampled: %v MiB", clients*perClient, mib(heap))
	if len(heap) >= 2 && heap[len(heap)-1] > heap[0]+64<<20 {
		t.Errorf("the heap grew from %d to %d MiB", heap[0]>>20, heap[len(heap)-1]>>20)
	}
	// Goroutines of the closed connections end shortly after.
	var after int
	for range 50 {
		if after = runtime.NumGoroutine(); after <= before {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Logf("goroutines: %d before the server started, %d after it stopped", before, after)
	if after > before {
		buf := make([]byte, 1<<20)
		t.Errorf("%d goroutines left behind:\n%s", after-before, buf[:runtime.Stack(buf, true)])
	}
}

func send(client *http.Client, addr, body string) (int, string, error) {
	req, err := http.NewRequest("POST", "http://"+addr+"/", strings.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("X-Amz-Target", acmexport.Target)
	req.Header.Set("Content-Type", acmexport.ContentType)
	res, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer res.Body.Close()
	var out map[string]string
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		return res.StatusCode, "", fmt.Errorf("status %d, body not JSON: %w", res.StatusCode, err)
	}
	if res.StatusCode == 200 && (out["PrivateKey"] == "" || out["Certificate"] == "") {
		return 200, "", fmt.Errorf("200 without a key and a certificate: %v", out)
	}
	return res.StatusCode, out["__type"], nil
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

func mib(xs []uint64) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%.1f", float64(x)/(1<<20))
	}
	return out
}

// TestServerSignalShutdown builds the server, starts a request whose body
// is still being sent, sends SIGTERM, and checks that the request is
// answered and the server exits 0.
func TestServerSignalShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the server")
	}
	bin := filepath.Join(t.TempDir(), "server")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	var addr, arn string
	listening := regexp.MustCompile(`^listening on http://(127\.0\.0\.1:\d+)$`)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); arn == "" && len(f) == 5 && f[1] == "PRIVATE" {
			arn = f[4]
		}
		if m := listening.FindStringSubmatch(sc.Text()); m != nil {
			addr = m[1]
			break
		}
	}
	if addr == "" || arn == "" {
		t.Fatalf("no listening line or ARN; stderr:\n%s", stderr.String())
	}
	go io.Copy(io.Discard, stdout)

	body := `{"CertificateArn":"` + arn + `","Passphrase":"cGFzc3dvcmQ="}`
	pr, pw := io.Pipe()
	req, err := http.NewRequest("POST", "http://"+addr+"/", pr)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", acmexport.Target)
	req.Header.Set("Content-Type", acmexport.ContentType)
	type result struct {
		status int
		err    error
	}
	answered := make(chan result, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			answered <- result{0, err}
			return
		}
		res.Body.Close()
		answered <- result{res.StatusCode, nil}
	}()
	pw.Write([]byte(body[:20]))
	time.Sleep(200 * time.Millisecond) // the request is in flight

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	pw.Write([]byte(body[20:]))
	pw.Close()

	select {
	case r := <-answered:
		if r.err != nil || r.status != 200 {
			t.Errorf("the request in flight at SIGTERM got %d, %v; want 200", r.status, r.err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the request in flight was not answered")
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("the server exited with %v, want 0; stderr:\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the server did not exit after SIGTERM")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("no shutdown in the log:\n%s", stderr.String())
	}
}
