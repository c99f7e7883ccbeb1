package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/acmexport/acmexport"
)

// syncBuffer is a bytes.Buffer that the server and the test may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestServer(t *testing.T) {
	srv := startServer(t)
	addr, stdout, stderr := srv.addr, srv.stdout, srv.stderr

	// The banner: one line per certificate, the address, the command.
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	certLine := regexp.MustCompile(`^(ISSUED|PENDING_VALIDATION) (PRIVATE|AMAZON_ISSUED|IMPORTED) (RSA_2048|EC_prime256v1|EC_secp384r1) (ENABLED|DISABLED) (arn:aws:acm:us-east-1:111122223333:certificate/[0-9a-f-]{36})$`)
	var kinds []string
	arns := map[string]string{}
	for _, line := range lines[:len(lines)-2] {
		m := certLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("certificate line %q does not read STATUS TYPE KEY_ALGORITHM EXPORT ARN", line)
		}
		kind := strings.Join(m[1:5], " ")
		kinds = append(kinds, kind)
		arns[kind] = m[5]
	}
	want := []string{
		"ISSUED PRIVATE RSA_2048 ENABLED", "ISSUED PRIVATE EC_prime256v1 ENABLED", "ISSUED PRIVATE EC_secp384r1 ENABLED",
		"PENDING_VALIDATION AMAZON_ISSUED RSA_2048 ENABLED", "ISSUED IMPORTED RSA_2048 DISABLED",
		"ISSUED AMAZON_ISSUED RSA_2048 ENABLED", "ISSUED AMAZON_ISSUED RSA_2048 DISABLED",
	}
	if strings.Join(kinds, "\n") != strings.Join(want, "\n") {
		t.Errorf("certificates printed:\n%s\nwant:\n%s", strings.Join(kinds, "\n"), strings.Join(want, "\n"))
	}
	if got := lines[len(lines)-2]; got != "listening on http://"+addr {
		t.Errorf("listening line = %q, want %q", got, "listening on http://"+addr)
	}
	first := arns["ISSUED PRIVATE RSA_2048 ENABLED"]
	if cmd := lines[len(lines)-1]; !strings.Contains(cmd, "aws acm export-certificate") ||
		!strings.Contains(cmd, "--endpoint-url http://"+addr) || !strings.Contains(cmd, "--certificate-arn "+first) {
		t.Errorf("command line = %q, want an AWS CLI command exporting %s from %s", cmd, first, addr)
	}

	// A request that exports and one of each error path through it.
	const passphrase = "Unmistakable-Passphrase-7"
	b64 := base64.StdEncoding.EncodeToString([]byte(passphrase))
	var keys []string
	for kind, arn := range arns {
		status, body := post(t, addr, `{"CertificateArn":"`+arn+`","Passphrase":"`+b64+`"}`)
		exports := strings.HasPrefix(kind, "ISSUED PRIVATE") || kind == "ISSUED AMAZON_ISSUED RSA_2048 ENABLED"
		if exports != (status == http.StatusOK) {
			t.Errorf("exporting %s: status %d, body %v", kind, status, body)
		}
		keys = append(keys, body["PrivateKey"])
	}
	if status, body := post(t, addr, `{"CertificateArn":"`+first+`","Passphrase":"`+base64.StdEncoding.EncodeToString([]byte("a#"+passphrase))+`"}`); status != 400 || body["__type"] != "ValidationException" {
		t.Errorf("passphrase with #: status %d, body %v; want a ValidationException", status, body)
	}

	srv.stop(t)

	logs := stderr.String()
	if !strings.Contains(logs, "requests are not authenticated") {
		t.Errorf("logs do not warn that requests are not authenticated:\n%s", logs)
	}
	if !regexp.MustCompile(`status=400 error=ValidationException request_id=[0-9a-f-]{36} `).MatchString(logs) {
		t.Errorf("logs do not name the error code and request ID of a failed request:\n%s", logs)
	}
	if n := strings.Count(logs, "msg=request "); n != len(arns)+1 {
		t.Errorf("logs hold %d request lines, want %d:\n%s", n, len(arns)+1, logs)
	}
	for _, secret := range append([]string{passphrase, b64}, keys...) {
		if secret != "" && strings.Contains(logs, secret) {
			t.Errorf("logs hold a passphrase or key:\n%s", logs)
		}
	}
}

func post(t *testing.T, addr, body string) (int, map[string]string) {
	t.Helper()
	return roundTrip(t, exportRequest(t, addr, body))
}

// exportRequest is an ExportCertificate request for the server at addr.
func exportRequest(t *testing.T, addr, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest("POST", "http://"+addr+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Amz-Target", acmexport.Target)
	req.Header.Set("Content-Type", acmexport.ContentType)
	return req
}

// roundTrip sends req and returns the status and the JSON body.
func roundTrip(t *testing.T, req *http.Request) (int, map[string]string) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]string
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, out
}

func TestServerFlags(t *testing.T) {
	srv := startServer(t, "-ca-failures", "-throttle", "2", "-any-passphrase-bytes")
	addr, stdout, stderr := srv.addr, srv.stdout, srv.stderr

	// The two failing ARNs come after the seven certificates, before the
	// address, each on its own line.
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(lines) != 7+2+2 {
		t.Fatalf("banner has %d lines, want 11:\n%s", len(lines), stdout.String())
	}
	failLine := regexp.MustCompile(`^(CA_FAILURE|ACCESS_DENIED) (arn:aws:acm:us-east-1:111122223333:certificate/[0-9a-f-]{36})$`)
	arns := map[string]string{}
	for i, want := range []string{"CA_FAILURE", "ACCESS_DENIED"} {
		m := failLine.FindStringSubmatch(lines[7+i])
		if m == nil || m[1] != want {
			t.Fatalf("banner line %d = %q, want %s ARN", 7+i, lines[7+i], want)
		}
		arns[want] = m[2]
	}
	if !strings.HasPrefix(lines[9], "listening on ") {
		t.Errorf("banner line 9 = %q, want the listening line", lines[9])
	}
	first := strings.Fields(lines[0])[4]

	// -throttle 2 refuses the 2nd, 4th, ... ExportCertificate request.
	nonASCII := base64.StdEncoding.EncodeToString([]byte("caf\xc3\xa9 \xff\x01"))
	for i, tc := range []struct {
		arn, passphrase string
		status          int
		code, member    string
	}{
		{arns["CA_FAILURE"], "cGFzc3dvcmQ=", 500, "InternalFailure", "message"},
		{first, "cGFzc3dvcmQ=", 400, "ThrottlingException", "message"},
		{arns["ACCESS_DENIED"], "cGFzc3dvcmQ=", 403, "AccessDeniedException", "Message"},
		{first, "cGFzc3dvcmQ=", 400, "ThrottlingException", "message"},
		{first, nonASCII, 200, "", ""},
	} {
		status, body := post(t, addr, `{"CertificateArn":"`+tc.arn+`","Passphrase":"`+tc.passphrase+`"}`)
		if status != tc.status || body["__type"] != tc.code {
			t.Errorf("request %d: status %d, body %v; want %d %s", i+1, status, body, tc.status, tc.code)
		}
		if tc.member != "" && body[tc.member] == "" {
			t.Errorf("request %d: body %v has no member %q", i+1, body, tc.member)
		}
		if strings.Contains(body["message"], "unreachable") {
			t.Errorf("request %d: message %q tells the client the CA's own error", i+1, body["message"])
		}
	}

	srv.stop(t)
	if logs := stderr.String(); !strings.Contains(logs, "the certificate store is unreachable") {
		t.Errorf("logs do not hold the cause of the InternalFailure:\n%s", logs)
	}
}

func TestServerBadThrottle(t *testing.T) {
	var stdout, stderr syncBuffer
	if err := run(t.Context(), []string{"-throttle", "-1"}, &stdout, &stderr, nil); err == nil {
		t.Errorf("run(-throttle -1) = nil, want an error")
	}
	if stdout.String() != "" {
		t.Errorf("run(-throttle -1) printed %q before failing", stdout.String())
	}
}
