package acmexport

import (
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
)

// The PEM labels of the response fields.
const (
	LabelCertificate         = "CERTIFICATE"
	LabelEncryptedPrivateKey = "ENCRYPTED PRIVATE KEY"
)

// A PEMError says which rule a PEM text broke and where.
type PEMError struct {
	// Label is the label that was expected.
	Label string
	// Line is the number of the line, from 1, where the rule broke.
	Line int
	// Reason says what is wrong.
	Reason string
}

func (e *PEMError) Error() string {
	return fmt.Sprintf("acmexport: %s PEM, line %d: %s", e.Label, e.Line, e.Reason)
}

// DecodePEM decodes text holding one or more PEM blocks labelled label, one
// after the other, as ACM's response fields do, and returns the DER of each.
//
// It is strict: text must match the service model's pattern for the field
// (exact BEGIN and END lines, base64 lines of exactly 64 characters but the
// last, no headers, no blank lines, nothing before or after) and the base64
// must be canonical, with correct padding. It is tolerant only where the
// model is: a line may end in CRLF instead of LF, and the final line break
// may be missing. Any other text gives a *PEMError.
func DecodePEM(text, label string) ([][]byte, error) {
	var blocks [][]byte
	s := pemScanner{text: text, label: label}
	for {
		body, err := s.block()
		if err != nil {
			return nil, err
		}
		der, err := decodeBase64(body)
		if err != nil {
			return nil, s.fail(s.bodyLine, "base64 is not canonical or its padding is wrong")
		}
		blocks = append(blocks, der)
		if s.done() {
			return blocks, nil
		}
	}
}

// EncodePEM encodes each DER block as a PEM block labelled label, in the one
// form DecodePEM and ACM agree on: LF line ends, 64-column base64, no
// headers, every block ending in exactly one line break.
func EncodePEM(label string, ders ...[]byte) string {
	var b strings.Builder
	for _, der := range ders {
		b.Write(pem.EncodeToMemory(&pem.Block{Type: label, Bytes: der}))
	}
	return b.String()
}

// checkCanonicalPEM checks that text is what EncodePEM writes for n blocks
// (n < 0: any number) labelled label, and returns its DER blocks. A response
// must be in this form: LF only, and exactly one final line break.
func checkCanonicalPEM(text, label string, n int) ([][]byte, error) {
	blocks, err := DecodePEM(text, label)
	if err != nil {
		return nil, err
	}
	lines := strings.Count(text, "\n")
	switch {
	case n >= 0 && len(blocks) != n:
		return nil, &PEMError{Label: label, Line: 1, Reason: fmt.Sprintf("%d blocks, want %d", len(blocks), n)}
	case strings.IndexByte(text, '\r') >= 0:
		return nil, &PEMError{Label: label, Line: 1 + strings.Count(text[:strings.IndexByte(text, '\r')], "\n"), Reason: "line ends in CRLF, want LF"}
	case !strings.HasSuffix(text, "\n"):
		return nil, &PEMError{Label: label, Line: lines + 1, Reason: "missing final line break"}
	}
	return blocks, nil
}

// pemScanner walks a PEM text line by line, holding to the grammar of the
// service model's patterns:
//
//	(BLOCK \r?\n)* BLOCK (\r?\n)?
//	BLOCK = -----BEGIN L-----\r?\n ([A-Za-z0-9/+]{64}\r?\n)* [A-Za-z0-9/+]{1,64}={0,2}\r?\n -----END L-----
type pemScanner struct {
	text     string
	label    string
	pos      int // offset of the next line
	line     int // number of the last line read
	bodyLine int // number of the first base64 line of the last block
}

// next returns the next line without its line break and whether it had one.
func (s *pemScanner) next() (line string, broke bool) {
	s.line++
	rest := s.text[s.pos:]
	i := strings.IndexByte(rest, '\n')
	if i < 0 {
		s.pos = len(s.text)
		return rest, false
	}
	s.pos += i + 1
	line = rest[:i]
	if strings.HasSuffix(line, "\r") {
		line = line[:len(line)-1]
	}
	return line, true
}

func (s *pemScanner) fail(line int, reason string) error {
	return &PEMError{Label: s.label, Line: line, Reason: reason}
}

// block reads one block and returns its base64 lines, line breaks included.
func (s *pemScanner) block() (string, error) {
	begin := "-----BEGIN " + s.label + "-----"
	end := "-----END " + s.label + "-----"

	if s.pos >= len(s.text) {
		return "", s.fail(s.line+1, "no PEM block, want "+begin)
	}
	line, broke := s.next()
	if line != begin {
		return "", s.fail(s.line, found(line)+", want "+begin)
	}
	if !broke {
		return "", s.fail(s.line, "no line break after "+begin)
	}

	s.bodyLine = s.line + 1
	start := s.pos
	for n := 0; ; n++ {
		lineStart := s.pos
		line, broke := s.next()
		if line == end {
			if n == 0 {
				return "", s.fail(s.line, "no base64 between BEGIN and END")
			}
			return s.text[start:lineStart], nil
		}
		if strings.HasPrefix(line, "-----") {
			return "", s.fail(s.line, found(line)+", want "+end)
		}
		if !broke {
			return "", s.fail(s.line, "block ends without "+end)
		}
		if reason := checkBase64Line(line); reason != "" {
			return "", s.fail(s.line, reason)
		}
		// Only the last line may be short or padded.
		if len(line) != 64 || line[63] == '=' {
			switch next, _ := s.peek(); {
			case next == end:
			case strings.HasPrefix(next, "-----"):
				return "", s.fail(s.line+1, found(next)+", want "+end)
			default:
				return "", s.fail(s.line, fmt.Sprintf("base64 line has %d characters, want 64", len(line)))
			}
		}
	}
}

// found describes a line that is not the BEGIN or END line wanted. It quotes
// only what looks like an armor line, never base64 that may be key material.
func found(line string) string {
	if line == "" {
		return "found a blank line"
	}
	if strings.HasPrefix(line, "-----") && len(line) <= 80 {
		return fmt.Sprintf("found %q", line)
	}
	return "found another line"
}

// peek returns the next line without consuming it.
func (s *pemScanner) peek() (string, bool) {
	saved := *s
	line, broke := s.next()
	*s = saved
	return line, broke
}

// done reports whether the text ends after the block just read, and moves
// past the line break between two blocks otherwise. The END line's own line
// break was consumed by next.
func (s *pemScanner) done() bool {
	return s.pos >= len(s.text)
}

// checkBase64Line checks a base64 line against [A-Za-z0-9/+]{1,64}={0,2}.
func checkBase64Line(line string) string {
	data := strings.TrimRight(line, "=")
	for i := 0; i < len(data); i++ {
		if !base64Chars.has(data[i]) {
			return fmt.Sprintf("character %d is not base64", i+1)
		}
	}
	switch {
	case len(data) == 0:
		return "empty base64 line"
	case len(line)-len(data) > 2:
		return "more than two padding characters"
	case len(data) > 64:
		return fmt.Sprintf("base64 line has %d characters, want 64", len(line))
	}
	return ""
}

var base64Chars = newByteSet(wordChars[:62], "+/")

// decodeBase64 decodes strict, padded standard base64 whose line breaks
// (LF or CRLF) the caller has already placed.
func decodeBase64(s string) ([]byte, error) {
	enc := base64.StdEncoding.Strict()
	out := make([]byte, enc.DecodedLen(len(s)))
	n, err := enc.Decode(out, []byte(s))
	return out[:n], err
}
