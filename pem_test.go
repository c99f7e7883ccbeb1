package acmexport_test

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/acmexport/acmexport"
)

// der100 is 100 bytes, whose base64 is 136 characters: two full lines and
// one of 8 characters that ends in padding.
var der100 = bytes.Repeat([]byte{0xA5, 0x5A, 0x00, 0xFF}, 25)

const (
	b64Line1 = "pVoA/6VaAP+lWgD/pVoA/6VaAP+lWgD/pVoA/6VaAP+lWgD/pVoA/6VaAP+lWgD/"
	b64Line3 = "pVoA/w=="
)

func block(label string, lines ...string) string {
	return "-----BEGIN " + label + "-----\n" + strings.Join(lines, "\n") + "\n-----END " + label + "-----"
}

// modelPEM compiles the model's pattern of a field for label, with CR and
// LF written as Go's regexp wants them, anchored at both ends.
func modelPEM(label string, chain bool) *regexp.Regexp {
	b := `-{5}BEGIN ` + label + `-{5}\r?\n([A-Za-z0-9/+]{64}\r?\n)*[A-Za-z0-9/+]{1,64}={0,2}\r?\n-{5}END ` + label + `-{5}`
	if chain {
		return regexp.MustCompile(`^(?:(` + b + `\r?\n)*` + b + `(\r?\n)?)$`)
	}
	return regexp.MustCompile(`^(?:` + b + `(\r?\n)?)$`)
}

func TestEncodePEM(t *testing.T) {
	want := block("CERTIFICATE", b64Line1, b64Line1, b64Line3) + "\n"
	if got := acmexport.EncodePEM("CERTIFICATE", der100); got != want {
		t.Errorf("EncodePEM(der100) =\n%s\nwant\n%s", got, want)
	}
	if got := acmexport.EncodePEM("CERTIFICATE", der100, der100); got != want+want {
		t.Errorf("EncodePEM(der100, der100) =\n%s\nwant\n%s", got, want+want)
	}
}

func TestDecodePEM(t *testing.T) {
	const L = "CERTIFICATE"
	good := block(L, b64Line1, b64Line1, b64Line3)
	tests := []struct {
		name   string
		text   string
		blocks int // blocks decoded when valid
		line   int // line of the error when invalid (blocks == 0)
		reason string
	}{
		{"canonical", good + "\n", 1, 0, ""},
		{"no final line break", good, 1, 0, ""},
		{"CRLF", strings.ReplaceAll(good+"\n", "\n", "\r\n"), 1, 0, ""},
		{"mixed CRLF and LF", strings.Replace(good, "\n", "\r\n", 2), 1, 0, ""},
		{"chain", good + "\n" + good + "\n", 2, 0, ""},
		{"chain, CRLF between", good + "\r\n" + good, 2, 0, ""},
		{"one short line", block(L, "AAAA"), 1, 0, ""},
		{"empty", "", 0, 1, "no PEM block, want -----BEGIN CERTIFICATE-----"},
		{"wrong label", block("PRIVATE KEY", b64Line1), 0, 1, `found "-----BEGIN PRIVATE KEY-----", want -----BEGIN CERTIFICATE-----`},
		{"leading space", " " + good, 0, 1, "found another line, want -----BEGIN CERTIFICATE-----"},
		{"leading blank line", "\n" + good, 0, 1, "found a blank line, want -----BEGIN CERTIFICATE-----"},
		{"header", block(L, "Proc-Type: 4,ENCRYPTED", b64Line1), 0, 2, "character 5 is not base64"},
		{"short middle line", block(L, b64Line1[:60], b64Line1, b64Line3), 0, 2, "base64 line has 60 characters, want 64"},
		{"long line", block(L, b64Line1+"AAAA", b64Line3), 0, 2, "base64 line has 68 characters, want 64"},
		{"padding in the middle", block(L, b64Line3, b64Line1), 0, 2, "base64 line has 8 characters, want 64"},
		{"three padding characters", block(L, "AA==="), 0, 2, "more than two padding characters"},
		{"trailing space", block(L, b64Line1+" "), 0, 2, "character 65 is not base64"},
		{"bad padding", block(L, "AAA=="), 0, 2, "base64 is not canonical or its padding is wrong"},
		{"non-canonical bits", block(L, "AB=="), 0, 2, "base64 is not canonical or its padding is wrong"},
		{"no base64", "-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n", 0, 2, "no base64 between BEGIN and END"},
		{"blank line in body", block(L, b64Line1, "", b64Line3), 0, 3, "empty base64 line"},
		{"no END", "-----BEGIN CERTIFICATE-----\n" + b64Line1 + "\n", 0, 3, "block ends without -----END CERTIFICATE-----"},
		{"wrong END", strings.Replace(good, "END CERTIFICATE", "END X509 CRL", 1), 0, 5, `found "-----END X509 CRL-----", want -----END CERTIFICATE-----`},
		{"two final line breaks", good + "\n\n", 0, 6, "found a blank line, want -----BEGIN CERTIFICATE-----"},
		{"text after", good + "\nhello", 0, 6, "found another line, want -----BEGIN CERTIFICATE-----"},
		{"blank line between blocks", good + "\n\n" + good, 0, 6, "found a blank line, want -----BEGIN CERTIFICATE-----"},
		{"bare CR at the end", good + "\r", 0, 5, `found "-----END CERTIFICATE-----\r", want -----END CERTIFICATE-----`},
		{"no break after BEGIN", "-----BEGIN CERTIFICATE-----", 0, 1, "no line break after -----BEGIN CERTIFICATE-----"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			blocks, err := acmexport.DecodePEM(tt.text, L)
			if tt.blocks > 0 {
				if err != nil {
					t.Fatalf("DecodePEM() = %v, want %d blocks", err, tt.blocks)
				}
				if len(blocks) != tt.blocks {
					t.Fatalf("DecodePEM() = %d blocks, want %d", len(blocks), tt.blocks)
				}
				return
			}
			var pe *acmexport.PEMError
			if !errors.As(err, &pe) {
				t.Fatalf("DecodePEM() = %v, %v; want a *PEMError", blocks, err)
			}
			if pe.Line != tt.line || pe.Reason != tt.reason || pe.Label != L {
				t.Errorf("DecodePEM() = line %d %q, want line %d %q", pe.Line, pe.Reason, tt.line, tt.reason)
			}
		})
	}
}

func TestDecodePEMRoundTrip(t *testing.T) {
	for n := 2; n <= 200; n += 7 {
		der := bytes.Repeat([]byte{byte(n)}, n)
		text := acmexport.EncodePEM(acmexport.LabelEncryptedPrivateKey, der, der[1:])
		blocks, err := acmexport.DecodePEM(text, acmexport.LabelEncryptedPrivateKey)
		if err != nil {
			t.Fatalf("DecodePEM(EncodePEM(%d bytes)) = %v", n, err)
		}
		if len(blocks) != 2 || !bytes.Equal(blocks[0], der) || !bytes.Equal(blocks[1], der[1:]) {
			t.Errorf("DecodePEM(EncodePEM(%d bytes)) did not give the blocks back", n)
		}
	}
}

// TestDecodePEMAgreesWithModel checks that every text DecodePEM accepts
// matches the model's pattern, and that it refuses every text the pattern
// refuses. DecodePEM refuses more: base64 that is not canonical.
func TestDecodePEMAgreesWithModel(t *testing.T) {
	good := block("CERTIFICATE", b64Line1, b64Line3)
	texts := []string{
		good, good + "\n", good + "\r\n", good + "\n" + good, good + "\n" + good + "\n",
		good + "\n\n", "\n" + good, good + " ", good + "\r", good + "\n\r\n",
		block("CERTIFICATE", b64Line1+"=="), block("CERTIFICATE", "A"), block("CERTIFICATE", "AAAA==="),
		block("CERTIFICATE", b64Line1[:63]+"="), block("CERTIFICATE", b64Line1, b64Line1),
		block("CERTIFICATE", "AA==", "AAAA"), block("CERTIFICATE ", "AAAA"), block("CERTIFICATE", "AA\rAA"),
		strings.Replace(good, "-----BEGIN", "----BEGIN", 1), strings.Replace(good, "\n", "\r\r\n", 1),
	}
	single, chain := modelPEM("CERTIFICATE", false), modelPEM("CERTIFICATE", true)
	for _, text := range texts {
		blocks, err := acmexport.DecodePEM(text, "CERTIFICATE")
		if err == nil && !chain.MatchString(text) {
			t.Errorf("DecodePEM(%q) accepted a text the model's chain pattern refuses", text)
		}
		if err == nil && len(blocks) == 1 && !single.MatchString(text) {
			t.Errorf("DecodePEM(%q) accepted one block the model's certificate pattern refuses", text)
		}
		var pe *acmexport.PEMError
		if err != nil && chain.MatchString(text) && errors.As(err, &pe) && !strings.HasPrefix(pe.Reason, "base64 is not canonical") {
			t.Errorf("DecodePEM(%q) = %v, but the model's pattern accepts it", text, err)
		}
	}
}
