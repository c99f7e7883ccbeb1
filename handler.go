package acmexport

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"

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
// A Handler does not check who is calling: it ignores the SigV4
// Authorization header. Its fields must not change while it serves.
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

	// OnError, if set, is called with each error the Handler answers with,
	// and the request ID it sent, before the response is written: for an
	// *InternalFailure, its Err is the cause, which the client is not
	// told. It is where a host logs. The errors never hold the passphrase
	// or key material.
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
	body, err := json.Marshal(resp)
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
	if err != nil {
		return nil, &SerializationException{Message: "could not read the request body"}
	}
	if int64(len(body)) > limit {
		return nil, &SerializationException{Message: "request body is larger than " + strconv.FormatInt(limit, 10) + " bytes"}
	}

	var req Request
	if err := req.UnmarshalJSON(body); err != nil {
		return nil, err
	}
	resp, err := Export(r.Context(), h.CA, &req, h.Config)
	if err != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)) {
		return nil, &InternalFailure{Err: err}
	}
	return resp, err
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
