package acmexport_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acmexport/acmexport"
)

// TestAWSCLISigV4 signs with botocore, through the AWS CLI, whose
// canonical request is built by other code than the Go SDK's: its
// signatures must verify too. It is skipped where no aws command is
// installed; the end-to-end script runs the same checks.
func TestAWSCLISigV4(t *testing.T) {
	awsPath, err := exec.LookPath("aws")
	if err != nil {
		t.Skip("no aws command: ", err)
	}
	if testing.Short() {
		t.Skip("the AWS CLI is slow to start")
	}
	d := sharedDemoCA(t)
	dir := t.TempDir()
	passFile := filepath.Join(dir, "passphrase.txt")
	configFile := filepath.Join(dir, "config")
	for _, f := range []string{passFile, configFile} {
		content := ""
		if f == passFile {
			content = authPassphrase
		}
		if err := os.WriteFile(f, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
	}

	srv := newAuthServer(t, func(h *acmexport.Handler) {
		h.Authorize = func(_ context.Context, _, arn string) (bool, error) { return arn != d.rsa, nil }
	})

	// run calls export-certificate for arn with the given key and returns
	// its standard output and error.
	run := func(keyID, secret, token, arn string) (stdout, stderr string, err error) {
		var env []string
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "AWS_") {
				env = append(env, kv)
			}
		}
		env = append(env,
			"AWS_ACCESS_KEY_ID="+keyID,
			"AWS_SECRET_ACCESS_KEY="+secret,
			"AWS_DEFAULT_REGION="+authRegion,
			"AWS_REGION="+authRegion,
			"AWS_CONFIG_FILE="+configFile,
			"AWS_SHARED_CREDENTIALS_FILE="+configFile,
			"AWS_EC2_METADATA_DISABLED=true",
			"AWS_MAX_ATTEMPTS=1",
			"AWS_PAGER=",
		)
		if token != "" {
			env = append(env, "AWS_SESSION_TOKEN="+token)
		}
		cmd := exec.CommandContext(t.Context(), awsPath, "acm", "export-certificate",
			"--endpoint-url", srv.URL,
			"--certificate-arn", arn,
			"--passphrase", "fileb://"+passFile,
			"--output", "json")
		cmd.Env = env
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err = cmd.Run()
		return out.String(), errOut.String(), err
	}

	t.Run("right secret", func(t *testing.T) {
		stdout, stderr, err := run(authKeyID, authSecret, "", d.p256)
		if err != nil {
			t.Fatalf("aws acm export-certificate: %v\n%s", err, stderr)
		}
		var resp acmexport.Response
		if err := json.Unmarshal([]byte(stdout), &resp); err != nil {
			t.Fatalf("output %q: %v", stdout, err)
		}
		openResponse(t, &resp, []byte(authPassphrase), d.Roots())
	})
	t.Run("session token", func(t *testing.T) {
		if _, stderr, err := run(authTempKeyID, authSecret, authTempToken, d.p256); err != nil {
			t.Fatalf("aws acm export-certificate: %v\n%s", err, stderr)
		}
	})

	refused := []struct {
		name, keyID, secret, arn string
		want                     []string
	}{
		{"wrong secret", authKeyID, "not-the-secret-key", d.p256, []string{"(InvalidSignatureException)", msgSignatureMismatch}},
		{"unknown key", "AKIDUNKNOWN", authSecret, d.p256, []string{"(UnrecognizedClientException)", msgUnrecognized}},
		{"refused by Authorize", authKeyID, authSecret, d.rsa, []string{
			"(AccessDeniedException)",
			"User: " + authPrincipal + " is not authorized to perform: acm:ExportCertificate on resource: " + d.rsa +
				" because no identity-based policy allows the acm:ExportCertificate action",
		}},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			before := len(srv.ca.Calls())
			_, stderr, err := run(tt.keyID, tt.secret, "", tt.arn)
			if err == nil {
				t.Fatalf("aws acm export-certificate succeeded, want %s", tt.want[0])
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("aws acm export-certificate said %q, want it to hold %q", stderr, w)
				}
			}
			if calls := srv.ca.Calls()[before:]; len(calls) > 0 {
				t.Errorf("the CA was asked %q", calls)
			}
		})
	}
}
