package pbes2

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"testing"

	"github.com/youmark/pkcs8"
)

var acm = Params{PRF: PRFOmitted, Iterations: 2048, SaltSize: 20}

func TestEncryptRefusesEmptyPassphrase(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range [][]byte{nil, {}} {
		if der, err := Encrypt(key, p, acm); err == nil {
			t.Errorf("Encrypt(key, %q) = %d bytes, want an error", p, len(der))
		}
	}
	// The dependency on its own writes such a key unencrypted, which is
	// why Encrypt must refuse.
	der, err := pkcs8.MarshalPrivateKey(key, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if IsEncrypted(der) {
		t.Errorf("IsEncrypted(unencrypted PKCS#8) = true")
	}
}

func TestEncryptRefusesWeakParams(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Params{{Iterations: 0, SaltSize: 20}, {Iterations: 2048, SaltSize: 4}, {PRF: 9, Iterations: 2048, SaltSize: 20}} {
		if _, err := Encrypt(key, []byte("pass"), p); err == nil {
			t.Errorf("Encrypt(%+v) succeeded, want an error", p)
		}
	}
}

func TestEncryptOpens(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []Params{acm, {PRF: PRFHMACSHA256, Iterations: 5000, SaltSize: 16}} {
		der, err := Encrypt(key, []byte("pass"), p)
		if err != nil {
			t.Fatal(err)
		}
		if !IsEncrypted(der) {
			t.Errorf("IsEncrypted(Encrypt(%+v)) = false", p)
		}
		got, err := pkcs8.ParsePKCS8PrivateKey(der, []byte("pass"))
		if err != nil {
			t.Fatalf("the dependency cannot open Encrypt(%+v): %v", p, err)
		}
		if !key.Equal(got) {
			t.Errorf("Encrypt(%+v) opened to another key", p)
		}
	}
}

func TestIsEncrypted(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	der, err := Encrypt(key, []byte("pass"), acm)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		der  []byte
		want bool
	}{
		{"encrypted", der, true},
		{"unencrypted", plain, false},
		{"trailing data", append(append([]byte(nil), der...), 0), false},
		{"truncated", der[:len(der)-1], false},
		{"empty", nil, false},
	}
	for _, tt := range tests {
		if got := IsEncrypted(tt.der); got != tt.want {
			t.Errorf("IsEncrypted(%s) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestEncryptErasesDerivedKey(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	kdf := &kdfOpts{params: acm}
	if _, err := encrypt(key, []byte("pass"), kdf); err != nil {
		t.Fatal(err)
	}
	if len(kdf.derived) != 32 {
		t.Fatalf("derived key is %d bytes, want 32", len(kdf.derived))
	}
	for _, b := range kdf.derived {
		if b != 0 {
			t.Fatalf("derived key not erased after encryption: %x", kdf.derived)
		}
	}
}
