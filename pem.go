package acmexport

import (
	"encoding/base64"
	"fmt"
	"slices"
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
	// The blocks share one buffer, one allocation for a whole chain: text
	// cannot decode to more.
	buf := make([]byte, 0, strictBase64.DecodedLen(len(text)))
	for {
		der, err := s.decodeBlock(buf)
		if err != nil {
			return nil, err
		}
		// Capped, so that appending to one block cannot reach the next.
		blocks = append(blocks, der[len(buf):len(der):len(der)])
		buf = der
		if s.done() {
			return blocks, nil
		}
	}
}

// EncodePEM encodes each DER block as a PEM block labelled label, in the one
// form DecodePEM and ACM agree on: LF line ends, 64-column base64, no
// headers, every block ending in exactly one line break.
func EncodePEM(label string, ders ...[]byte) string {
	begin := "-----BEGIN " + label + "-----\n"
	end := "-----END " + label + "-----\n"
	size := 0
	for _, der := range ders {
		n := base64.StdEncoding.EncodedLen(len(der))
		size += len(begin) + n + (n+63)/64 + len(end)
	}

	// What encoding/pem writes, without its copies: 48 bytes of DER make
	// one line of 64 characters.
	var b strings.Builder
	b.Grow(size)
	var line [65]byte
	for _, der := range ders {
		b.WriteString(begin)
		for len(der) > 0 {
			chunk := der[:min(len(der), 48)]
			der = der[len(chunk):]
			n := base64.StdEncoding.EncodedLen(len(chunk))
			base64.StdEncoding.Encode(line[:n], chunk)
			line[n] = '\n'
			b.Write(line[:n+1])
		}
		b.WriteString(end)
	}
	return b.String()
}

// checkCanonicalPEM checks that text is what EncodePEM writes for n blocks
// (n < 0: any number) labelled label, and returns the DER of its first
// block. A response must be in this form: LF only, and exactly one final
// line break.
func checkCanonicalPEM(text, label string, n int) (first []byte, err error) {
	s := pemScanner{text: text, label: label}
	blocks := 0
	// Only the first block is kept; the others are decoded in turn into
	// one scratch buffer, so that checking a long chain allocates no more
	// than its longest block.
	var scratch []byte
	for {
		if blocks == 0 {
			first, err = s.decodeBlock(nil)
		} else {
			scratch, err = s.decodeBlock(scratch[:0])
		}
		if err != nil {
			return nil, err
		}
		blocks++
		if s.done() {
			break
		}
	}
	switch cr := strings.IndexByte(text, '\r'); {
	case n >= 0 && blocks != n:
		return nil, &PEMError{Label: label, Line: 1, Reason: fmt.Sprintf("%d blocks, want %d", blocks, n)}
	case cr >= 0:
		return nil, &PEMError{Label: label, Line: 1 + strings.Count(text[:cr], "\n"), Reason: "line ends in CRLF, want LF"}
	case !strings.HasSuffix(text, "\n"):
		return nil, &PEMError{Label: label, Line: strings.Count(text, "\n") + 1, Reason: "missing final line break"}
	}
	return first, nil
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

// decodeBlock reads the next block and appends its DER to dst.
//
// Nearly every text is canonical, and quickBlock decodes a canonical block
// in one pass. Any block quickBlock does not vouch for is read again by
// block, line by line, which finds the first rule broken and says where; so
// the two cannot disagree on an error, and quickBlock needs only to be sure
// of what it accepts.
func (s *pemScanner) decodeBlock(dst []byte) ([]byte, error) {
	saved := *s
	if der, ok := s.quickBlock(dst); ok {
		return der, nil
	}
	*s = saved

	body, err := s.block()
	if err != nil {
		return nil, err
	}
	der, err := appendBase64(dst, body, strictBase64.DecodedLen(len(body)))
	if err != nil {
		return nil, s.fail(s.bodyLine, "base64 is not canonical or its padding is wrong")
	}
	return der, nil
}

// quickBlock reads a block of the canonical shape, the BEGIN line, lines of
// 64 base64 characters, a shorter or padded last one, the END line, and
// appends its DER to dst. For any other block it reports false, having read
// part of it.
//
// It decodes each line on its own, which is faster than decoding the body
// whole: the decoder leaves its fast path at every line break. That also
// makes each line easy to check: a line of n characters, p of them padding,
// must decode to exactly n/4*3-p bytes. The decoder fails on any byte but
// base64, padding at its end, CR and LF; it skips CR and LF, and four
// characters make three bytes, so a line holding either would decode to
// fewer. (nextFull does not look inside a line for LF.)
func (s *pemScanner) quickBlock(dst []byte) ([]byte, bool) {
	if line, broke := s.next(); !broke || !isArmor(line, "-----BEGIN ", s.label) {
		return nil, false
	}
	s.bodyLine = s.line + 1
	// Base64 has no dash, so this finds the END line, whose offset bounds
	// what the body decodes to.
	size := strings.Index(s.text[s.pos:], "-----END ")
	if size < 0 {
		return nil, false
	}
	size = strictBase64.DecodedLen(size)
	if dst == nil {
		dst = make([]byte, 0, size)
	} else {
		dst = slices.Grow(dst, size)
	}
	out := dst[len(dst) : len(dst)+size]

	n := 0
	for last := false; ; {
		line, broke := s.nextFull()
		if isArmor(line, "-----END ", s.label) {
			return dst[:len(dst)+n], n > 0
		}
		want := len(line) / 4 * 3
		if last || !broke || len(line) == 0 || len(line) > 64 || len(line)%4 != 0 || n+want > size {
			return nil, false
		}
		if line[len(line)-1] == '=' || len(line) < 64 {
			// Only the last line may be short or padded.
			last = true
			pad := len(line) - len(strings.TrimRight(line, "="))
			if pad > 2 {
				return nil, false
			}
			want -= pad
		}
		m, err := strictBase64.Decode(out[n:], []byte(line))
		if err != nil || m != want {
			return nil, false
		}
		n += m
	}
}

// nextFull is next, quicker for a line that seems to be 64 characters and
// LF: it does not look inside them for a line break.
func (s *pemScanner) nextFull() (line string, broke bool) {
	if rest := s.text[s.pos:]; len(rest) > 64 && rest[64] == '\n' {
		s.line++
		s.pos += 65
		return rest[:64], true
	}
	return s.next()
}

// isArmor reports whether line is prefix + label + "-----", without
// building that string.
func isArmor(line, prefix, label string) bool {
	return len(line) == len(prefix)+len(label)+5 &&
		line[:len(prefix)] == prefix &&
		line[len(prefix):len(prefix)+len(label)] == label &&
		line[len(prefix)+len(label):] == "-----"
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

// strictBase64 is standard, padded base64 that refuses non-zero padding
// bits.
var strictBase64 = base64.StdEncoding.Strict()

// appendBase64 decodes strict, padded standard base64, whose line breaks
// (LF or CRLF) the caller has already placed, and appends it to dst. s
// must decode to at most room bytes.
func appendBase64(dst []byte, s string, room int) ([]byte, error) {
	dst = slices.Grow(dst, room)
	n, err := strictBase64.Decode(dst[len(dst):len(dst)+room], []byte(s))
	return dst[:len(dst)+n], err
}
