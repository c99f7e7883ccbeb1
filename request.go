package acmexport

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
)

// A Request is the input of ExportCertificate. Its fields mirror the AWS SDK
// for Go's ExportCertificateInput, so a nil field is a member the caller left
// out, which ValidateRequest reports as null.
type Request struct {
	// CertificateArn names the certificate to export.
	CertificateArn *string

	// Passphrase is the passphrase to encrypt the private key with, as raw
	// bytes: on the wire it is base64, and its limits apply to the decoded
	// bytes. Export uses it byte for byte; it trims nothing.
	Passphrase []byte
}

// The request members, named as on the wire.
const (
	memberARN        = "CertificateArn"
	memberPassphrase = "Passphrase"
)

// UnmarshalJSON decodes a request body as AWS JSON 1.1 does: an object whose
// member names match exactly (unknown ones are ignored), the ARN a string,
// the passphrase a string of standard, padded base64; either may be null or
// absent. An empty body is an empty object. Any other input gives a
// *SerializationException, whose message never quotes the body.
func (r *Request) UnmarshalJSON(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		*r = Request{}
		return nil
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(data, &members); err != nil {
		return serializationError("", err)
	}

	var out Request
	if raw, ok := members[memberARN]; ok {
		if err := json.Unmarshal(raw, &out.CertificateArn); err != nil {
			return serializationError(memberARN, err)
		}
	}
	if raw, ok := members[memberPassphrase]; ok {
		var text *string
		if err := json.Unmarshal(raw, &text); err != nil {
			return serializationError(memberPassphrase, err)
		}
		if text != nil {
			p, err := decodeBlob(*text)
			if err != nil {
				return &SerializationException{Message: "member Passphrase is not valid base64: " + err.Error()}
			}
			out.Passphrase = p
		}
	}
	*r = out
	return nil
}

// MarshalJSON encodes the request as a client sends it, the passphrase in
// standard base64. It is the inverse of UnmarshalJSON.
func (r Request) MarshalJSON() ([]byte, error) {
	type wire struct {
		CertificateArn *string `json:",omitempty"`
		Passphrase     []byte  `json:",omitempty"`
	}
	return json.Marshal(wire(r))
}

// decodeBlob decodes a blob member: standard base64 with padding and with no
// line breaks, which Go's decoder would otherwise skip.
func decodeBlob(s string) ([]byte, error) {
	for i := 0; i < len(s); i++ {
		if s[i] == '\r' || s[i] == '\n' {
			return nil, errors.New("line break at offset " + strconv.Itoa(i))
		}
	}
	if len(s)%4 != 0 {
		return nil, errors.New("length " + strconv.Itoa(len(s)) + " is not a multiple of 4")
	}
	out, err := decodeBase64(s)
	if err != nil {
		var corrupt base64.CorruptInputError
		if errors.As(err, &corrupt) {
			return nil, errors.New("bad character or padding at offset " + strconv.FormatInt(int64(corrupt), 10))
		}
		return nil, err
	}
	return out, nil
}

// serializationError turns an encoding/json error into a
// SerializationException that names the member and the offset, never the
// bytes found, since they may be part of the passphrase.
func serializationError(member string, err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var msg string
	switch {
	case errors.As(err, &syntax):
		msg = "request body is not valid JSON: syntax error at offset " + strconv.FormatInt(syntax.Offset, 10)
	case errors.As(err, &typ) && member == "":
		msg = "request body must be a JSON object, not " + typ.Value
	case errors.As(err, &typ):
		msg = "member " + member + " must be a string, not " + typ.Value
	default:
		msg = "request body is not valid JSON"
	}
	return &SerializationException{Message: msg}
}
