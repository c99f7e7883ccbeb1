package acmexport

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
)

// SigningName is the service name of ACM in a SigV4 credential scope. A
// Handler with Credentials accepts only signatures scoped to it.
const SigningName = "acm"

// DefaultMaxClockSkew is how far a signature's X-Amz-Date may be from the
// Handler's clock, either way, when Handler.MaxClockSkew is zero. It is the
// window AWS JSON services allow.
const DefaultMaxClockSkew = 5 * time.Minute

// Credentials is where a Handler looks up the holder of an access key, to
// verify a SigV4 signature. StaticCredentials is one; a host with its own
// store of keys writes another.
//
// Lookup returns the credential of accessKeyID. For a key it does not know
// it returns an error for which errors.Is(err, ErrUnknownAccessKey) is true,
// which the client is told as an UnrecognizedClientException. It may also
// return an APIError, such as a *ThrottlingException, which the client is
// told as it is; any other error is an *InternalFailure. Lookup must be safe
// for concurrent use.
type Credentials interface {
	Lookup(ctx context.Context, accessKeyID string) (Credential, error)
}

// A Credential is the secret half of an access key and who holds it.
type Credential struct {
	// SecretAccessKey is the key signatures are made with.
	SecretAccessKey string

	// SessionToken, if set, marks temporary credentials: a request must
	// then send this token, signed, in X-Amz-Security-Token. If empty, a
	// request that sends a token is refused.
	SessionToken string

	// Principal names the holder to Handler.Authorize and in an
	// AccessDeniedException, for example an IAM user's ARN. If empty, the
	// access key ID is used.
	Principal string
}

// String returns the principal and hides the secret and the token, so that
// a Credential printed by mistake, with %v or %+v, gives nothing away.
func (c Credential) String() string {
	return "Credential{Principal: " + strconv.Quote(c.Principal) + ", SecretAccessKey: <hidden>, SessionToken: <hidden>}"
}

// GoString is String, for %#v.
func (c Credential) GoString() string { return c.String() }

// ErrUnknownAccessKey is the error a Credentials gives for an access key ID
// it does not know.
var ErrUnknownAccessKey = errors.New("acmexport: unknown access key ID")

// StaticCredentials is a Credentials that holds its keys in a map from
// access key ID to Credential, for a host with a fixed set of keys and for
// tests. It must not be changed while a Handler uses it.
type StaticCredentials map[string]Credential

// Lookup returns the credential of accessKeyID, or ErrUnknownAccessKey.
func (s StaticCredentials) Lookup(ctx context.Context, accessKeyID string) (Credential, error) {
	c, ok := s[accessKeyID]
	if !ok {
		return Credential{}, ErrUnknownAccessKey
	}
	return c, nil
}

// The SigV4 names a Handler reads.
const (
	sigAlgorithm  = "AWS4-HMAC-SHA256"
	sigTerminator = "aws4_request"
	sigTimeFormat = "20060102T150405Z"
	sigDateFormat = "20060102"

	headerAuthorization = "Authorization"
	headerDate          = "X-Amz-Date"
	headerToken         = "X-Amz-Security-Token"
	headerContentSHA256 = "X-Amz-Content-Sha256"
)

// Messages in the words AWS JSON services use, as reported by their users
// and recorded by emulators; CONFORMANCE.md says where each was seen.
const (
	msgMissingToken      = "Request is missing Authentication Token"
	msgUnrecognized      = "The security token included in the request is invalid."
	msgSignatureMismatch = "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	msgCredentialParts   = "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term"
)

// sigV4 is what the Authorization header of a SigV4 request holds.
type sigV4 struct {
	accessKeyID                        string
	scopeDate, region, service, ending string
	signedHeaders                      []string // lower case and sorted
	signature                          string   // 64 lower-case hex digits
}

// authenticate verifies the SigV4 signature of r, whose body is body, and
// returns the principal that made it. Every error is an APIError; none
// holds the secret key, the signature or the body.
func (h *Handler) authenticate(r *http.Request, body []byte) (string, error) {
	if h.Region == "" {
		return "", &InternalFailure{Err: errors.New("acmexport: Handler.Credentials is set but Handler.Region is empty")}
	}

	// Read the signature: the header's shape first, then the date.
	auth := r.Header.Values(headerAuthorization)
	if len(auth) == 0 || !strings.HasPrefix(auth[0], "AWS4-") {
		return "", &MissingAuthenticationTokenException{Message: msgMissingToken}
	}
	if len(auth) > 1 {
		return "", &IncompleteSignatureException{Message: "Authorization header must appear once, not " + strconv.Itoa(len(auth)) + " times."}
	}
	sig, err := parseAuthorization(auth[0], len(r.Header.Values(headerDate)) > 0 || len(r.Header.Values("Date")) > 0)
	if err != nil {
		return "", err
	}
	signedAt, err := parseDate(r.Header.Values(headerDate))
	if err != nil {
		return "", err
	}

	// Check what the signature claims before any key is looked up.
	if err := h.checkClock(signedAt); err != nil {
		return "", err
	}
	if err := checkSignedHeaders(sig.signedHeaders, r.Header); err != nil {
		return "", err
	}
	if err := h.checkScope(sig, signedAt); err != nil {
		return "", err
	}

	// Look the key up, then check the token and the body's hash.
	cred, err := h.lookup(r.Context(), sig.accessKeyID)
	if err != nil {
		return "", err
	}
	if err := checkToken(r.Header.Values(headerToken), cred.SessionToken); err != nil {
		return "", err
	}
	sum := sha256.Sum256(body)
	payloadHash := hex.EncodeToString(sum[:])
	if got := r.Header.Values(headerContentSHA256); len(got) > 0 && (len(got) > 1 || got[0] != payloadHash) {
		return "", &InvalidSignatureException{Message: "The provided 'x-amz-content-sha256' header does not match what was computed."}
	}

	// Sign again with the SDK's own signer, and compare.
	want, err := resign(r, body, sig, cred, payloadHash, h.Region, signedAt)
	if err != nil {
		return "", err
	}
	if !hmac.Equal([]byte(want), []byte(sig.signature)) {
		return "", &InvalidSignatureException{Message: msgSignatureMismatch}
	}

	if cred.Principal != "" {
		return cred.Principal, nil
	}
	return sig.accessKeyID, nil
}

// parseAuthorization reads the value of a SigV4 Authorization header:
//
//	AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/acm/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=<64 hex digits>
//
// Its parameters may come in any order, each once; nothing else may be
// there. hasDate says whether the request has an X-Amz-Date or a Date
// header, whose absence AWS reports in the same message as missing
// parameters.
func parseAuthorization(value string, hasDate bool) (*sigV4, error) {
	alg, rest, _ := strings.Cut(value, " ")
	if alg != sigAlgorithm {
		return nil, &IncompleteSignatureException{Message: "Unsupported AWS 'algorithm' (only " + sigAlgorithm + " for now)."}
	}

	params := make(map[string]string, 3)
	var parts []string
	if rest = strings.Trim(rest, " "); rest != "" {
		parts = strings.Split(rest, ",")
	}
	for _, part := range parts {
		part = strings.Trim(part, " ")
		key, val, ok := strings.Cut(part, "=")
		switch {
		case part == "":
			return nil, &IncompleteSignatureException{Message: "Authorization header has an empty parameter."}
		case !ok:
			return nil, &IncompleteSignatureException{Message: "Authorization header has a parameter that is not a valid key=value pair (missing equal-sign)."}
		case key != "Credential" && key != "SignedHeaders" && key != "Signature":
			return nil, &IncompleteSignatureException{Message: "Authorization header has an unknown parameter; it takes only Credential, SignedHeaders and Signature."}
		}
		if _, dup := params[key]; dup {
			return nil, &IncompleteSignatureException{Message: "Authorization header has the parameter '" + key + "' more than once."}
		}
		params[key] = val
	}
	var missing []string
	for _, key := range []string{"Credential", "Signature", "SignedHeaders"} {
		if params[key] == "" {
			missing = append(missing, "Authorization header requires '"+key+"' parameter.")
		}
	}
	if !hasDate {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) > 0 {
		return nil, &IncompleteSignatureException{Message: strings.Join(missing, " ")}
	}

	var s sigV4
	scope := strings.Split(params["Credential"], "/")
	if len(scope) != 5 {
		return nil, &IncompleteSignatureException{Message: msgCredentialParts}
	}
	for _, p := range scope {
		// The parts are quoted back in messages, so they are kept short
		// and printable.
		if p == "" || len(p) > 128 || strings.ContainsFunc(p, func(c rune) bool { return c <= ' ' || c > '~' || c == '\'' }) {
			return nil, &IncompleteSignatureException{Message: msgCredentialParts}
		}
	}
	s.accessKeyID, s.scopeDate, s.region, s.service, s.ending = scope[0], scope[1], scope[2], scope[3], scope[4]

	s.signedHeaders = strings.Split(params["SignedHeaders"], ";")
	for i, name := range s.signedHeaders {
		if !isLowerToken(name) || (i > 0 && name <= s.signedHeaders[i-1]) {
			return nil, &IncompleteSignatureException{Message: "SignedHeaders must be lower-case header names, sorted, each once, separated by ';'."}
		}
	}

	s.signature = params["Signature"]
	if len(s.signature) != 2*sha256.Size || strings.ContainsFunc(s.signature, func(c rune) bool { return (c < '0' || c > '9') && (c < 'a' || c > 'f') }) {
		return nil, &IncompleteSignatureException{Message: "Signature must be 64 lower-case hexadecimal digits."}
	}
	return &s, nil
}

// isLowerToken reports whether s is a header name in lower case.
func isLowerToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// parseDate reads X-Amz-Date, which must be ISO 8601 basic format in UTC,
// exactly as the signer writes it.
func parseDate(values []string) (time.Time, error) {
	switch len(values) {
	case 0:
		return time.Time{}, &IncompleteSignatureException{Message: "Signing with the Date header is not supported; send X-Amz-Date."}
	case 1:
	default:
		return time.Time{}, &IncompleteSignatureException{Message: "X-Amz-Date header must appear once."}
	}
	t, err := time.Parse(sigTimeFormat, values[0])
	if err != nil || t.Format(sigTimeFormat) != values[0] {
		return time.Time{}, &IncompleteSignatureException{Message: "Date must be in ISO-8601 'basic format', such as 20150830T123600Z."}
	}
	return t, nil
}

// checkClock refuses a signature made too long before or after now.
func (h *Handler) checkClock(signedAt time.Time) error {
	now := time.Now()
	if h.Now != nil {
		now = h.Now()
	}
	now = now.UTC().Truncate(time.Second)
	skew := h.MaxClockSkew
	if skew <= 0 {
		skew = DefaultMaxClockSkew
	}
	window := skew.String()
	if skew%time.Minute == 0 {
		window = strconv.FormatInt(int64(skew/time.Minute), 10) + " min"
	}
	switch {
	case signedAt.Before(now.Add(-skew)):
		return &InvalidSignatureException{Message: "Signature expired: " + signedAt.Format(sigTimeFormat) +
			" is now earlier than " + now.Add(-skew).Format(sigTimeFormat) +
			" (" + now.Format(sigTimeFormat) + " - " + window + ".)"}
	case signedAt.After(now.Add(skew)):
		return &InvalidSignatureException{Message: "Signature not yet current: " + signedAt.Format(sigTimeFormat) +
			" is still later than " + now.Add(skew).Format(sigTimeFormat) +
			" (" + now.Format(sigTimeFormat) + " + " + window + ".)"}
	}
	return nil
}

// checkSignedHeaders refuses a signature that leaves out a header it must
// cover: the host, the date and the operation always, and the session token
// and the payload hash when they are sent.
func checkSignedHeaders(signed []string, header http.Header) error {
	must := []string{"Host", headerDate, "X-Amz-Target"}
	for _, name := range []string{headerToken, headerContentSHA256} {
		if len(header.Values(name)) > 0 {
			must = append(must, name)
		}
	}
	for _, name := range must {
		lower := strings.ToLower(name)
		found := false
		for _, s := range signed {
			found = found || s == lower
		}
		if !found {
			return &InvalidSignatureException{Message: "'" + name + "' must be a 'SignedHeader' in the AWS Authorization."}
		}
	}
	return nil
}

// checkScope refuses a credential scope other than the Handler's: another
// region, service or terminator, or a day other than X-Amz-Date's. Like AWS,
// it names every part that is wrong.
func (h *Handler) checkScope(s *sigV4, signedAt time.Time) error {
	var msgs []string
	if s.region != h.Region {
		msgs = append(msgs, "Credential should be scoped to a valid region, not '"+s.region+"'.")
	}
	if s.service != SigningName {
		msgs = append(msgs, "Credential should be scoped to correct service: '"+SigningName+"'.")
	}
	if s.ending != sigTerminator {
		msgs = append(msgs, "Credential should be scoped with a valid terminator: '"+sigTerminator+"', not '"+s.ending+"'.")
	}
	if day := signedAt.Format(sigDateFormat); s.scopeDate != day {
		msgs = append(msgs, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+
			s.scopeDate+"' != '"+day+"', from '"+signedAt.Format(sigTimeFormat)+"'.")
	}
	if len(msgs) > 0 {
		return &InvalidSignatureException{Message: strings.Join(msgs, " ")}
	}
	return nil
}

// lookup asks the Handler's Credentials for an access key.
func (h *Handler) lookup(ctx context.Context, accessKeyID string) (Credential, error) {
	cred, err := h.Credentials.Lookup(ctx, accessKeyID)
	var apiErr APIError
	switch {
	case err == nil && cred.SecretAccessKey == "":
		return Credential{}, &InternalFailure{Err: errors.New("acmexport: Credentials returned an empty SecretAccessKey")}
	case err == nil:
		return cred, nil
	case errors.Is(err, ErrUnknownAccessKey):
		return Credential{}, &UnrecognizedClientException{Message: msgUnrecognized}
	case errors.As(err, &apiErr):
		return Credential{}, err
	}
	return Credential{}, &InternalFailure{Err: fmt.Errorf("acmexport: Credentials.Lookup failed: %w", err)}
}

// checkToken compares the session token a request sent with the one its
// credential has, if any. A token that is missing, unexpected or different
// is refused alike, as AWS does.
func checkToken(sent []string, want string) error {
	switch {
	case len(sent) == 0 && want == "":
		return nil
	case len(sent) == 1 && want != "" && subtle.ConstantTimeCompare([]byte(sent[0]), []byte(want)) == 1:
		return nil
	}
	return &UnrecognizedClientException{Message: msgUnrecognized}
}

// resign signs a copy of r that holds only what sig says was signed, with
// the AWS SDK for Go's signer, and returns the signature it computes. The
// signer adds Host, X-Amz-Date, X-Amz-Security-Token and Content-Length
// itself, and skips the headers it never signs (User-Agent, X-Amzn-Trace-Id,
// Expect, Transfer-Encoding, Authorization): a client that signed one of
// those cannot be verified.
func resign(r *http.Request, body []byte, sig *sigV4, cred Credential, payloadHash, region string, signedAt time.Time) (string, error) {
	// The URL has no scheme, so that the signer keeps the port of Host as
	// it came, as the client signed it.
	req := &http.Request{
		Method: r.Method,
		URL:    &url.URL{Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery},
		Host:   r.Host,
		Header: make(http.Header, len(sig.signedHeaders)),
	}
	for _, name := range sig.signedHeaders {
		switch name {
		case "host":
			continue
		case "content-length":
			// The signer signs Content-Length from this field, and only
			// when it is positive.
			req.ContentLength = int64(len(body))
			continue
		}
		values := r.Header.Values(name)
		if len(values) == 0 {
			return "", &InvalidSignatureException{Message: msgSignatureMismatch}
		}
		req.Header[http.CanonicalHeaderKey(name)] = values
	}

	creds := aws.Credentials{AccessKeyID: sig.accessKeyID, SecretAccessKey: cred.SecretAccessKey, SessionToken: cred.SessionToken}
	if err := v4.NewSigner().SignHTTP(r.Context(), creds, req, payloadHash, SigningName, region, signedAt); err != nil {
		return "", &InternalFailure{Err: fmt.Errorf("acmexport: signing the request again: %w", err)}
	}
	mine, err := parseAuthorization(req.Header.Get(headerAuthorization), true)
	if err != nil {
		return "", &InternalFailure{Err: errors.New("acmexport: the SDK signer wrote an Authorization header that does not parse")}
	}

	// A header the client signed but the signer skips changes the list.
	if strings.Join(mine.signedHeaders, ";") != strings.Join(sig.signedHeaders, ";") {
		return "", &InvalidSignatureException{Message: msgSignatureMismatch}
	}
	return mine.signature, nil
}

// deniedMessage is the text of the AccessDeniedException that refuses
// principal the export of arn, in the words of IAM's implicit denial.
func deniedMessage(principal, arn string) string {
	if principal == "" {
		principal = "anonymous"
	}
	return "User: " + principal + " is not authorized to perform: acm:ExportCertificate on resource: " + arn +
		" because no identity-based policy allows the acm:ExportCertificate action"
}
