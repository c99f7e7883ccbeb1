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
// (on one line). The message quotes the ARN but never the passphrase. cfg
// may be nil; see Config.AnyPassphraseBytes for the one rule it changes.
func ValidateRequest(req *Request, cfg *Config) error {
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
	// The pattern's fields cannot hold a colon, so the ARN splits on colons
	// into exactly six: arn, partition, acm, region, account, resource.
	field := 0
	start := 0
	for i := 0; i <= len(arn); i++ {
		if i < len(arn) && arn[i] != ':' {
			continue
		}
		if !matchARNField(field, arn[start:i]) {
			return false
		}
		field++
		start = i + 1
	}
	return field == 6
}

func matchARNField(field int, s string) bool {
	switch field {
	case 0:
		return s == "arn"
	case 1:
		return s != "" && allIn(s, arnChars)
	case 2:
		return s == "acm"
	case 3:
		return allIn(s, arnChars)
	case 4:
		return s != "" && allIn(s, digits)
	case 5:
		// One or more segments of resource characters, separated by
		// single slashes.
		for seg := range strings.SplitSeq(s, "/") {
			if seg == "" || !allIn(seg, resourceChars) {
				return false
			}
		}
		return true
	default:
		return false
	}
}

// byteSet is a set of ASCII bytes, one bit each.
type byteSet [4]uint64

func (s *byteSet) add(chars string) {
	for i := 0; i < len(chars); i++ {
		s[chars[i]/64] |= 1 << (chars[i] % 64)
	}
}

func (s *byteSet) has(b byte) bool {
	return b < 128 && s[b/64]&(1<<(b%64)) != 0
}

func allIn(s string, set *byteSet) bool {
	for i := 0; i < len(s); i++ {
		if !set.has(s[i]) {
			return false
		}
	}
	return true
}

func newByteSet(chars ...string) *byteSet {
	s := new(byteSet)
	for _, c := range chars {
		s.add(c)
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
