package acmexport_test

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/acmexport/acmexport"
)

func TestErrorTypes(t *testing.T) {
	cause := errors.New("disk on fire")
	tests := []struct {
		err     acmexport.APIError
		code    string
		status  int
		fault   smithy.ErrorFault
		message string
	}{
		{&acmexport.ValidationException{Message: "m"}, "ValidationException", 400, smithy.FaultClient, "m"},
		{&acmexport.InvalidArnException{Message: "m"}, "InvalidArnException", 400, smithy.FaultClient, "m"},
		{&acmexport.ResourceNotFoundException{Message: "m"}, "ResourceNotFoundException", 400, smithy.FaultClient, "m"},
		{&acmexport.RequestInProgressException{Message: "m"}, "RequestInProgressException", 400, smithy.FaultClient, "m"},
		{&acmexport.ThrottlingException{Message: "m"}, "ThrottlingException", 400, smithy.FaultClient, "m"},
		{&acmexport.SerializationException{Message: "m"}, "SerializationException", 400, smithy.FaultClient, "m"},
		{&acmexport.UnknownOperationException{Message: "m"}, "UnknownOperationException", 400, smithy.FaultClient, "m"},
		{&acmexport.AccessDeniedException{Message: "m"}, "AccessDeniedException", http.StatusForbidden, smithy.FaultClient, "m"},
		{&acmexport.MissingAuthenticationTokenException{Message: "m"}, "MissingAuthenticationTokenException", http.StatusForbidden, smithy.FaultClient, "m"},
		{&acmexport.IncompleteSignatureException{Message: "m"}, "IncompleteSignatureException", 400, smithy.FaultClient, "m"},
		{&acmexport.UnrecognizedClientException{Message: "m"}, "UnrecognizedClientException", 400, smithy.FaultClient, "m"},
		{&acmexport.InvalidSignatureException{Message: "m"}, "InvalidSignatureException", 400, smithy.FaultClient, "m"},
		{&acmexport.InternalFailure{Err: cause}, "InternalFailure", 500, smithy.FaultServer,
			"An internal error occurred; the request was not completed. Try again later."},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			if got := tt.err.ErrorCode(); got != tt.code {
				t.Errorf("ErrorCode() = %q, want %q", got, tt.code)
			}
			if got := tt.err.HTTPStatus(); got != tt.status {
				t.Errorf("HTTPStatus() = %d, want %d", got, tt.status)
			}
			if got := tt.err.ErrorFault(); got != tt.fault {
				t.Errorf("ErrorFault() = %v, want %v", got, tt.fault)
			}
			if got := tt.err.ErrorMessage(); got != tt.message {
				t.Errorf("ErrorMessage() = %q, want %q", got, tt.message)
			}

			// errors.As finds the type through wrapping, both as the
			// SDK's interface and as the library's.
			wrapped := fmt.Errorf("outer: %w", tt.err)
			var apiErr smithy.APIError
			if !errors.As(wrapped, &apiErr) || apiErr.ErrorCode() != tt.code {
				t.Errorf("errors.As(wrapped, *smithy.APIError) did not find %s", tt.code)
			}
			var ours acmexport.APIError
			if !errors.As(wrapped, &ours) || ours.HTTPStatus() != tt.status {
				t.Errorf("errors.As(wrapped, *acmexport.APIError) did not find %s", tt.code)
			}
		})
	}
}

func TestErrorsAsConcreteType(t *testing.T) {
	err := fmt.Errorf("lookup: %w", &acmexport.ResourceNotFoundException{Message: "gone"})
	var nf *acmexport.ResourceNotFoundException
	if !errors.As(err, &nf) || nf.Message != "gone" {
		t.Fatalf("errors.As(%v, *ResourceNotFoundException) = false", err)
	}
	var v *acmexport.ValidationException
	if errors.As(err, &v) {
		t.Errorf("errors.As(%v, *ValidationException) = true, want false", err)
	}
}

func TestInternalFailureHidesCause(t *testing.T) {
	cause := errors.New("secret detail")
	err := &acmexport.InternalFailure{Err: cause}
	if !errors.Is(err, cause) {
		t.Errorf("errors.Is(InternalFailure, cause) = false, want true")
	}
	if got := err.Error(); got != "acmexport: InternalFailure: secret detail" {
		t.Errorf("Error() = %q, want the cause for the host's logs", got)
	}
	if got := err.ErrorMessage(); got == "" || got == cause.Error() {
		t.Errorf("ErrorMessage() = %q, want a generic message without the cause", got)
	}
}

func TestErrorString(t *testing.T) {
	err := &acmexport.RequestInProgressException{Message: "not yet"}
	if got, want := err.Error(), "acmexport: RequestInProgressException: not yet"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
