package acmexport_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/acmexport/acmexport"
)

func TestRequestUnmarshalJSON(t *testing.T) {
	tests := []struct {
		name string
		body string
		want acmexport.Request
	}{
		{"both", `{"CertificateArn":"` + goodARN + `","Passphrase":"cGFzc3dvcmQ="}`,
			acmexport.Request{CertificateArn: new(goodARN), Passphrase: []byte("password")}},
		{"unknown members ignored", `{"Passphrase":"cGFzcw==","Other":[1,{"a":2}]}`,
			acmexport.Request{Passphrase: []byte("pass")}},
		{"names are exact", `{"certificateArn":"x","passphrase":"cGFzcw=="}`, acmexport.Request{}},
		{"nulls", `{"CertificateArn":null,"Passphrase":null}`, acmexport.Request{}},
		{"empty passphrase is present", `{"Passphrase":""}`, acmexport.Request{Passphrase: []byte{}}},
		{"empty object", `{}`, acmexport.Request{}},
		{"empty body", ``, acmexport.Request{}},
		{"blank body", " \n", acmexport.Request{}},
		{"JSON null body", `null`, acmexport.Request{}},
		{"binary passphrase", `{"Passphrase":"abcd1234"}`,
			acmexport.Request{Passphrase: []byte{0x69, 0xb7, 0x1d, 0xd7, 0x6d, 0xf8}}},
		{"escaped", `{"CertificateArn":"arn\u003a","Passphrase":"cGFz\u0063w=="}`, acmexport.Request{CertificateArn: new("arn:"), Passphrase: []byte("pass")}},
		{"NUL and invalid UTF-8", "{\"CertificateArn\":\"a\\u0000b\xffc\"}", acmexport.Request{CertificateArn: new("a\x00b\ufffdc")}},
		{"case-variant members are other members", `{"CertificateArn":"a","certificatearn":"b"}`, acmexport.Request{CertificateArn: new("a")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got acmexport.Request
			if err := got.UnmarshalJSON([]byte(tt.body)); err != nil {
				t.Fatalf("UnmarshalJSON(%q) = %v", tt.body, err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("UnmarshalJSON(%q) mismatch (-want +got):\n%s", tt.body, diff)
			}
		})
	}
}

func TestRequestUnmarshalJSONErrors(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"not JSON", `{"Passphrase": secret}`, "request body is not valid JSON: syntax error at offset 14"},
		{"truncated", `{"Passphrase":"c2VjcmV0`, "request body is not valid JSON: it ends before the object does"},
		{"trailing data", `{} {}`, "request body is not valid JSON: data after the object at offset 4"},
		{"trailing garbage", `{}x`, "request body is not valid JSON: data after the object at offset 2"},
		{"duplicate ARN", `{"CertificateArn":"a","CertificateArn":"b"}`, "request body has member CertificateArn more than once"},
		{"duplicate passphrase", `{"Passphrase":"c2VjcmV0","Passphrase":null}`, "request body has member Passphrase more than once"},
		{"duplicate unknown member", `{"x":1,"x":2}`, "request body has a member more than once"},
		{"deeply nested", `{"x":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`, "request body is not valid JSON: syntax error at offset 10004"},
		{"array", `[]`, "request body must be a JSON object, not array"},
		{"string", `"x"`, "request body must be a JSON object, not string"},
		{"ARN number", `{"CertificateArn":12}`, "member CertificateArn must be a string, not number"},
		{"ARN object", `{"CertificateArn":{}}`, "member CertificateArn must be a string, not object"},
		{"passphrase bool", `{"Passphrase":true}`, "member Passphrase must be a string, not bool"},
		{"not base64", `{"Passphrase":"foobar"}`, "member Passphrase is not valid base64: length 6 is not a multiple of 4"},
		{"bad character", `{"Passphrase":"c2Vj*mV0"}`, "member Passphrase is not valid base64: bad character or padding at offset 4"},
		{"no padding", `{"Passphrase":"cGFzcw"}`, "member Passphrase is not valid base64: length 6 is not a multiple of 4"},
		{"URL alphabet", `{"Passphrase":"-_-_"}`, "member Passphrase is not valid base64: bad character or padding at offset 0"},
		{"line break", `{"Passphrase":"cGFz\ncw=="}`, "member Passphrase is not valid base64: line break at offset 4"},
		{"non-canonical", `{"Passphrase":"cGFzcx=="}`, "member Passphrase is not valid base64: bad character or padding at offset 6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var req acmexport.Request
			err := req.UnmarshalJSON([]byte(tt.body))
			var se *acmexport.SerializationException
			if !errors.As(err, &se) {
				t.Fatalf("UnmarshalJSON(%.80q) = %v, want a *SerializationException", tt.body, err)
			}
			if se.Message != tt.want {
				t.Errorf("UnmarshalJSON(%.80q) = %q, want %q", tt.body, se.Message, tt.want)
			}
			for _, secret := range []string{"secret", "c2VjcmV0", "foobar"} {
				if strings.Contains(tt.body, secret) && strings.Contains(err.Error(), secret) {
					t.Errorf("UnmarshalJSON(%q) = %q quotes the body", tt.body, err)
				}
			}
		})
	}
}

func TestRequestMarshalJSONKeepsEmptyPassphrase(t *testing.T) {
	for _, tt := range []struct {
		req  acmexport.Request
		want string
	}{
		{acmexport.Request{}, `{}`},
		{acmexport.Request{CertificateArn: new(""), Passphrase: []byte{}}, `{"CertificateArn":"","Passphrase":""}`},
	} {
		body, err := json.Marshal(tt.req)
		if err != nil || string(body) != tt.want {
			t.Errorf("json.Marshal(%+v) = %s, %v; want %s", tt.req, body, err, tt.want)
		}
	}
}

func TestRequestMarshalJSONRoundTrip(t *testing.T) {
	in := acmexport.Request{CertificateArn: new(goodARN), Passphrase: []byte("testing123\n")}
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"CertificateArn":"` + goodARN + `","Passphrase":"dGVzdGluZzEyMwo="}`; string(body) != want {
		t.Errorf("json.Marshal(Request) = %s, want %s", body, want)
	}
	var out acmexport.Request
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(in, out); diff != "" {
		t.Errorf("round trip mismatch (-in +out):\n%s", diff)
	}
}
