package pbes2

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"testing"

	"github.com/youmark/pkcs8"
)

var limits = Limits{MaxIterations: 1_000_000, MaxScryptN: 1 << 16, MaxScryptMemory: 64 << 20, MaxScryptWork: 1 << 22}

// envelope builds an EncryptedPrivateKeyInfo from its parts, so that each
// test can break one of them.
type envelope struct {
	scheme asn1.ObjectIdentifier
	kdf    asn1.ObjectIdentifier
	kdfDER []byte
	cipher asn1.ObjectIdentifier
	iv     []byte
	data   []byte
}

func goodEnvelope() envelope {
	kdf, _ := asn1.Marshal(pbkdf2SHA1Params{Salt: make([]byte, 20), IterationCount: 2048})
	return envelope{OIDPBES2, OIDPBKDF2, kdf, OIDAES256CBC, make([]byte, 16), make([]byte, 64)}
}

func (e envelope) der(t *testing.T) []byte {
	t.Helper()
	iv, err := asn1.Marshal(e.iv)
	if err != nil {
		t.Fatal(err)
	}
	params, err := asn1.Marshal(pbes2Params{
		KeyDerivationFunc: pkix.AlgorithmIdentifier{Algorithm: e.kdf, Parameters: asn1.RawValue{FullBytes: e.kdfDER}},
		EncryptionScheme:  pkix.AlgorithmIdentifier{Algorithm: e.cipher, Parameters: asn1.RawValue{FullBytes: iv}},
	})
	if err != nil {
		t.Fatal(err)
	}
	der, err := asn1.Marshal(EncryptedPrivateKeyInfo{
		EncryptionAlgorithm: pkix.AlgorithmIdentifier{Algorithm: e.scheme, Parameters: asn1.RawValue{FullBytes: params}},
		EncryptedData:       e.data,
	})
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	der, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

func TestInspectHostile(t *testing.T) {
	sha256PRF := pkix.AlgorithmIdentifier{Algorithm: OIDHMACWithSHA256, Parameters: asn1.NullRawValue}
	sha512PRF := pkix.AlgorithmIdentifier{Algorithm: OIDHMACWithSHA512, Parameters: asn1.NullRawValue}
	tests := []struct {
		name   string
		change func(t *testing.T, e *envelope)
		kind   Kind
	}{
		{"good", func(*testing.T, *envelope) {}, 0},
		{"ciphertext not whole blocks", func(_ *testing.T, e *envelope) { e.data = make([]byte, 65) }, Malformed},
		{"empty ciphertext", func(_ *testing.T, e *envelope) { e.data = nil }, Malformed},
		{"IV too short", func(_ *testing.T, e *envelope) { e.iv = make([]byte, 8) }, Malformed},
		{"IV too long", func(_ *testing.T, e *envelope) { e.iv = make([]byte, 1<<10) }, Malformed},
		{"zero iterations", func(t *testing.T, e *envelope) {
			e.kdfDER = mustMarshal(t, pbkdf2SHA1Params{Salt: []byte("salt"), IterationCount: 0})
		}, Malformed},
		{"negative iterations", func(t *testing.T, e *envelope) {
			e.kdfDER = mustMarshal(t, pbkdf2SHA1Params{Salt: []byte("salt"), IterationCount: -5})
		}, Malformed},
		{"absurd iterations", func(t *testing.T, e *envelope) {
			e.kdfDER = mustMarshal(t, pbkdf2SHA1Params{Salt: []byte("salt"), IterationCount: 1 << 31})
		}, TooCostly},
		{"iteration count beyond int64", func(t *testing.T, e *envelope) {
			e.kdfDER = mustMarshal(t, struct {
				Salt []byte
				N    asn1.RawValue
			}{[]byte("salt"), asn1.RawValue{Tag: asn1.TagInteger, Bytes: []byte{0x7f, 1, 2, 3, 4, 5, 6, 7, 8, 9}}})
		}, Malformed},
		{"empty salt", func(t *testing.T, e *envelope) {
			e.kdfDER = mustMarshal(t, pbkdf2SHA1Params{IterationCount: 2048})
		}, Malformed},
		{"PRF hmacWithSHA512", func(t *testing.T, e *envelope) {
			e.kdfDER = mustMarshal(t, pbkdf2Params{Salt: []byte("salt"), IterationCount: 2048, PRF: sha512PRF})
		}, Unsupported},
		{"keyLength with SHA-256, which the dependency alone would misread", func(t *testing.T, e *envelope) {
			e.kdfDER = mustMarshal(t, struct {
				Salt       []byte
				Iterations int
				KeyLength  int
				PRF        pkix.AlgorithmIdentifier
			}{[]byte("salt"), 2048, 32, sha256PRF})
		}, 0},
		{"keyLength that does not fit the cipher", func(t *testing.T, e *envelope) {
			e.kdfDER = mustMarshal(t, struct {
				Salt       []byte
				Iterations int
				KeyLength  int
			}{[]byte("salt"), 2048, 16})
		}, Malformed},
		{"AES-GCM, which the dependency decrypts as CBC", func(_ *testing.T, e *envelope) { e.cipher = OIDAES256GCM }, Unsupported},
		{"unknown cipher", func(_ *testing.T, e *envelope) { e.cipher = asn1.ObjectIdentifier{1, 2, 3} }, Unsupported},
		{"PKCS#12 PBE scheme", func(_ *testing.T, e *envelope) {
			e.scheme = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
		}, Unsupported},
		{"unknown KDF", func(_ *testing.T, e *envelope) { e.kdf = asn1.ObjectIdentifier{1, 2, 3, 4} }, Unsupported},
		{"scrypt N not a power of two", func(t *testing.T, e *envelope) {
			e.kdf, e.kdfDER = OIDScrypt, mustMarshal(t, scryptParamsIn{Salt: []byte("salt"), CostParameter: 1000, BlockSize: 8, ParallelizationParameter: 1})
		}, Malformed},
		{"scrypt N over the limit", func(t *testing.T, e *envelope) {
			e.kdf, e.kdfDER = OIDScrypt, mustMarshal(t, scryptParamsIn{Salt: []byte("salt"), CostParameter: 1 << 40, BlockSize: 8, ParallelizationParameter: 1})
		}, TooCostly},
		{"scrypt memory over the limit", func(t *testing.T, e *envelope) {
			e.kdf, e.kdfDER = OIDScrypt, mustMarshal(t, scryptParamsIn{Salt: []byte("salt"), CostParameter: 1 << 16, BlockSize: 1 << 20, ParallelizationParameter: 1})
		}, TooCostly},
		{"scrypt r·p overflow", func(t *testing.T, e *envelope) {
			e.kdf, e.kdfDER = OIDScrypt, mustMarshal(t, scryptParamsIn{Salt: []byte("salt"), CostParameter: 16, BlockSize: 1 << 20, ParallelizationParameter: 1 << 20})
		}, Malformed},
		{"scrypt p over memory", func(t *testing.T, e *envelope) {
			e.kdf, e.kdfDER = OIDScrypt, mustMarshal(t, scryptParamsIn{Salt: []byte("salt"), CostParameter: 16, BlockSize: 1, ParallelizationParameter: 1 << 29})
		}, TooCostly},
		{"scrypt work over the limit", func(t *testing.T, e *envelope) {
			e.kdf, e.kdfDER = OIDScrypt, mustMarshal(t, scryptParamsIn{Salt: []byte("salt"), CostParameter: 1 << 14, BlockSize: 8, ParallelizationParameter: 1 << 14})
		}, TooCostly},
		{"scrypt zero r", func(t *testing.T, e *envelope) {
			e.kdf, e.kdfDER = OIDScrypt, mustMarshal(t, scryptParamsIn{Salt: []byte("salt"), CostParameter: 16, BlockSize: 0, ParallelizationParameter: 1})
		}, Malformed},
		{"KDF parameters not a SEQUENCE", func(_ *testing.T, e *envelope) { e.kdfDER = []byte{0x05, 0x00} }, Malformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := goodEnvelope()
			tt.change(t, &e)
			_, err := Decrypt(e.der(t), []byte("pass"), limits)
			got := Kind(0)
			var perr *Error
			if errors.As(err, &perr) {
				got = perr.Kind
			}
			// The good envelope holds zeros, not a key: it fails at
			// the end, as a wrong passphrase does.
			want := tt.kind
			if want == 0 {
				want = Incorrect
			}
			if got != want {
				t.Errorf("Decrypt() = %v (kind %d), want kind %d", err, got, want)
			}
		})
	}
}

func TestInspectTruncated(t *testing.T) {
	der := goodEnvelope().der(t)
	for n := 0; n < len(der); n++ {
		_, err := Decrypt(der[:n], []byte("pass"), limits)
		var perr *Error
		if !errors.As(err, &perr) || perr.Kind != Malformed {
			t.Fatalf("Decrypt(first %d of %d bytes) = %v, want Malformed", n, len(der), err)
		}
	}
}

// TestDependencyPanics shows why inspect runs first: the dependency's
// ciphers panic on input that inspect refuses.
func TestDependencyPanics(t *testing.T) {
	key := make([]byte, 32)
	for name, run := range map[string]func(){
		"ciphertext not whole blocks": func() { pkcs8.AES256CBC.Decrypt(key, make([]byte, 16), make([]byte, 65)) },
		"IV too short":                func() { pkcs8.AES256CBC.Decrypt(key, make([]byte, 8), make([]byte, 64)) },
	} {
		panicked := func() (p bool) {
			defer func() { p = recover() != nil }()
			run()
			return false
		}()
		if !panicked {
			t.Logf("%s: the dependency no longer panics", name)
		}
	}
	for name, e := range map[string]func(envelope) envelope{
		"ciphertext not whole blocks": func(e envelope) envelope { e.data = make([]byte, 65); return e },
		"IV too short":                func(e envelope) envelope { e.iv = make([]byte, 8); return e },
	} {
		if _, err := Decrypt(e(goodEnvelope()).der(t), []byte("pass"), limits); err == nil {
			t.Errorf("%s: Decrypt() = nil error", name)
		}
	}
}

func TestDecryptEmptyPassphrase(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := Encrypt(key, []byte("pass"), acm)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Decrypt(der, nil, limits)
	var perr *Error
	if !errors.As(err, &perr) || perr.Kind != Incorrect {
		t.Errorf("Decrypt(empty passphrase) = %v, want Incorrect", err)
	}
}

// TestDecryptClassifies checks that a correct passphrase over a key Go
// cannot parse is Unsupported, not Incorrect.
func TestDecryptClassifies(t *testing.T) {
	dsa, err := asn1.Marshal(privateKeyInfo{
		Algorithm:  pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10040, 4, 1}},
		PrivateKey: []byte{2, 1, 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	brokenEC, err := asn1.Marshal(privateKeyInfo{
		Algorithm:  pkix.AlgorithmIdentifier{Algorithm: asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}},
		PrivateKey: []byte{2, 1, 1},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name  string
		plain []byte
		kind  Kind
	}{
		{"DSA key", dsa, Unsupported},
		{"broken EC key", brokenEC, Malformed},
		{"not a key", []byte("not a key at all, but padded"), Incorrect},
	} {
		der := encryptRaw(t, tt.plain, []byte("pass"))
		_, err := Decrypt(der, []byte("pass"), limits)
		var perr *Error
		if !errors.As(err, &perr) || perr.Kind != tt.kind {
			t.Errorf("Decrypt(%s) = %v, want kind %d", tt.name, err, tt.kind)
		}
	}
}

// encryptRaw encrypts any plaintext as KeyFormatACM would a key.
func encryptRaw(t *testing.T, plain, passphrase []byte) []byte {
	t.Helper()
	salt, iv := make([]byte, 20), make([]byte, 16)
	rand.Read(salt)
	rand.Read(iv)
	kdf := &kdfOpts{params: acm}
	key, params, err := kdf.DeriveKey(passphrase, salt, 32)
	if err != nil {
		t.Fatal(err)
	}
	data, err := pkcs8.AES256CBC.Encrypt(key, iv, plain)
	if err != nil {
		t.Fatal(err)
	}
	e := goodEnvelope()
	e.kdfDER, e.iv, e.data = mustMarshal(t, params), iv, data
	return e.der(t)
}
