package acmexport_test

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/acmexport/acmexport"
)

// The fuzz targets here read their seeds from testdata and fail when none
// load, so that a moved folder cannot leave them fuzzing nothing. Any
// crasher they find is kept by go test under testdata/fuzz and runs with
// every go test after.

// readRequestBodies reads the request bodies in testdata/requests.
func readRequestBodies(t testing.TB) [][]byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "requests", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no request bodies in testdata/requests (%v)", err)
	}
	var bodies [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bodies = append(bodies, b)
	}
	return bodies
}

// FuzzRequestUnmarshal checks that any body decodes to a request or to a
// SerializationException, and that a decoded request survives a round trip.
func FuzzRequestUnmarshal(f *testing.F) {
	for _, b := range readRequestBodies(f) {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var req acmexport.Request
		err := req.UnmarshalJSON(body)
		if err != nil {
			var se *acmexport.SerializationException
			if !errors.As(err, &se) {
				t.Fatalf("UnmarshalJSON(%q) = %v (%T), want a *SerializationException", body, err, err)
			}
			return
		}
		again, err := json.Marshal(req)
		if err != nil {
			t.Fatalf("Marshal(%+v) = %v", req, err)
		}
		var back acmexport.Request
		if err := back.UnmarshalJSON(again); err != nil {
			t.Fatalf("UnmarshalJSON(Marshal(UnmarshalJSON(%q))) = %v", body, err)
		}
		// Marshal leaves out empty members, which decode as null.
		if ptrString(back.CertificateArn) != ptrString(req.CertificateArn) || string(back.Passphrase) != string(req.Passphrase) {
			t.Fatalf("round trip of %q changed the request: %+v, then %+v", body, req, back)
		}
	})
}

func ptrString(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// FuzzMatchARN checks MatchARN against the model's pattern compiled by Go's
// regexp: they must agree on every input.
func FuzzMatchARN(f *testing.F) {
	for _, arn := range readARNs(f) {
		f.Add(arn)
	}
	f.Fuzz(func(t *testing.T, arn string) {
		if got, want := acmexport.MatchARN(arn), modelARN.MatchString(arn); got != want {
			t.Fatalf("MatchARN(%q) = %v, the model's pattern says %v", arn, got, want)
		}
		if acmexport.ValidateARN(arn) == nil && !modelARN.MatchString(arn) {
			t.Fatalf("ValidateARN(%q) accepted what the model's pattern refuses", arn)
		}
	})
}

// FuzzDecodePEM checks DecodePEM against the model's patterns for the
// certificate and chain fields, with the private key's label corrected to
// ENCRYPTED PRIVATE KEY: DecodePEM accepts only what the patterns accept,
// and refuses of what they accept only base64 that is not canonical.
func FuzzDecodePEM(f *testing.F) {
	vs := readVectors(f)
	for _, v := range vs {
		text := strings.TrimPrefix(v.pem, "\n")
		f.Add(text, true)
		f.Add(strings.ReplaceAll(text, "\n", "\r\n"), true)
		relabelled := strings.ReplaceAll(text, acmexport.LabelEncryptedPrivateKey, acmexport.LabelCertificate)
		f.Add(relabelled+relabelled, false)
	}
	patterns := map[bool][2]interface{ MatchString(string) bool }{
		true:  {modelPEM(acmexport.LabelEncryptedPrivateKey, false), modelPEM(acmexport.LabelEncryptedPrivateKey, true)},
		false: {modelPEM(acmexport.LabelCertificate, false), modelPEM(acmexport.LabelCertificate, true)},
	}
	f.Fuzz(func(t *testing.T, text string, key bool) {
		label := acmexport.LabelCertificate
		if key {
			label = acmexport.LabelEncryptedPrivateKey
		}
		single, chain := patterns[key][0], patterns[key][1]
		blocks, err := acmexport.DecodePEM(text, label)
		switch {
		case err == nil && !chain.MatchString(text):
			t.Fatalf("DecodePEM(%q) accepted a text the model's chain pattern refuses", text)
		case err == nil && len(blocks) == 1 && !single.MatchString(text):
			t.Fatalf("DecodePEM(%q) accepted one block the model's single pattern refuses", text)
		case err == nil && len(blocks) == 0:
			t.Fatalf("DecodePEM(%q) = no blocks and no error", text)
		case err != nil && chain.MatchString(text):
			var pe *acmexport.PEMError
			if !errors.As(err, &pe) || !strings.HasPrefix(pe.Reason, "base64 is not canonical") {
				t.Fatalf("DecodePEM(%q) = %v, but the model's pattern accepts it", text, err)
			}
		}
		if err == nil && acmexport.EncodePEM(label, blocks...) != strings.ReplaceAll(text, "\r\n", "\n")+finalBreak(text) {
			t.Fatalf("EncodePEM(DecodePEM(%q)) does not give the text back", text)
		}
	})
}

// finalBreak is the line break EncodePEM adds where text has none.
func finalBreak(text string) string {
	if strings.HasSuffix(text, "\n") {
		return ""
	}
	return "\n"
}

// handlerStatuses are the statuses Handler may answer with, and
// handlerCodes the codes.
var (
	handlerStatuses = map[int]bool{200: true, 400: true, 403: true, 500: true}
	handlerCodes    = map[string]bool{
		"ValidationException": true, "InvalidArnException": true, "ResourceNotFoundException": true,
		"RequestInProgressException": true, "ThrottlingException": true, "SerializationException": true,
		"UnknownOperationException": true,
	}
)

// FuzzHandler sends any body, target and content type to a Handler over a
// demo CA and checks that the answer is one the documentation names.
func FuzzHandler(f *testing.F) {
	d := sharedDemoCA(f)
	for _, b := range readRequestBodies(f) {
		f.Add("POST", acmexport.Target, acmexport.ContentType, b)
	}
	for _, arn := range []string{d.rsa, d.p256, d.pending, d.imported, d.publicNotExportable} {
		f.Add("POST", acmexport.Target, acmexport.ContentType, []byte(exportBody(arn, "cGFzc3dvcmQ=")))
	}
	f.Add("GET", "CertificateManager.ListCertificates", "text/plain", []byte(nil))
	h := &acmexport.Handler{CA: d, MaxBodyBytes: 4096}
	f.Fuzz(func(t *testing.T, method, target, contentType string, body []byte) {
		if !validMethod(method) {
			return // net/http refuses such a request before any handler
		}
		r := do(t, h, method, target, contentType, string(body))
		if !handlerStatuses[r.status] {
			t.Fatalf("status %d for %q", r.status, body)
		}
		if r.status == 200 {
			return
		}
		if code := r.body["__type"]; !handlerCodes[code] || r.header.Get("X-Amzn-ErrorType") != code {
			t.Fatalf("status %d with __type %q and X-Amzn-ErrorType %q for %q", r.status, code, r.header.Get("X-Amzn-ErrorType"), body)
		}
		if r.status == 500 {
			t.Fatalf("InternalFailure for a client's request %q", body)
		}
	})
}

func validMethod(m string) bool {
	if m == "" {
		return false
	}
	for _, c := range m {
		if c <= ' ' || c >= 0x7f || strings.ContainsRune(`()<>@,;:\"/[]?={}`, c) {
			return false
		}
	}
	return true
}
