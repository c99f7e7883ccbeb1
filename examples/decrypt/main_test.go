package main

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acmexport/acmexport"
	"github.com/acmexport/acmexport/memca"
)

func TestDecrypt(t *testing.T) {
	ctx := t.Context()
	ca, err := memca.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	arn, err := ca.Issue(ctx, memca.Request{DomainName: "www.example.com", KeyAlgorithm: acmexport.ECPrime256v1})
	if err != nil {
		t.Fatal(err)
	}
	passphrase := []byte("testing123\n")
	resp, err := acmexport.Export(ctx, ca, &acmexport.Request{CertificateArn: &arn, Passphrase: passphrase}, nil)
	if err != nil {
		t.Fatal(err)
	}
	// As the AWS CLI prints it.
	exported, err := json.MarshalIndent(resp, "", "    ")
	if err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	jsonFile := filepath.Join(dir, "export.json")
	withNewline := filepath.Join(dir, "with-newline.txt")
	without := filepath.Join(dir, "without-newline.txt")
	rootFile := filepath.Join(dir, "root.pem")
	for name, data := range map[string][]byte{
		jsonFile:    exported,
		withNewline: passphrase,
		without:     bytes.TrimSuffix(passphrase, []byte("\n")),
		rootFile:    pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: ca.Root().Raw}),
	} {
		if err := os.WriteFile(name, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(dir, "out")
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}

	var stderr bytes.Buffer
	err = run([]string{"-passphrase-file", without, "-out", out, jsonFile}, nil, &stderr)
	if err == nil || !strings.Contains(err.Error(), "incorrect passphrase") {
		t.Fatalf("run(passphrase without its newline) = %v, want an incorrect passphrase error", err)
	}
	if entries, _ := os.ReadDir(out); len(entries) > 0 {
		t.Fatalf("a failed run wrote %d files", len(entries))
	}

	// The JSON from standard input, the chain verified to the root.
	err = run([]string{"-passphrase-file", withNewline, "-roots", rootFile, "-out", out}, bytes.NewReader(exported), &stderr)
	if err != nil {
		t.Fatalf("run() = %v; stderr:\n%s", err, stderr.String())
	}
	key := readKey(t, filepath.Join(out, "key.pem"))
	want, err := ca.PrivateKey(ctx, arn)
	if err != nil {
		t.Fatal(err)
	}
	if !want.(interface{ Equal(crypto.PrivateKey) bool }).Equal(key) {
		t.Errorf("key.pem holds another key than the CA's")
	}
	if fi, err := os.Stat(filepath.Join(out, "key.pem")); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("key.pem mode = %v, %v; want 0600", fi.Mode().Perm(), err)
	}
	if data, _ := os.ReadFile(filepath.Join(out, "certificate.pem")); string(data) != resp.Certificate {
		t.Errorf("certificate.pem differs from the exported certificate")
	}
	if data, _ := os.ReadFile(filepath.Join(out, "chain.pem")); string(data) != resp.CertificateChain {
		t.Errorf("chain.pem differs from the exported chain")
	}

	err = run([]string{"-passphrase-file", withNewline, "-out", out, jsonFile}, nil, &stderr)
	if err == nil || !strings.Contains(err.Error(), "use -force") {
		t.Errorf("run() over existing files = %v, want a refusal", err)
	}
	if err := run([]string{"-force", "-passphrase-file", withNewline, "-out", out, jsonFile}, nil, &stderr); err != nil {
		t.Errorf("run(-force) = %v", err)
	}
	if strings.Contains(stderr.String(), "testing123") {
		t.Errorf("stderr holds the passphrase:\n%s", stderr.String())
	}
}

func readKey(t *testing.T, path string) crypto.PrivateKey {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, rest := pem.Decode(data)
	if block == nil || block.Type != "PRIVATE KEY" || len(rest) > 0 {
		t.Fatalf("%s is not one PRIVATE KEY block", path)
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	return key
}
