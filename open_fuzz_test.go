package acmexport_test

import (
	"errors"
	"testing"

	"github.com/acmexport/acmexport"
)

// FuzzDecryptKey checks that no key text, however broken, makes DecryptKey
// panic or answer with anything but a key or one of its documented errors.
// Its seeds are the OpenSSL vectors; without them it fails.
func FuzzDecryptKey(f *testing.F) {
	vs := readVectors(f)
	for _, v := range vs {
		f.Add(v.pem, v.passphrase)
	}
	f.Add("-----BEGIN ENCRYPTED PRIVATE KEY-----\nMAA=\n-----END ENCRYPTED PRIVATE KEY-----\n", []byte("pass"))

	// Keep each run cheap: the vectors' own work factors fit, a mutated
	// one that asks for more is refused before it runs.
	cfg := &acmexport.OpenConfig{MaxIterations: 200_000, MaxScryptN: 1 << 14, MaxScryptMemory: 16 << 20, MaxScryptWork: 1 << 17}
	f.Fuzz(func(t *testing.T, text string, passphrase []byte) {
		key, err := acmexport.DecryptKey(text, passphrase, cfg)
		if (key == nil) == (err == nil) {
			t.Fatalf("DecryptKey() = %v, %v: want exactly one of a key and an error", key, err)
		}
		if err == nil {
			return
		}
		var (
			unsupported *acmexport.UnsupportedError
			limit       *acmexport.LimitError
			malformed   *acmexport.MalformedError
		)
		switch {
		case errors.Is(err, acmexport.ErrIncorrectPassphrase),
			errors.As(err, &unsupported), errors.As(err, &limit), errors.As(err, &malformed):
		default:
			t.Fatalf("DecryptKey() = %v (%T), not a documented error", err, err)
		}
	})
}
