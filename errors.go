package acmexport

import (
	"net/http"

	"github.com/aws/smithy-go"
)

// An APIError is an error with an AWS error code: every error that Export
// returns for a request is one, and Handler answers with its code, message
// and status. The method set is smithy.APIError's, the one the AWS SDK for Go
// gives its own errors, plus the HTTP status.
//
// There is one type for each code, named exactly as the code is on the wire,
// so errors.As picks out a code through any wrapping:
//
//	var nf *acmexport.ResourceNotFoundException
//	if errors.As(err, &nf) { ... }
type APIError interface {
	smithy.APIError

	// HTTPStatus is the status Handler answers with.
	HTTPStatus() int
}

// clientFault is embedded by the errors that blame the request.
type clientFault struct{}

// ErrorFault reports that the client is at fault.
func (clientFault) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }

// HTTPStatus returns 400 Bad Request.
func (clientFault) HTTPStatus() int { return http.StatusBadRequest }

func errorString(code, message string) string {
	if message == "" {
		return "acmexport: " + code
	}
	return "acmexport: " + code + ": " + message
}

// ValidationException reports a request that breaks a constraint of the
// operation, or a certificate that may not be exported. Its Message follows
// the wording of AWS's front end; see ValidateRequest.
type ValidationException struct {
	Message string
	clientFault
}

func (e *ValidationException) Error() string        { return errorString(e.ErrorCode(), e.Message) }
func (e *ValidationException) ErrorCode() string    { return "ValidationException" }
func (e *ValidationException) ErrorMessage() string { return e.Message }

// InvalidArnException reports an ARN that is well formed but cannot name a
// certificate of this CA: another partition, account or region, or a
// resource that is not a certificate.
type InvalidArnException struct {
	Message string
	clientFault
}

func (e *InvalidArnException) Error() string        { return errorString(e.ErrorCode(), e.Message) }
func (e *InvalidArnException) ErrorCode() string    { return "InvalidArnException" }
func (e *InvalidArnException) ErrorMessage() string { return e.Message }

// ResourceNotFoundException reports that the CA has no certificate with the
// requested ARN.
type ResourceNotFoundException struct {
	Message string
	clientFault
}

func (e *ResourceNotFoundException) Error() string        { return errorString(e.ErrorCode(), e.Message) }
func (e *ResourceNotFoundException) ErrorCode() string    { return "ResourceNotFoundException" }
func (e *ResourceNotFoundException) ErrorMessage() string { return e.Message }

// RequestInProgressException reports a certificate that has not been issued
// yet.
type RequestInProgressException struct {
	Message string
	clientFault
}

func (e *RequestInProgressException) Error() string        { return errorString(e.ErrorCode(), e.Message) }
func (e *RequestInProgressException) ErrorCode() string    { return "RequestInProgressException" }
func (e *RequestInProgressException) ErrorMessage() string { return e.Message }

// ThrottlingException reports a call refused because too many were made.
// The library never decides that itself: a CA or a host's limiter does.
type ThrottlingException struct {
	Message string
	clientFault
}

func (e *ThrottlingException) Error() string        { return errorString(e.ErrorCode(), e.Message) }
func (e *ThrottlingException) ErrorCode() string    { return "ThrottlingException" }
func (e *ThrottlingException) ErrorMessage() string { return e.Message }

// SerializationException reports a request body that is not the JSON the
// operation takes: a syntax error, a member of the wrong type, a passphrase
// that is not base64, or a body of the wrong content type or size.
type SerializationException struct {
	Message string
	clientFault
}

func (e *SerializationException) Error() string        { return errorString(e.ErrorCode(), e.Message) }
func (e *SerializationException) ErrorCode() string    { return "SerializationException" }
func (e *SerializationException) ErrorMessage() string { return e.Message }

// UnknownOperationException reports a request for an operation other than
// ExportCertificate, or for none.
type UnknownOperationException struct {
	Message string
	clientFault
}

func (e *UnknownOperationException) Error() string        { return errorString(e.ErrorCode(), e.Message) }
func (e *UnknownOperationException) ErrorCode() string    { return "UnknownOperationException" }
func (e *UnknownOperationException) ErrorMessage() string { return e.Message }

// AccessDeniedException reports a caller that is not allowed to make the
// call. Its status is 403, and on the wire its message is in the member
// "Message", not "message".
type AccessDeniedException struct {
	Message string
}

func (e *AccessDeniedException) Error() string                 { return errorString(e.ErrorCode(), e.Message) }
func (e *AccessDeniedException) ErrorCode() string             { return "AccessDeniedException" }
func (e *AccessDeniedException) ErrorMessage() string          { return e.Message }
func (e *AccessDeniedException) ErrorFault() smithy.ErrorFault { return smithy.FaultClient }
func (e *AccessDeniedException) HTTPStatus() int               { return http.StatusForbidden }

// MissingAuthenticationTokenException reports a request that carries no
// SigV4 signature, to a Handler that requires one. Its status is 403.
type MissingAuthenticationTokenException struct {
	Message string
}

func (e *MissingAuthenticationTokenException) Error() string {
	return errorString(e.ErrorCode(), e.Message)
}
func (e *MissingAuthenticationTokenException) ErrorCode() string {
	return "MissingAuthenticationTokenException"
}
func (e *MissingAuthenticationTokenException) ErrorMessage() string { return e.Message }
func (e *MissingAuthenticationTokenException) ErrorFault() smithy.ErrorFault {
	return smithy.FaultClient
}
func (e *MissingAuthenticationTokenException) HTTPStatus() int { return http.StatusForbidden }

// IncompleteSignatureException reports a SigV4 signature that cannot be
// read: an Authorization header that breaks the format, a credential that
// is not five slash-separated parts, an X-Amz-Date that is not ISO 8601
// basic format, an algorithm other than AWS4-HMAC-SHA256.
type IncompleteSignatureException struct {
	Message string
	clientFault
}

func (e *IncompleteSignatureException) Error() string        { return errorString(e.ErrorCode(), e.Message) }
func (e *IncompleteSignatureException) ErrorCode() string    { return "IncompleteSignatureException" }
func (e *IncompleteSignatureException) ErrorMessage() string { return e.Message }

// UnrecognizedClientException reports an access key ID the Handler's
// Credentials do not know, or a session token that is missing, unexpected
// or wrong.
type UnrecognizedClientException struct {
	Message string
	clientFault
}

func (e *UnrecognizedClientException) Error() string        { return errorString(e.ErrorCode(), e.Message) }
func (e *UnrecognizedClientException) ErrorCode() string    { return "UnrecognizedClientException" }
func (e *UnrecognizedClientException) ErrorMessage() string { return e.Message }

// InvalidSignatureException reports a SigV4 signature that was read but
// does not hold: it does not match the one recomputed from the request and
// the secret key, it is scoped to another region, service or day, it was
// made outside the allowed clock skew, or it leaves out a header that must
// be signed.
type InvalidSignatureException struct {
	Message string
	clientFault
}

func (e *InvalidSignatureException) Error() string        { return errorString(e.ErrorCode(), e.Message) }
func (e *InvalidSignatureException) ErrorCode() string    { return "InvalidSignatureException" }
func (e *InvalidSignatureException) ErrorMessage() string { return e.Message }

// internalFailureMessage is all a client is told of an InternalFailure.
const internalFailureMessage = "An internal error occurred; the request was not completed. Try again later."

// InternalFailure reports a failure that is not the caller's doing: a CA
// that failed, a response that broke the operation's own rules. Err holds
// the cause for the host's logs; ErrorMessage never shows it, so a client
// learns nothing from it.
type InternalFailure struct {
	Err error
}

// Error includes the cause: it is meant for the host, not the client.
func (e *InternalFailure) Error() string {
	if e.Err == nil {
		return errorString(e.ErrorCode(), "")
	}
	return errorString(e.ErrorCode(), e.Err.Error())
}

func (e *InternalFailure) Unwrap() error                 { return e.Err }
func (e *InternalFailure) ErrorCode() string             { return "InternalFailure" }
func (e *InternalFailure) ErrorMessage() string          { return internalFailureMessage }
func (e *InternalFailure) ErrorFault() smithy.ErrorFault { return smithy.FaultServer }
func (e *InternalFailure) HTTPStatus() int               { return http.StatusInternalServerError }

// Every AWS error type is an APIError.
var (
	_ APIError = (*ValidationException)(nil)
	_ APIError = (*InvalidArnException)(nil)
	_ APIError = (*ResourceNotFoundException)(nil)
	_ APIError = (*RequestInProgressException)(nil)
	_ APIError = (*ThrottlingException)(nil)
	_ APIError = (*SerializationException)(nil)
	_ APIError = (*UnknownOperationException)(nil)
	_ APIError = (*AccessDeniedException)(nil)
	_ APIError = (*MissingAuthenticationTokenException)(nil)
	_ APIError = (*IncompleteSignatureException)(nil)
	_ APIError = (*UnrecognizedClientException)(nil)
	_ APIError = (*InvalidSignatureException)(nil)
	_ APIError = (*InternalFailure)(nil)
)
