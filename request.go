package acmexport

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
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
// absent. An empty body is an empty object. A member that appears twice is
// refused, so that no two readers of one body can see two requests. Any
// other input gives a *SerializationException, whose message never quotes
// the body.
func (r *Request) UnmarshalJSON(data []byte) error {
	if len(bytes.TrimSpace(data)) == 0 {
		*r = Request{}
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return serializationError("", err)
	}
	var out Request
	switch tok {
	case nil: // null: no members
	case json.Delim('{'):
		if err := out.decodeMembers(dec); err != nil {
			return err
		}
	default:
		return &SerializationException{Message: "request body must be a JSON object, not " + jsonKind(tok)}
	}
	if _, err := dec.Token(); err != io.EOF {
		return &SerializationException{Message: "request body is not valid JSON: data after the object at offset " + strconv.FormatInt(dec.InputOffset(), 10)}
	}
	*r = out
	return nil
}

// decodeMembers decodes the members of an object whose opening brace dec
// has read, and its closing brace.
func (r *Request) decodeMembers(dec *json.Decoder) error {
	seen := make(map[string]bool, 2)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return serializationError("", err)
		}
		name := tok.(string) // object keys are always strings
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return serializationError("", err)
		}
		if seen[name] {
			what := "a member"
			if name == memberARN || name == memberPassphrase {
				what = "member " + name
			}
			return &SerializationException{Message: "request body has " + what + " more than once"}
		}
		seen[name] = true

		switch name {
		case memberARN:
			if err := json.Unmarshal(raw, &r.CertificateArn); err != nil {
				return serializationError(memberARN, err)
			}
		case memberPassphrase:
			p, err := decodePassphrase(raw)
			if err != nil {
				return err
			}
			r.Passphrase = p
		}
	}
	if _, err := dec.Token(); err != nil {
		return serializationError("", err)
	}
	return nil
}

// decodePassphrase decodes the JSON value of the Passphrase member: null, or
// a string of base64. It decodes the base64 straight from the body where
// the string has no escapes, so that the passphrase is not copied into a
// string, which could not be erased.
func decodePassphrase(raw json.RawMessage) ([]byte, error) {
	text := []byte(raw)
	if bytes.IndexByte(raw, '\\') >= 0 || len(raw) < 2 || raw[0] != '"' {
		var s *string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, serializationError(memberPassphrase, err)
		}
		if s == nil {
			return nil, nil
		}
		text = []byte(*s)
	} else {
		text = text[1 : len(text)-1]
	}
	p, err := decodeBlob(text)
	if err != nil {
		return nil, &SerializationException{Message: "member Passphrase is not valid base64: " + err.Error()}
	}
	return p, nil
}

// jsonKind names the kind of a JSON token for a message.
func jsonKind(tok json.Token) string {
	switch tok.(type) {
	case json.Delim:
		return "array"
	case string:
		return "string"
	case bool:
		return "bool"
	default:
		return "number"
	}
}

// MarshalJSON encodes the request as a client sends it, the passphrase in
// standard base64. It is the inverse of UnmarshalJSON.
func (r Request) MarshalJSON() ([]byte, error) {
	// A nil member is left out; an empty passphrase is sent as "".
	type wire struct {
		CertificateArn *string `json:",omitzero"`
		Passphrase     []byte  `json:",omitzero"`
	}
	return json.Marshal(wire(r))
}

// decodeBlob decodes a blob member: standard base64 with padding and with no
// line breaks, which Go's decoder would otherwise skip.
func decodeBlob(s []byte) ([]byte, error) {
	if i := bytes.IndexAny(s, "\r\n"); i >= 0 {
		return nil, errors.New("line break at offset " + strconv.Itoa(i))
	}
	if len(s)%4 != 0 {
		return nil, errors.New("length " + strconv.Itoa(len(s)) + " is not a multiple of 4")
	}
	enc := base64.StdEncoding.Strict()
	out := make([]byte, enc.DecodedLen(len(s)))
	n, err := enc.Decode(out, s)
	if err != nil {
		clear(out)
		var corrupt base64.CorruptInputError
		if errors.As(err, &corrupt) {
			return nil, errors.New("bad character or padding at offset " + strconv.FormatInt(int64(corrupt), 10))
		}
		return nil, err
	}
	return out[:n], nil
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
	case errors.Is(err, io.ErrUnexpectedEOF):
		msg = "request body is not valid JSON: it ends before the object does"
	case errors.As(err, &typ) && member == "":
		msg = "request body must be a JSON object, not " + typ.Value
	case errors.As(err, &typ):
		msg = "member " + member + " must be a string, not " + typ.Value
	default:
		msg = "request body is not valid JSON"
	}
	return &SerializationException{Message: msg}
}
