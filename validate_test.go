package acmexport_test

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/acmexport/acmexport"
)

const goodARN = "arn:aws:acm:us-east-1:111122223333:certificate/12345678-1234-1234-1234-123456789012"

// modelARN is the model's pattern compiled by Go's regexp, anchored at both
// ends as the model means it.
var modelARN = regexp.MustCompile(`^(?:` + acmexport.ARNPattern + `)$`)

func TestMatchARNAgreesWithModelPattern(t *testing.T) {
	for _, arn := range readARNs(t) {
		if got, want := acmexport.MatchARN(arn), modelARN.MatchString(arn); got != want {
			t.Errorf("MatchARN(%q) = %v, want %v (the model pattern's answer)", arn, got, want)
		}
	}
}

// readARNs reads testdata/arns.txt, the tricky ARNs: one Go-quoted string a
// line, after comment lines. It fails the test if there are none.
func readARNs(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "arns.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var arns []string
	for line := range strings.Lines(string(data)) {
		line = strings.TrimSuffix(line, "\n")
		if strings.HasPrefix(line, "#") || line == "" {
			continue
		}
		arn, err := strconv.Unquote(line)
		if err != nil {
			t.Fatalf("testdata/arns.txt: %q is not a Go-quoted string: %v", line, err)
		}
		arns = append(arns, arn)
	}
	if len(arns) == 0 {
		t.Fatal("testdata/arns.txt holds no ARN")
	}
	return arns
}

func TestValidateARN(t *testing.T) {
	patternRule := "Member must satisfy regular expression pattern: " + acmexport.ARNPattern
	long := "arn:aws:acm:us-east-1:111122223333:certificate/" + strings.Repeat("a", 2048)
	tests := []struct {
		arn  string
		want string // "" for valid
	}{
		{goodARN, ""},
		{"arn:aws:acm::1:certificate", ""},
		{
			"arn:aws:acm::1:c",
			"1 validation error detected: Value 'arn:aws:acm::1:c' at 'certificateArn' failed to satisfy constraint: Member must have length greater than or equal to 20",
		},
		{
			"not an arn at all, but long",
			"1 validation error detected: Value 'not an arn at all, but long' at 'certificateArn' failed to satisfy constraint: " + patternRule,
		},
		{
			"",
			"2 validation errors detected: Value '' at 'certificateArn' failed to satisfy constraint: Member must have length greater than or equal to 20; Value '' at 'certificateArn' failed to satisfy constraint: " + patternRule,
		},
		{
			long,
			"1 validation error detected: Value '" + long + "' at 'certificateArn' failed to satisfy constraint: Member must have length less than or equal to 2048",
		},
		{
			// Characters, not bytes, count: 19 characters in 20 bytes.
			"arn:aws:acm::1:cé/x",
			"2 validation errors detected: Value 'arn:aws:acm::1:cé/x' at 'certificateArn' failed to satisfy constraint: Member must have length greater than or equal to 20; Value 'arn:aws:acm::1:cé/x' at 'certificateArn' failed to satisfy constraint: " + patternRule,
		},
	}
	for _, tt := range tests {
		err := acmexport.ValidateARN(tt.arn)
		if got := message(t, err); got != tt.want {
			t.Errorf("ValidateARN(%q) = %q,\nwant %q", tt.arn, got, tt.want)
		}
	}
}

func TestValidatePassphrase(t *testing.T) {
	const (
		short = "Value at 'passphrase' failed to satisfy constraint: Member must have length greater than or equal to 4"
		long  = "Value at 'passphrase' failed to satisfy constraint: Member must have length less than or equal to 128"
		chars = "Value at 'passphrase' failed to satisfy constraint: Member must consist of ASCII characters other than #, $ and %"
	)
	tests := []struct {
		name     string
		p        []byte
		anyBytes bool
		want     string
	}{
		{"4 bytes", []byte("abcd"), false, ""},
		{"128 bytes", []byte(strings.Repeat("a", 128)), false, ""},
		{"control characters are ASCII", []byte("a\x00b\n\x7f"), false, ""},
		{"empty", []byte{}, false, "1 validation error detected: " + short},
		{"3 bytes", []byte("abc"), false, "1 validation error detected: " + short},
		{"129 bytes", []byte(strings.Repeat("a", 129)), false, "1 validation error detected: " + long},
		{"hash", []byte("ab#cd"), false, "1 validation error detected: " + chars},
		{"dollar", []byte("ab$cd"), false, "1 validation error detected: " + chars},
		{"percent", []byte("ab%cd"), false, "1 validation error detected: " + chars},
		{"non-ASCII", []byte("abc\x80"), false, "1 validation error detected: " + chars},
		{"short and bad", []byte("q%"), false, "2 validation errors detected: " + short + "; " + chars},
		{"non-ASCII allowed", []byte("\xff\xfe#$%"), true, ""},
		{"length still checked", []byte("\xff"), true, "1 validation error detected: " + short},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := acmexport.ValidatePassphrase(tt.p, &acmexport.Config{AnyPassphraseBytes: tt.anyBytes})
			if got := message(t, err); got != tt.want {
				t.Errorf("ValidatePassphrase(%q) = %q,\nwant %q", tt.p, got, tt.want)
			}
			if err != nil && len(tt.p) > 0 && strings.Contains(err.Error(), string(tt.p)) {
				t.Errorf("ValidatePassphrase(%q) error quotes the passphrase: %v", tt.p, err)
			}
		})
	}
}

func TestValidateRequest(t *testing.T) {
	arnNull := "Value null at 'certificateArn' failed to satisfy constraint: Member must not be null"
	passNull := "Value null at 'passphrase' failed to satisfy constraint: Member must not be null"
	short := "Value at 'passphrase' failed to satisfy constraint: Member must have length greater than or equal to 4"
	bad := "x"
	tests := []struct {
		name string
		req  acmexport.Request
		want string
	}{
		{"valid", acmexport.Request{CertificateArn: new(goodARN), Passphrase: []byte("pass")}, ""},
		{"both null", acmexport.Request{}, "2 validation errors detected: " + arnNull + "; " + passNull},
		{"passphrase null", acmexport.Request{CertificateArn: new(goodARN)}, "1 validation error detected: " + passNull},
		{"empty passphrase is not null", acmexport.Request{CertificateArn: new(goodARN), Passphrase: []byte{}}, "1 validation error detected: " + short},
		{
			"all at once, ARN first",
			acmexport.Request{CertificateArn: &bad, Passphrase: []byte("ab")},
			"3 validation errors detected: " +
				"Value 'x' at 'certificateArn' failed to satisfy constraint: Member must have length greater than or equal to 20; " +
				"Value 'x' at 'certificateArn' failed to satisfy constraint: Member must satisfy regular expression pattern: " + acmexport.ARNPattern + "; " +
				short,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := acmexport.ValidateRequest(&tt.req, nil)
			if got := message(t, err); got != tt.want {
				t.Errorf("ValidateRequest() = %q,\nwant %q", got, tt.want)
			}
		})
	}
}

// message returns the message of err, which must be nil or a
// *ValidationException.
func message(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	var v *acmexport.ValidationException
	if !errors.As(err, &v) {
		t.Fatalf("error %v (%T) is not a *ValidationException", err, err)
	}
	return v.ErrorMessage()
}
