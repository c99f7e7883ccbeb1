// Package pbes2 writes and reads encrypted PKCS#8 keys under PBES2 (RFC
// 8018), over the extension points of github.com/youmark/pkcs8.
//
// To encrypt, the dependency assembles the EncryptedPrivateKeyInfo and runs
// the cipher, and this package's KDF options choose exactly which PBKDF2
// parameters are written. To decrypt, this package reads and checks every
// parameter first, caps the work, derives the key, and runs the
// dependency's cipher; it then checks the padding and the plaintext itself,
// so that a wrong passphrase, an unsupported key and a malformed one are
// told apart, and it erases what it derived and decrypted.
package pbes2

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"fmt"
	"hash"

	"github.com/youmark/pkcs8"
)

// Object identifiers, from RFC 8018 and NIST's AES registrations.
var (
	OIDPBES2          = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	OIDPBKDF2         = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	OIDScrypt         = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}
	OIDHMACWithSHA1   = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 7}
	OIDHMACWithSHA256 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 9}
	OIDAES256CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 42}
)

// PRF is the pseudorandom function PBKDF2 runs.
type PRF int

const (
	// PRFOmitted is HMAC-SHA1 with the PRF element left out of the
	// parameters, which RFC 8018 makes mean HMAC-SHA1. ACM writes this.
	PRFOmitted PRF = iota
	// PRFHMACSHA256 is HMAC-SHA256, written out.
	PRFHMACSHA256
)

// Params are the PBES2 parameters of one encryption. The cipher is always
// AES-256-CBC with a 16-byte IV.
type Params struct {
	PRF        PRF
	Iterations int
	SaltSize   int
}

// Encrypt marshals key as an unencrypted PKCS#8 PrivateKeyInfo and returns
// it encrypted under passphrase as a DER EncryptedPrivateKeyInfo. Salt and
// IV come from crypto/rand. An empty passphrase is an error: the dependency
// would write the key unencrypted.
func Encrypt(key any, passphrase []byte, p Params) ([]byte, error) {
	if len(passphrase) == 0 {
		return nil, errors.New("pbes2: empty passphrase")
	}
	if p.Iterations < 1 || p.SaltSize < 8 {
		return nil, fmt.Errorf("pbes2: %d iterations and a %d-byte salt are too weak", p.Iterations, p.SaltSize)
	}
	return encrypt(key, passphrase, &kdfOpts{params: p})
}

// encrypt is Encrypt with the KDF options given, so that a test can see
// what becomes of the derived key.
func encrypt(key any, passphrase []byte, kdf *kdfOpts) ([]byte, error) {
	der, err := pkcs8.MarshalPrivateKey(key, passphrase, &pkcs8.Opts{
		Cipher:  pkcs8.AES256CBC,
		KDFOpts: kdf,
	})
	// The dependency is done with the derived key; the copies it made of
	// the plaintext are out of reach.
	clear(kdf.derived)
	if err != nil {
		return nil, fmt.Errorf("pbes2: %w", err)
	}
	if !IsEncrypted(der) {
		return nil, errors.New("pbes2: the encoder wrote an unencrypted key")
	}
	return der, nil
}

// kdfOpts is the dependency's KDFOpts for PBKDF2 with the parameters
// written exactly as Params asks: its own PBKDF2Opts always writes the PRF.
// It keeps the key it derives, so that Encrypt can erase it.
type kdfOpts struct {
	params  Params
	derived []byte
}

func (o *kdfOpts) OID() asn1.ObjectIdentifier { return OIDPBKDF2 }
func (o *kdfOpts) GetSaltSize() int           { return o.params.SaltSize }

func (o *kdfOpts) DeriveKey(password, salt []byte, size int) ([]byte, pkcs8.KDFParameters, error) {
	var params pkcs8.KDFParameters
	var h func() hash.Hash
	switch o.params.PRF {
	case PRFOmitted:
		h = sha1.New
		params = pbkdf2SHA1Params{Salt: salt, IterationCount: o.params.Iterations}
	case PRFHMACSHA256:
		h = sha256.New
		params = pbkdf2Params{Salt: salt, IterationCount: o.params.Iterations, PRF: pkix.AlgorithmIdentifier{
			Algorithm:  OIDHMACWithSHA256,
			Parameters: asn1.NullRawValue,
		}}
	default:
		return nil, nil, fmt.Errorf("unknown PRF %d", o.params.PRF)
	}
	key, err := pbkdf2.Key(h, string(password), salt, o.params.Iterations, size)
	if err != nil {
		return nil, nil, err
	}
	o.derived = key
	return key, params, nil
}

// pbkdf2SHA1Params are PBKDF2-params with the PRF element left out.
type pbkdf2SHA1Params struct {
	Salt           []byte
	IterationCount int
}

// pbkdf2Params are PBKDF2-params with the PRF element written.
type pbkdf2Params struct {
	Salt           []byte
	IterationCount int
	PRF            pkix.AlgorithmIdentifier
}

// DeriveKey is never called: the parameter types are only written. It is
// there because pkcs8.KDFParameters asks for it.
func (pbkdf2SHA1Params) DeriveKey([]byte, int) ([]byte, error) {
	return nil, errors.New("pbes2: not for decryption")
}

// DeriveKey is never called; see pbkdf2SHA1Params.DeriveKey.
func (pbkdf2Params) DeriveKey([]byte, int) ([]byte, error) {
	return nil, errors.New("pbes2: not for decryption")
}

// EncryptedPrivateKeyInfo is the ASN.1 structure of RFC 5958, section 3.
type EncryptedPrivateKeyInfo struct {
	EncryptionAlgorithm pkix.AlgorithmIdentifier
	EncryptedData       []byte
}

// IsEncrypted reports whether der is an EncryptedPrivateKeyInfo under PBES2
// with nothing after it. An unencrypted PrivateKeyInfo, whose first element
// is an INTEGER, is not.
func IsEncrypted(der []byte) bool {
	var info EncryptedPrivateKeyInfo
	rest, err := asn1.Unmarshal(der, &info)
	return err == nil && len(rest) == 0 &&
		info.EncryptionAlgorithm.Algorithm.Equal(OIDPBES2) && len(info.EncryptedData) > 0
}
