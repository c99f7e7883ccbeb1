package acmexport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"

	"github.com/google/uuid"
)

// Target is the X-Amz-Target header value of ExportCertificate.
const Target = "CertificateManager.ExportCertificate"

// ContentType is the content type of AWS JSON 1.1 requests and responses.
const ContentType = "application/x-amz-json-1.1"

// DefaultMaxBodyBytes is the request body limit when Handler.MaxBodyBytes
// is zero. A valid request needs under 3 KiB.
const DefaultMaxBodyBytes = 64 << 10

// A Handler serves ExportCertificate over HTTP as AWS JSON 1.1, the
// protocol ACM speaks, so that the AWS SDKs and the AWS CLI can call it
// unchanged. It answers POST requests whose X-Amz-Target is Target; what
// it does with others is up to Next.
//
// Every response it writes carries a fresh x-amzn-RequestId. An error is
// answered with its APIError's status, an X-Amzn-ErrorType header holding
// the bare code, and a body {"__type": code, "message": text}. A failure
// that is not the client's, a panic in the CA included, is a 500
// InternalFailure that tells the client nothing more.
//
// By default a Handler does not check who is calling: it ignores the SigV4
// Authorization header, and anyone who reaches it can export any key its
// CA holds. Given Credentials, it verifies the SigV4 signature of every
// ExportCertificate request and refuses those that are missing, malformed,
// made with an unknown key, scoped to another region or service, outside
// MaxClockSkew, or that do not match the request, with the errors AWS JSON
// services give: *MissingAuthenticationTokenException (403),
// *IncompleteSignatureException, *UnrecognizedClientException and
// *InvalidSignatureException (400). Given Authorize, it asks the host
// whether the caller may export the certificate, and refuses with an
// *AccessDeniedException (403) if not.
//
// The checks run in this order: the target, Allow, the method, the content
// type and the body's size; then the signature, which covers the body;
// then the body's JSON; then, if Authorize is set, the request's
// constraints (ValidationException) and Authorize; then Export. The CA is
// never asked about a request that fails authentication or authorization.
// Requests passed to Next are neither authenticated nor authorized here.
//
// Its fields must not change while it serves.
type Handler struct {
	// CA is where certificates are looked up. It must be set.
	CA CA

	// Config is passed to Export. It may be nil.
	Config *Config

	// Next, if set, serves the requests whose X-Amz-Target is not Target,
	// so that the Handler can sit in front of a larger ACM-compatible
	// service. If nil, they get an UnknownOperationException.
	Next http.Handler

	// MaxBodyBytes limits the request body. Zero means
	// DefaultMaxBodyBytes.
	MaxBodyBytes int64

	// Allow, if set, is asked first about each ExportCertificate request;
	// if it returns false, the request is answered with a
	// ThrottlingException and nothing else is done. It is where a host
	// plugs in a rate limiter, such as golang.org/x/time/rate's
	// Limiter.Allow.
	Allow func(r *http.Request) bool

	// Credentials, if set, turns on SigV4 verification: each
	// ExportCertificate request must then carry an AWS4-HMAC-SHA256
	// signature in its Authorization header, made with an access key
	// Credentials knows, for service SigningName in Region. The signature
	// must cover at least the Host, X-Amz-Date and X-Amz-Target headers,
	// and X-Amz-Security-Token and X-Amz-Content-Sha256 when they are
	// sent; the body is covered through its SHA-256. Signatures in the
	// query string (presigned requests) are not accepted. If nil,
	// signatures are not checked.
	//
	// The Host header must reach the Handler as the client signed it: a
	// proxy in front that rewrites it makes every signature fail.
	Credentials Credentials

	// Region is the region signatures must be scoped to, such as
	// "us-east-1". It must be set with Credentials; without it every
	// request is an InternalFailure.
	Region string

	// MaxClockSkew is how far X-Amz-Date may be from Now, before or after,
	// for a signature to be accepted. Zero means DefaultMaxClockSkew.
	MaxClockSkew time.Duration

	// Now, if set, is the clock signatures are checked against. If nil,
	// time.Now is used.
	Now func() time.Time

	// Authorize, if set, is asked whether principal may export the
	// certificate arn, after the request has been authenticated and has
	// passed the operation's constraints, so that arn is always a
	// well-formed ARN. principal is the verified Credential.Principal (or
	// its access key ID), or "" when Credentials is nil and nobody was
	// authenticated. If it returns false, the request is answered with an
	// AccessDeniedException in the words of an IAM denial:
	//
	//	User: <principal> is not authorized to perform: acm:ExportCertificate on resource: <arn> because no identity-based policy allows the acm:ExportCertificate action
	//
	// with "anonymous" for an empty principal. An error that is an APIError
	// is answered as it is; any other is an InternalFailure. If nil, every
	// caller that passes authentication may export every certificate.
	Authorize func(ctx context.Context, principal, arn string) (bool, error)

	// OnError, if set, is called with each error the Handler answers with,
	// and the request ID it sent, before the response is written: for an
	// *InternalFailure, its Err is the cause, which the client is not
	// told. It is where a host logs. The errors never hold the passphrase,
	// key material, a secret access key, a session token or a signature.
	OnError func(r *http.Request, requestID string, err error)
}

// ServeHTTP answers one request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Amz-Target") != Target && h.Next != nil {
		h.Next.ServeHTTP(w, r)
		return
	}

	id := uuid.NewString()
	w.Header().Set("X-Amzn-RequestId", id)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			// The panic value may hold anything; only its kind is kept.
			h.writeError(w, r, id, &InternalFailure{Err: errors.New("acmexport: panic while serving ExportCertificate")})
		}
	}()

	resp, err := h.serve(r)
	if err != nil {
		h.writeError(w, r, id, err)
		return
	}
	// MarshalJSON checks the response and writes it as encoding/json
	// would, without encoding/json's second pass over the bytes.
	body, err := resp.MarshalJSON()
	if err != nil {
		h.writeError(w, r, id, &InternalFailure{Err: err})
		return
	}
	w.Header().Set("Content-Type", ContentType)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}

// serve runs the protocol checks and Export for one request.
func (h *Handler) serve(r *http.Request) (*Response, error) {
	switch target := r.Header.Get("X-Amz-Target"); {
	case target == "":
		return nil, &UnknownOperationException{Message: "missing X-Amz-Target header; ExportCertificate is called with X-Amz-Target: " + Target}
	case target != Target:
		return nil, &UnknownOperationException{Message: "unknown operation; this endpoint serves only " + Target}
	}
	if h.Allow != nil && !h.Allow(r) {
		return nil, &ThrottlingException{Message: "Rate exceeded"}
	}
	if r.Method != http.MethodPost {
		return nil, &UnknownOperationException{Message: "ExportCertificate is called with POST, not " + r.Method}
	}
	if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != ContentType {
		return nil, &SerializationException{Message: "content type must be " + ContentType}
	}

	limit := h.MaxBodyBytes
	if limit <= 0 {
		limit = DefaultMaxBodyBytes
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	// The body holds the passphrase in base64: erase it once served.
	defer clear(body)
	if err != nil {
		return nil, &SerializationException{Message: "could not read the request body"}
	}
	if int64(len(body)) > limit {
		return nil, &SerializationException{Message: "request body is larger than " + strconv.FormatInt(limit, 10) + " bytes"}
	}

	var principal string
	if h.Credentials != nil {
		if principal, err = h.authenticate(r, body); err != nil {
			return nil, err
		}
	}

	var req Request
	defer func() { clear(req.Passphrase) }()
	if err := req.UnmarshalJSON(body); err != nil {
		return nil, err
	}
	if h.Authorize != nil {
		if err := h.authorize(r.Context(), principal, &req); err != nil {
			return nil, err
		}
	}
	resp, err := Export(r.Context(), h.CA, &req, h.Config)
	if err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return nil, &InternalFailure{Err: err}
	}
	return resp, err
}

// authorize asks h.Authorize whether principal may export the certificate
// req names.
func (h *Handler) authorize(ctx context.Context, principal string, req *Request) error {
	// A request that breaks a constraint is answered first: Authorize then
	// only ever sees a well-formed ARN, and the ValidationException tells
	// the caller nothing that it did not send.
	if err := ValidateRequest(req, h.Config); err != nil {
		return err
	}
	arn := *req.CertificateArn
	ok, err := h.Authorize(ctx, principal, arn)
	var apiErr APIError
	switch {
	case err != nil && errors.As(err, &apiErr):
		return err
	case err != nil:
		return &InternalFailure{Err: fmt.Errorf("acmexport: Handler.Authorize failed: %w", err)}
	case !ok:
		return &AccessDeniedException{Message: deniedMessage(principal, arn)}
	}
	return nil
}

// writeError answers with err, which is made an InternalFailure unless it
// is an APIError.
func (h *Handler) writeError(w http.ResponseWriter, r *http.Request, id string, err error) {
	var apiErr APIError
	if !errors.As(err, &apiErr) {
		apiErr = &InternalFailure{Err: err}
	}
	if h.OnError != nil {
		h.OnError(r, id, apiErr)
	}

	msgMember := "message"
	if apiErr.ErrorCode() == "AccessDeniedException" {
		msgMember = "Message"
	}
	body, _ := json.Marshal(map[string]string{
		"__type":  apiErr.ErrorCode(),
		msgMember: apiErr.ErrorMessage(),
	})
	hdr := w.Header()
	hdr.Set("Content-Type", ContentType)
	hdr.Set("Content-Length", strconv.Itoa(len(body)))
	hdr.Set("X-Amzn-ErrorType", apiErr.ErrorCode())
	w.WriteHeader(apiErr.HTTPStatus())
	w.Write(body)
}
