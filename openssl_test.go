package acmexport_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acmexport/acmexport"
	"github.com/acmexport/acmexport/memca"
)

// These tests hand exported keys and chains to the openssl command, the
// tool the ExportCertificate documentation tells users to open keys with.
// They need OpenSSL 3 on PATH and skip without it.
//
// Passphrases go to OpenSSL with -passin file:PATH, the file holding the
// passphrase bytes and nothing else. Per openssl-passphrase-options(1), and
// as seen with OpenSSL 3.0, file: reads only the first line and drops the
// line feed, and fd: and stdin do the same; a carriage return is kept. Only
// pass: and env: hand OpenSSL the bytes unchanged, so the one test whose
// passphrase ends in a line feed uses env: (pass: would show it in ps).

// openSSLPassphrase has spaces at both ends, which file: keeps: only a line
// feed ends what it reads.
const openSSLPassphrase = " correct horse, battery staple "

// opensslTool runs the openssl command.
type opensslTool struct {
	path string
}

func requireOpenSSL(t *testing.T) opensslTool {
	t.Helper()
	path, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not found on PATH; install OpenSSL 3 to run the interop tests")
	}
	return opensslTool{path: path}
}

// run runs openssl with args and, if env is not nil, env added to the
// environment. Standard input is empty, so OpenSSL can never wait for a
// passphrase typed in. The error of a failed run holds OpenSSL's stderr.
func (o opensslTool) run(t *testing.T, env []string, args ...string) ([]byte, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), o.path, args...)
	if env != nil {
		cmd.Env = append(os.Environ(), env...)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return stdout.Bytes(), fmt.Errorf("openssl %s: %w: %s", strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}

func (o opensslTool) mustRun(t *testing.T, args ...string) []byte {
	t.Helper()
	out, err := o.run(t, nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// mustFail runs openssl and fails the test unless it ran and exited with a
// non-zero status.
func (o opensslTool) mustFail(t *testing.T, env []string, args ...string) {
	t.Helper()
	_, err := o.run(t, env, args...)
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() == 0 {
		t.Errorf("openssl %s = %v, want a non-zero exit status", strings.Join(args, " "), err)
	}
}

// version returns OpenSSL's major and minor version.
func (o opensslTool) version(t *testing.T) (major, minor int) {
	t.Helper()
	out := o.mustRun(t, "version")
	m := regexp.MustCompile(`^OpenSSL (\d+)\.(\d+)\.`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("openssl version = %q, want OpenSSL 3", out)
	}
	major, _ = strconv.Atoi(string(m[1]))
	minor, _ = strconv.Atoi(string(m[2]))
	if major < 3 {
		t.Skipf("openssl version = %q; the interop tests need OpenSSL 3", bytes.TrimSpace(out))
	}
	return major, minor
}

func osslWriteFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// osslExport exports arn from the demo CA with passphrase and cfg.
func osslExport(t *testing.T, d *demoCA, arn string, passphrase []byte, cfg *acmexport.Config) *acmexport.Response {
	t.Helper()
	resp, err := acmexport.Export(t.Context(), d, &acmexport.Request{CertificateArn: &arn, Passphrase: passphrase}, cfg)
	if err != nil {
		t.Fatalf("Export(%q) = %v", arn, err)
	}
	return resp
}

// osslCAKey returns the key the demo CA holds for arn.
func osslCAKey(t *testing.T, d *demoCA, arn string) crypto.Signer {
	t.Helper()
	key, err := d.PrivateKey(context.Background(), arn)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// osslParsePlainKey parses the one unencrypted PEM key OpenSSL wrote: PKCS#8
// (PRIVATE KEY), PKCS#1 (RSA PRIVATE KEY) or SEC 1 (EC PRIVATE KEY), as
// wantLabel says it must be.
func osslParsePlainKey(t *testing.T, out []byte, wantLabel string) any {
	t.Helper()
	block, rest := pem.Decode(out)
	if block == nil || len(bytes.TrimSpace(rest)) > 0 {
		t.Fatalf("openssl wrote %q, want one PEM block", out)
	}
	if block.Type != wantLabel || len(block.Headers) > 0 {
		t.Fatalf("openssl wrote a %q block with headers %v, want %q without", block.Type, block.Headers, wantLabel)
	}
	var key any
	var err error
	switch block.Type {
	case "PRIVATE KEY":
		key, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	case "RSA PRIVATE KEY":
		key, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	case "EC PRIVATE KEY":
		key, err = x509.ParseECPrivateKey(block.Bytes)
	}
	if err != nil {
		t.Fatalf("parsing the %s openssl wrote: %v", block.Type, err)
	}
	return key
}

func osslCheckSameKey(t *testing.T, what string, got any, want crypto.Signer) {
	t.Helper()
	k, ok := got.(interface{ Equal(crypto.PrivateKey) bool })
	if !ok || !k.Equal(want) {
		t.Errorf("%s gave a %T that is not the CA's key", what, got)
	}
}

var osslKeyAlgorithms = []struct {
	alg  acmexport.KeyAlgorithm
	arn  func(*demoCA) string
	tool string // the algorithm's own openssl command
	// plainLabel is the label that tool writes an unencrypted key under,
	// with OpenSSL 3's defaults.
	plainLabel string
}{
	{acmexport.RSA2048, func(d *demoCA) string { return d.rsa }, "rsa", "PRIVATE KEY"},
	{acmexport.ECPrime256v1, func(d *demoCA) string { return d.p256 }, "ec", "EC PRIVATE KEY"},
	{acmexport.ECSecp384r1, func(d *demoCA) string { return d.p384 }, "ec", "EC PRIVATE KEY"},
}

func TestOpenSSLOpensKey(t *testing.T) {
	o := requireOpenSSL(t)
	o.version(t)
	d := sharedDemoCA(t)
	for _, ka := range osslKeyAlgorithms {
		t.Run(string(ka.alg), func(t *testing.T) {
			arn := ka.arn(d)
			resp := osslExport(t, d, arn, []byte(openSSLPassphrase), nil)
			want := osslCAKey(t, d, arn)

			dir := t.TempDir()
			keyPath := osslWriteFile(t, dir, "key.pem", []byte(resp.PrivateKey))
			pass := "file:" + osslWriteFile(t, dir, "pass", []byte(openSSLPassphrase))
			wrong := "file:" + osslWriteFile(t, dir, "wrong", []byte(strings.TrimSpace(openSSLPassphrase)))

			out := o.mustRun(t, "pkey", "-in", keyPath, "-passin", pass)
			osslCheckSameKey(t, "openssl pkey", osslParsePlainKey(t, out, "PRIVATE KEY"), want)

			out = o.mustRun(t, ka.tool, "-in", keyPath, "-passin", pass)
			osslCheckSameKey(t, "openssl "+ka.tool, osslParsePlainKey(t, out, ka.plainLabel), want)

			// The passphrase without its edge spaces is a wrong one.
			o.mustFail(t, nil, "pkey", "-in", keyPath, "-passin", wrong)
			o.mustFail(t, nil, ka.tool, "-in", keyPath, "-passin", wrong)
		})
	}
}

// osslASN1Line is one line of `openssl asn1parse` output.
type osslASN1Line struct {
	Depth  int
	Length int    // of the contents
	Cons   bool   // constructed, not primitive
	Tag    string // "SEQUENCE", "OBJECT", "OCTET STRING", ...
	Value  string // what follows the tag's colon: a name, a hex number or a hex dump
}

// osslASN1LineRE matches lines such as
//
//	33:d=5  hl=2 l=  20 prim: OCTET STRING      [HEX DUMP]:B194...
var osslASN1LineRE = regexp.MustCompile(`^\s*\d+:d=(\d+)\s+hl=\d+\s+l=\s*(\d+)\s+(prim|cons):\s*(.*)$`)

// asn1Parse runs `openssl asn1parse` on the PEM file at path and parses
// every line of its output.
func (o opensslTool) asn1Parse(t *testing.T, path string) []osslASN1Line {
	t.Helper()
	out := o.mustRun(t, "asn1parse", "-in", path)
	var lines []osslASN1Line
	for text := range strings.Lines(string(out)) {
		text = strings.TrimRight(text, " \r\n")
		m := osslASN1LineRE.FindStringSubmatch(text)
		if m == nil {
			t.Fatalf("openssl asn1parse wrote %q, which is not an element", text)
		}
		var l osslASN1Line
		l.Depth, _ = strconv.Atoi(m[1])
		l.Length, _ = strconv.Atoi(m[2])
		l.Cons = m[3] == "cons"
		tag, value, _ := strings.Cut(m[4], ":")
		// A primitive's contents may be printed as "[HEX DUMP]:..." or,
		// if they happen to be printable, as text: only Length is
		// trusted for OCTET STRINGs.
		l.Tag = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(tag), "[HEX DUMP]"))
		l.Value = value
		lines = append(lines, l)
	}
	return lines
}

// shape describes line for comparison: depth, tag and value, and the length
// of OCTET STRINGs, which is what matters of a salt or an IV.
func (l osslASN1Line) shape() string {
	s := fmt.Sprintf("d=%d %s", l.Depth, l.Tag)
	switch {
	case l.Tag == "OCTET STRING":
		s += fmt.Sprintf(" l=%d", l.Length)
	case !l.Cons && l.Value != "":
		s += " :" + l.Value
	}
	return s
}

// osslPBES2Lines returns the shapes of the elements of an
// EncryptedPrivateKeyInfo up to the encrypted data, which it checks apart:
// its length depends on the key.
func osslPBES2Lines(t *testing.T, lines []osslASN1Line) []string {
	t.Helper()
	if len(lines) == 0 {
		t.Fatal("openssl asn1parse wrote nothing")
	}
	last := lines[len(lines)-1]
	if last.Depth != 1 || last.Tag != "OCTET STRING" || last.Length == 0 || last.Length%16 != 0 {
		t.Errorf("last element = %s, want the encrypted data: d=1 OCTET STRING, a multiple of 16 bytes", last.shape())
	}
	var shapes []string
	for _, l := range lines[:len(lines)-1] {
		shapes = append(shapes, l.shape())
	}
	return shapes
}

// osslIterationsHex is an iteration count as asn1parse prints an INTEGER.
func osslIterationsHex(n int64) string {
	return fmt.Sprintf("%X", big.NewInt(n).Bytes())
}

func TestOpenSSLASN1ParseDefault(t *testing.T) {
	o := requireOpenSSL(t)
	o.version(t)
	d := sharedDemoCA(t)
	// ACM's own parameters: no PRF element, so no keyLength or PRF line
	// between the iteration count and the cipher.
	want := []string{
		"d=0 SEQUENCE",
		"d=1 SEQUENCE",
		"d=2 OBJECT :PBES2",
		"d=2 SEQUENCE",
		"d=3 SEQUENCE",
		"d=4 OBJECT :PBKDF2",
		"d=4 SEQUENCE",
		"d=5 OCTET STRING l=20",
		"d=5 INTEGER :0800",
		"d=3 SEQUENCE",
		"d=4 OBJECT :aes-256-cbc",
		"d=4 OCTET STRING l=16",
	}
	if got := "d=5 INTEGER :" + osslIterationsHex(acmexport.DefaultIterations); got != want[8] {
		t.Fatalf("osslIterationsHex(%d) = %q, want %q", acmexport.DefaultIterations, got, want[8])
	}
	for _, ka := range osslKeyAlgorithms {
		t.Run(string(ka.alg), func(t *testing.T) {
			resp := osslExport(t, d, ka.arn(d), []byte(openSSLPassphrase), nil)
			lines := o.asn1Parse(t, osslWriteFile(t, t.TempDir(), "key.pem", []byte(resp.PrivateKey)))
			if diff := cmp.Diff(want, osslPBES2Lines(t, lines)); diff != "" {
				t.Errorf("openssl asn1parse of the default export (-want +got):\n%s", diff)
			}
			for _, l := range lines {
				if l.Tag == "OBJECT" && strings.HasPrefix(l.Value, "hmacWith") {
					t.Errorf("openssl asn1parse shows %s, want no PRF at all", l.shape())
				}
			}
		})
	}
}

func TestOpenSSLHMACSHA256(t *testing.T) {
	o := requireOpenSSL(t)
	o.version(t)
	d := sharedDemoCA(t)
	const iterations = 100000
	cfg := &acmexport.Config{KeyFormat: acmexport.KeyFormatHMACSHA256, Iterations: iterations}
	want := []string{
		"d=0 SEQUENCE",
		"d=1 SEQUENCE",
		"d=2 OBJECT :PBES2",
		"d=2 SEQUENCE",
		"d=3 SEQUENCE",
		"d=4 OBJECT :PBKDF2",
		"d=4 SEQUENCE",
		"d=5 OCTET STRING l=16",
		"d=5 INTEGER :0186A0",
		"d=5 SEQUENCE",
		"d=6 OBJECT :hmacWithSHA256",
		"d=6 NULL",
		"d=3 SEQUENCE",
		"d=4 OBJECT :aes-256-cbc",
		"d=4 OCTET STRING l=16",
	}
	if got := "d=5 INTEGER :" + osslIterationsHex(iterations); got != want[8] {
		t.Fatalf("osslIterationsHex(%d) = %q, want %q", iterations, got, want[8])
	}
	for _, ka := range osslKeyAlgorithms {
		t.Run(string(ka.alg), func(t *testing.T) {
			arn := ka.arn(d)
			resp := osslExport(t, d, arn, []byte(openSSLPassphrase), cfg)
			dir := t.TempDir()
			keyPath := osslWriteFile(t, dir, "key.pem", []byte(resp.PrivateKey))

			if diff := cmp.Diff(want, osslPBES2Lines(t, o.asn1Parse(t, keyPath))); diff != "" {
				t.Errorf("openssl asn1parse of the KeyFormatHMACSHA256 export (-want +got):\n%s", diff)
			}

			pass := "file:" + osslWriteFile(t, dir, "pass", []byte(openSSLPassphrase))
			out := o.mustRun(t, "pkey", "-in", keyPath, "-passin", pass)
			osslCheckSameKey(t, "openssl pkey", osslParsePlainKey(t, out, "PRIVATE KEY"), osslCAKey(t, d, arn))
		})
	}
}

func TestOpenSSLVerifyChain(t *testing.T) {
	o := requireOpenSSL(t)
	o.version(t)
	d := sharedDemoCA(t)
	other, err := memca.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	otherRoot := acmexport.EncodePEM(acmexport.LabelCertificate, other.Root().Raw)

	for _, ka := range osslKeyAlgorithms {
		t.Run(string(ka.alg), func(t *testing.T) {
			resp := osslExport(t, d, ka.arn(d), []byte(openSSLPassphrase), nil)
			chain, err := acmexport.DecodePEM(resp.CertificateChain, acmexport.LabelCertificate)
			if err != nil {
				t.Fatal(err)
			}
			if len(chain) < 2 {
				t.Fatalf("the chain holds %d certificates, want the intermediate and the root", len(chain))
			}
			leaf, err := x509.ParseCertificate(osslDecodeOne(t, resp.Certificate))
			if err != nil {
				t.Fatal(err)
			}

			dir := t.TempDir()
			cert := osslWriteFile(t, dir, "cert.pem", []byte(resp.Certificate))
			whole := osslWriteFile(t, dir, "chain.pem", []byte(resp.CertificateChain))
			// The root is the chain's last block; the rest is what a
			// server sends besides its own certificate.
			root := osslWriteFile(t, dir, "root.pem", []byte(acmexport.EncodePEM(acmexport.LabelCertificate, chain[len(chain)-1])))
			inters := osslWriteFile(t, dir, "intermediates.pem", []byte(acmexport.EncodePEM(acmexport.LabelCertificate, chain[:len(chain)-1]...)))
			wrongRoot := osslWriteFile(t, dir, "other-root.pem", []byte(otherRoot))
			strict := []string{"-x509_strict", "-purpose", "sslserver", "-verify_hostname", leaf.DNSNames[0]}

			tests := []struct {
				name string
				args []string
				ok   bool
			}{
				// Right: trust only the root, and take the rest as
				// untrusted intermediates.
				{"root trusted, intermediates untrusted", []string{"-CAfile", root, "-untrusted", inters}, true},
				// Also works: trust still comes from -CAfile alone, so the
				// root among the untrusted certificates is harmless.
				{"root trusted, whole chain untrusted", []string{"-CAfile", root, "-untrusted", whole}, true},
				{"no intermediates", []string{"-CAfile", root}, false},
				{"another CA's root", []string{"-CAfile", wrongRoot, "-untrusted", whole}, false},
			}
			for _, tc := range tests {
				args := append(append(append([]string{"verify"}, strict...), tc.args...), cert)
				out, err := o.run(t, nil, args...)
				switch {
				case tc.ok && err != nil:
					t.Errorf("%s: %v", tc.name, err)
				case tc.ok && strings.TrimSpace(string(out)) != cert+": OK":
					t.Errorf("%s: openssl verify wrote %q, want %q", tc.name, out, cert+": OK")
				case !tc.ok:
					var exit *exec.ExitError
					if !errors.As(err, &exit) {
						t.Errorf("%s: openssl %s = %v, want a non-zero exit status", tc.name, strings.Join(args, " "), err)
					}
				}
			}
		})
	}
}

func osslDecodeOne(t *testing.T, text string) []byte {
	t.Helper()
	blocks, err := acmexport.DecodePEM(text, acmexport.LabelCertificate)
	if err != nil || len(blocks) != 1 {
		t.Fatalf("DecodePEM: %d blocks, %v", len(blocks), err)
	}
	return blocks[0]
}

// TestOpenSSLEncryptsAlike compares a key OpenSSL encrypts itself, with
// `openssl pkcs8 -topk8 -v2 aes-256-cbc` and its defaults, with
// KeyFormatHMACSHA256 at 2048 iterations. Observed with OpenSSL 3.0.19:
// PBES2, PBKDF2 with 2048 iterations and hmacWithSHA256 (NULL parameters)
// written out, AES-256-CBC with a 16-byte IV, and an 8-byte salt. The salt
// is the one difference: ours is 16 bytes. OpenSSL 3.2 raised its default
// PBKDF2 salt to 16 bytes; that is from its change log, not seen here.
func TestOpenSSLEncryptsAlike(t *testing.T) {
	o := requireOpenSSL(t)
	major, minor := o.version(t)
	wantOpenSSLSalt := 16
	if major == 3 && minor < 2 {
		wantOpenSSLSalt = 8
	}

	d := sharedDemoCA(t)
	arn := d.p256
	dir := t.TempDir()
	pass := "file:" + osslWriteFile(t, dir, "pass", []byte(openSSLPassphrase))

	// OpenSSL's own encryption of the memca key, which it first opens from
	// the default export.
	acmKey := osslWriteFile(t, dir, "acm.pem", []byte(osslExport(t, d, arn, []byte(openSSLPassphrase), nil).PrivateKey))
	plain := filepath.Join(dir, "plain.pem")
	o.mustRun(t, "pkey", "-in", acmKey, "-passin", pass, "-out", plain)
	theirs := filepath.Join(dir, "openssl.pem")
	o.mustRun(t, "pkcs8", "-topk8", "-v2", "aes-256-cbc", "-in", plain, "-passout", pass, "-out", theirs)

	ours := osslWriteFile(t, dir, "ours.pem", []byte(osslExport(t, d, arn, []byte(openSSLPassphrase),
		&acmexport.Config{KeyFormat: acmexport.KeyFormatHMACSHA256, Iterations: 2048}).PrivateKey))

	// Line by line, as asn1parse shows them, the salt aside.
	saltShape := func(n int) string { return fmt.Sprintf("d=5 OCTET STRING l=%d", n) }
	oursLines := osslPBES2Lines(t, o.asn1Parse(t, ours))
	theirLines := osslPBES2Lines(t, o.asn1Parse(t, theirs))
	if len(oursLines) < 8 || len(theirLines) < 8 {
		t.Fatalf("asn1parse shows %d and %d elements, want a PBES2 structure", len(oursLines), len(theirLines))
	}
	if got, want := oursLines[7], saltShape(16); got != want {
		t.Errorf("our salt = %s, want %s", got, want)
	}
	if got, want := theirLines[7], saltShape(wantOpenSSLSalt); got != want {
		t.Errorf("OpenSSL's salt = %s, want %s", got, want)
	}
	oursLines[7], theirLines[7] = "salt", "salt"
	if diff := cmp.Diff(theirLines, oursLines); diff != "" {
		t.Errorf("asn1parse of KeyFormatHMACSHA256 at 2048 iterations differs from OpenSSL's own (-openssl +ours):\n%s", diff)
	}

	// The same through encoding/asn1. DecodePEM's strict reading also
	// accepts the PEM OpenSSL writes.
	theirText, err := os.ReadFile(theirs)
	if err != nil {
		t.Fatal(err)
	}
	oursShape, theirShape := readPBES2(t, osslReadFile(t, ours)), readPBES2(t, string(theirText))
	if len(theirShape.Salt) != wantOpenSSLSalt || len(oursShape.Salt) != 16 {
		t.Errorf("salts of %d (OpenSSL) and %d (ours) bytes, want %d and 16", len(theirShape.Salt), len(oursShape.Salt), wantOpenSSLSalt)
	}
	if len(theirShape.IV) != 16 || len(oursShape.IV) != 16 {
		t.Errorf("IVs of %d (OpenSSL) and %d (ours) bytes, want 16", len(theirShape.IV), len(oursShape.IV))
	}
	theirShape.Salt, theirShape.IV, oursShape.Salt, oursShape.IV = nil, nil, nil, nil
	if diff := cmp.Diff(theirShape, oursShape); diff != "" {
		t.Errorf("PBES2 parameters differ from OpenSSL's own (-openssl +ours):\n%s", diff)
	}

	// And the client side opens both to the key the CA holds.
	want := osslCAKey(t, d, arn)
	for name, text := range map[string]string{"OpenSSL's": string(theirText), "ours": osslReadFile(t, ours)} {
		key, err := acmexport.DecryptKey(text, []byte(openSSLPassphrase), nil)
		if err != nil {
			t.Fatalf("DecryptKey(%s) = %v", name, err)
		}
		osslCheckSameKey(t, "DecryptKey("+name+")", key, want)
	}
}

func osslReadFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestOpenSSLPassphraseNewline shows what a passphrase ending in a line
// feed takes: Export uses it byte for byte, and so does OpenSSL given it
// through env:, but file: drops the line feed and so opens nothing.
func TestOpenSSLPassphraseNewline(t *testing.T) {
	o := requireOpenSSL(t)
	o.version(t)
	d := sharedDemoCA(t)
	arn := d.p256
	passphrase := []byte("correct horse battery staple\n")

	resp := osslExport(t, d, arn, passphrase, nil)
	got := openResponse(t, resp, passphrase, d.Roots())
	osslCheckSameKey(t, "decrypting with the exact bytes", got.key, osslCAKey(t, d, arn))

	dir := t.TempDir()
	keyPath := osslWriteFile(t, dir, "key.pem", []byte(resp.PrivateKey))
	passFile := osslWriteFile(t, dir, "pass", passphrase)

	out, err := o.run(t, []string{"ACMEXPORT_TEST_PASSPHRASE=" + string(passphrase)},
		"pkey", "-in", keyPath, "-passin", "env:ACMEXPORT_TEST_PASSPHRASE")
	if err != nil {
		t.Fatalf("openssl pkey -passin env: %v", err)
	}
	osslCheckSameKey(t, "openssl pkey -passin env:", osslParsePlainKey(t, out, "PRIVATE KEY"), osslCAKey(t, d, arn))

	o.mustFail(t, nil, "pkey", "-in", keyPath, "-passin", "file:"+passFile)
}
