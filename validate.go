package acmexport

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// ARNPattern is the pattern a certificate ARN must match, whole, as the
// current ACM service model writes it. ValidateARN checks it without a
// regular expression; the text is what a ValidationException quotes.
const ARNPattern = `arn:[\w+=/,.@-]+:acm:[\w+=/,.@-]*:[0-9]+:[\w+=,.@-]+(/[\w+=,.@-]+)*`

// The length limits of the request members, from the service model. ARN
// lengths count characters; passphrase lengths count decoded bytes.
const (
	MinARNLength        = 20
	MaxARNLength        = 2048
	MinPassphraseLength = 4
	MaxPassphraseLength = 128
)

// The member paths that validation messages name.
const (
	pathARN        = "certificateArn"
	pathPassphrase = "passphrase"
)

// passphraseRule is the constraint a passphrase that breaks the documented
// character rule fails.
const passphraseRule = "Member must consist of ASCII characters other than #, $ and %"

// ValidateRequest checks req against every constraint of the operation and
// returns nil or a *ValidationException that lists all the violations at
// once, in the words of AWS's front end:
//
//	2 validation errors detected: Value null at 'certificateArn' failed to
//	satisfy constraint: Member must not be null; Value at 'passphrase'
//	failed to satisfy constraint: Member must have length greater than or
//	equal to 4
//
// (on one line). The message quotes the ARN but never the passphrase. A nil
// req has no members. cfg may be nil; see Config.AnyPassphraseBytes for the
// one rule it changes.
func ValidateRequest(req *Request, cfg *Config) error {
	if req == nil {
		req = new(Request) // as a JSON null: no members
	}
	var v violations
	if req.CertificateArn == nil {
		v.null(pathARN)
	} else {
		v.checkARN(*req.CertificateArn)
	}
	if req.Passphrase == nil {
		v.null(pathPassphrase)
	} else {
		v.checkPassphrase(req.Passphrase, cfg.anyPassphraseBytes())
	}
	return v.err()
}

// ValidateARN checks arn against the length limits and ARNPattern. It
// returns nil or a *ValidationException worded as ValidateRequest's.
func ValidateARN(arn string) error {
	var v violations
	v.checkARN(arn)
	return v.err()
}

// ValidatePassphrase checks the decoded bytes of a passphrase against the
// length limits and, unless cfg.AnyPassphraseBytes is set, the documented
// character rule. It returns nil or a *ValidationException worded as
// ValidateRequest's, which never quotes the passphrase. cfg may be nil.
func ValidatePassphrase(passphrase []byte, cfg *Config) error {
	var v violations
	v.checkPassphrase(passphrase, cfg.anyPassphraseBytes())
	return v.err()
}

// MatchARN reports whether arn matches ARNPattern as a whole. It does not
// check the length limits.
func MatchARN(arn string) bool {
	// arn:PARTITION:acm:REGION:ACCOUNT:RESOURCE. No field but the resource
	// can hold a colon, so each ends at the first byte outside its set and
	// no backtracking is needed.
	rest, ok := strings.CutPrefix(arn, "arn:")
	if !ok {
		return false
	}
	partition := span(rest, &arnChars)
	if partition == 0 || !strings.HasPrefix(rest[partition:], ":acm:") {
		return false
	}
	rest = rest[partition+len(":acm:"):]
	region := span(rest, &arnChars)
	if region == len(rest) || rest[region] != ':' {
		return false
	}
	rest = rest[region+1:]
	account := span(rest, &digits)
	if account == 0 || account == len(rest) || rest[account] != ':' {
		return false
	}
	rest = rest[account+1:]

	// One or more segments of resource characters, separated by single
	// slashes.
	for {
		seg := span(rest, &resourceChars)
		switch {
		case seg == 0:
			return false
		case seg == len(rest):
			return true
		case rest[seg] != '/':
			return false
		}
		rest = rest[seg+1:]
	}
}

// byteSet is a set of bytes, looked up with one load.
type byteSet [256]bool

func (s *byteSet) has(b byte) bool {
	return s[b]
}

// span returns the length of the longest prefix of s whose bytes are all in
// set.
func span(s string, set *byteSet) int {
	for i := 0; i < len(s); i++ {
		if !set[s[i]] {
			return i
		}
	}
	return len(s)
}

func newByteSet(chars ...string) byteSet {
	var s byteSet
	for _, c := range chars {
		for i := 0; i < len(c); i++ {
			s[c[i]] = true
		}
	}
	return s
}

const (
	wordChars  = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_"
	digitChars = "0123456789"
)

var (
	// arnChars is the pattern's [\w+=/,.@-]; resourceChars its [\w+=,.@-].
	arnChars      = newByteSet(wordChars, "+=/,.@-")
	resourceChars = newByteSet(wordChars, "+=,.@-")
	digits        = newByteSet(digitChars)
)

// validPassphraseByte reports whether b may stand in a passphrase under the
// documented rule: any ASCII character except #, $ and %.
func validPassphraseByte(b byte) bool {
	return b < utf8.RuneSelf && b != '#' && b != '$' && b != '%'
}

// violations collects the constraints one request fails, in the order of
// the members in the model and, within a member, length before pattern.
type violations []string

func (v *violations) add(path, value string, quote bool, constraint string) {
	var b strings.Builder
	b.WriteString("Value ")
	if quote {
		b.WriteString("'" + value + "' ")
	}
	b.WriteString("at '" + path + "' failed to satisfy constraint: " + constraint)
	*v = append(*v, b.String())
}

func (v *violations) null(path string) {
	*v = append(*v, "Value null at '"+path+"' failed to satisfy constraint: Member must not be null")
}

func (v *violations) checkLength(path, value string, quote bool, n, lo, hi int) {
	switch {
	case n < lo:
		v.add(path, value, quote, "Member must have length greater than or equal to "+strconv.Itoa(lo))
	case n > hi:
		v.add(path, value, quote, "Member must have length less than or equal to "+strconv.Itoa(hi))
	}
}

func (v *violations) checkARN(arn string) {
	v.checkLength(pathARN, arn, true, utf8.RuneCountInString(arn), MinARNLength, MaxARNLength)
	if !MatchARN(arn) {
		v.add(pathARN, arn, true, "Member must satisfy regular expression pattern: "+ARNPattern)
	}
}

func (v *violations) checkPassphrase(p []byte, anyBytes bool) {
	v.checkLength(pathPassphrase, "", false, len(p), MinPassphraseLength, MaxPassphraseLength)
	if anyBytes {
		return
	}
	for _, b := range p {
		if !validPassphraseByte(b) {
			v.add(pathPassphrase, "", false, passphraseRule)
			return
		}
	}
}

func (v violations) err() error {
	switch len(v) {
	case 0:
		return nil
	case 1:
		return &ValidationException{Message: "1 validation error detected: " + v[0]}
	default:
		return &ValidationException{Message: strconv.Itoa(len(v)) + " validation errors detected: " + strings.Join(v, "; ")}
	}
}
