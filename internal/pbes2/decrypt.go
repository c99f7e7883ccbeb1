package pbes2

import (
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"hash"

	"github.com/youmark/pkcs8"
	"golang.org/x/crypto/scrypt"
)

// More object identifiers: RFC 8018's other PRFs and ciphers, the AES-GCM
// identifiers that the dependency decrypts, wrongly, as CBC, and the key
// algorithms Go parses.
var (
	OIDHMACWithSHA224 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 8}
	OIDHMACWithSHA384 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 10}
	OIDHMACWithSHA512 = asn1.ObjectIdentifier{1, 2, 840, 113549, 2, 11}
	OIDAES128CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 2}
	OIDAES192CBC      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 22}
	OIDAES128GCM      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 6}
	OIDAES192GCM      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 26}
	OIDAES256GCM      = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 46}
	OIDDESEDE3CBC     = asn1.ObjectIdentifier{1, 2, 840, 113549, 3, 7}

	keyAlgorithms = []asn1.ObjectIdentifier{
		{1, 2, 840, 113549, 1, 1, 1}, // rsaEncryption
		{1, 2, 840, 10045, 2, 1},     // id-ecPublicKey
		{1, 3, 101, 112},             // Ed25519
		{1, 3, 101, 110},             // X25519
	}
)

// Kind says what is wrong with a key that Decrypt refuses.
type Kind int

const (
	// Malformed: the DER is not an EncryptedPrivateKeyInfo, or its
	// parameters break their own rules.
	Malformed Kind = iota + 1
	// Unsupported: a well-formed scheme, or key, that is not read here.
	Unsupported
	// TooCostly: a work factor over the caller's limit.
	TooCostly
	// Incorrect: the passphrase does not open the key.
	Incorrect
)

// An Error is a refusal of Decrypt. Its text never holds the passphrase or
// key material.
type Error struct {
	Kind Kind
	Msg  string
}

func (e *Error) Error() string { return e.Msg }

func fail(kind Kind, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// Limits cap the work a key may ask of the key derivation, so that a hostile
// key cannot hang or exhaust the process. They are checked before any
// derivation runs.
type Limits struct {
	MaxIterations   int   // PBKDF2 iteration count
	MaxScryptN      int   // scrypt cost parameter N
	MaxScryptMemory int64 // bytes scrypt allocates: 128·r·(N+p)
	MaxScryptWork   int64 // N·r·p, to which scrypt's time is proportional
}

// A Scheme describes the encryption of a key, as read from its parameters.
type Scheme struct {
	KDF        string // "PBKDF2" or "scrypt"
	PRF        string // PBKDF2's PRF, such as "hmacWithSHA1 (implied)"
	Iterations int    // PBKDF2
	N, R, P    int    // scrypt
	Cipher     string // such as "aes-256-cbc"
}

// envelopeIn is an EncryptedPrivateKeyInfo read and checked by inspect:
// what Decrypt needs to run the derivation and the cipher.
type envelopeIn struct {
	Scheme
	salt   []byte
	prf    func() hash.Hash // PBKDF2's
	cipher cipherInfo
	iv     []byte
	data   []byte
}

type pbes2Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	EncryptionScheme  pkix.AlgorithmIdentifier
}

type pbkdf2ParamsIn struct {
	Salt           []byte
	IterationCount int
	KeyLength      int                      `asn1:"optional"`
	PRF            pkix.AlgorithmIdentifier `asn1:"optional"`
}

type scryptParamsIn struct {
	Salt                     []byte
	CostParameter            int
	BlockSize                int
	ParallelizationParameter int
	KeyLength                int `asn1:"optional"`
}

// cipherInfo is what Decrypt needs to know of a supported cipher, which the
// dependency runs.
type cipherInfo struct {
	name   string
	cipher pkcs8.Cipher
}

var ciphers = []struct {
	oid asn1.ObjectIdentifier
	cipherInfo
}{
	{OIDAES128CBC, cipherInfo{"aes-128-cbc", pkcs8.AES128CBC}},
	{OIDAES192CBC, cipherInfo{"aes-192-cbc", pkcs8.AES192CBC}},
	{OIDAES256CBC, cipherInfo{"aes-256-cbc", pkcs8.AES256CBC}},
	{OIDDESEDE3CBC, cipherInfo{"des-ede3-cbc", pkcs8.TripleDESCBC}},
}

var prfNames = []struct {
	oid  asn1.ObjectIdentifier
	name string
}{
	{OIDHMACWithSHA1, "hmacWithSHA1"},
	{OIDHMACWithSHA224, "hmacWithSHA224"},
	{OIDHMACWithSHA256, "hmacWithSHA256"},
	{OIDHMACWithSHA384, "hmacWithSHA384"},
	{OIDHMACWithSHA512, "hmacWithSHA512"},
}

func name(oid asn1.ObjectIdentifier) string {
	for _, p := range prfNames {
		if p.oid.Equal(oid) {
			return p.name + " (" + oid.String() + ")"
		}
	}
	switch {
	case oid.Equal(OIDAES128GCM), oid.Equal(OIDAES192GCM), oid.Equal(OIDAES256GCM):
		return "AES-GCM (" + oid.String() + ")"
	}
	return oid.String()
}

// inspect reads the encryption scheme of der, an EncryptedPrivateKeyInfo,
// and checks every parameter against the rules of RFC 8018 and lim, so that
// nothing malformed or too costly reaches the derivation or the
// dependency's ciphers, which panic on some such input. It runs no key
// derivation.
func inspect(der []byte, lim Limits) (envelopeIn, error) {
	var e envelopeIn
	var info EncryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) > 0 {
		return e, fail(Malformed, "not a PKCS#8 EncryptedPrivateKeyInfo")
	}
	if !info.EncryptionAlgorithm.Algorithm.Equal(OIDPBES2) {
		return e, fail(Unsupported, "encryption scheme %s; only PBES2 is supported", name(info.EncryptionAlgorithm.Algorithm))
	}
	var params pbes2Params
	if rest, err := asn1.Unmarshal(info.EncryptionAlgorithm.Parameters.FullBytes, &params); err != nil || len(rest) > 0 {
		return e, fail(Malformed, "malformed PBES2 parameters")
	}

	if err := e.readCipher(params.EncryptionScheme); err != nil {
		return e, err
	}
	block := e.cipher.cipher.IVSize()
	if len(e.iv) != block {
		return e, fail(Malformed, "%s IV is %d bytes, want %d", e.Cipher, len(e.iv), block)
	}
	e.data = info.EncryptedData
	if n := len(e.data); n == 0 || n%block != 0 {
		return e, fail(Malformed, "encrypted data is %d bytes, not a whole number of %d-byte blocks", n, block)
	}

	kdf := params.KeyDerivationFunc
	switch {
	case kdf.Algorithm.Equal(OIDPBKDF2):
		return e, e.readPBKDF2(kdf.Parameters.FullBytes, lim)
	case kdf.Algorithm.Equal(OIDScrypt):
		return e, e.readScrypt(kdf.Parameters.FullBytes, lim)
	}
	return e, fail(Unsupported, "key derivation function %s; only PBKDF2 and scrypt are supported", name(kdf.Algorithm))
}

func (e *envelopeIn) readCipher(alg pkix.AlgorithmIdentifier) error {
	for _, c := range ciphers {
		if !c.oid.Equal(alg.Algorithm) {
			continue
		}
		e.cipher, e.Cipher = c.cipherInfo, c.name
		if rest, err := asn1.Unmarshal(alg.Parameters.FullBytes, &e.iv); err != nil || len(rest) > 0 {
			return fail(Malformed, "malformed %s IV", c.name)
		}
		return nil
	}
	return fail(Unsupported, "cipher %s; only AES-128/192/256-CBC and DES-EDE3-CBC are supported", name(alg.Algorithm))
}

func (e *envelopeIn) readPBKDF2(der []byte, lim Limits) error {
	var p pbkdf2ParamsIn
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) > 0 {
		return fail(Malformed, "malformed PBKDF2 parameters")
	}
	e.KDF, e.Iterations, e.salt = "PBKDF2", p.IterationCount, p.Salt

	switch {
	case len(p.PRF.Algorithm) == 0:
		e.PRF, e.prf = "hmacWithSHA1 (implied)", sha1.New
	case p.PRF.Algorithm.Equal(OIDHMACWithSHA1):
		e.PRF, e.prf = name(p.PRF.Algorithm), sha1.New
	case p.PRF.Algorithm.Equal(OIDHMACWithSHA256):
		e.PRF, e.prf = name(p.PRF.Algorithm), sha256.New
	default:
		return fail(Unsupported, "PBKDF2 PRF %s; only hmacWithSHA1 and hmacWithSHA256 are supported", name(p.PRF.Algorithm))
	}
	if len(p.PRF.Parameters.FullBytes) > 0 && p.PRF.Parameters.Tag != asn1.TagNull {
		return fail(Malformed, "PBKDF2 PRF %s has parameters other than NULL", e.PRF)
	}

	switch keySize := e.cipher.cipher.KeySize(); {
	case len(p.Salt) == 0:
		return fail(Malformed, "PBKDF2 salt is empty")
	case p.IterationCount < 1:
		return fail(Malformed, "PBKDF2 iteration count is %d", p.IterationCount)
	case p.IterationCount > lim.MaxIterations:
		return fail(TooCostly, "PBKDF2 iteration count %d is over the limit of %d", p.IterationCount, lim.MaxIterations)
	case p.KeyLength != 0 && p.KeyLength != keySize:
		return fail(Malformed, "PBKDF2 key length %d does not fit %s", p.KeyLength, e.Cipher)
	}
	return nil
}

func (e *envelopeIn) readScrypt(der []byte, lim Limits) error {
	var p scryptParamsIn
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) > 0 {
		return fail(Malformed, "malformed scrypt parameters")
	}
	e.KDF, e.N, e.R, e.P, e.salt = "scrypt", p.CostParameter, p.BlockSize, p.ParallelizationParameter, p.Salt

	n, r, pp := int64(p.CostParameter), int64(p.BlockSize), int64(p.ParallelizationParameter)
	switch {
	case len(p.Salt) == 0:
		return fail(Malformed, "scrypt salt is empty")
	case n < 2 || n&(n-1) != 0:
		return fail(Malformed, "scrypt N is %d, not a power of two over 1", n)
	case r < 1 || pp < 1 || r*pp >= 1<<30:
		return fail(Malformed, "scrypt r is %d and p is %d", r, pp)
	case n > int64(lim.MaxScryptN):
		return fail(TooCostly, "scrypt N %d is over the limit of %d", n, lim.MaxScryptN)
	case r > lim.MaxScryptMemory/128/n || 128*r*(n+pp) > lim.MaxScryptMemory:
		return fail(TooCostly, "scrypt with N %d, r %d, p %d needs more than the limit of %d bytes", n, r, pp, lim.MaxScryptMemory)
	case pp > lim.MaxScryptWork/(n*r):
		return fail(TooCostly, "scrypt with N %d, r %d, p %d is more work than the limit of N·r·p = %d", n, r, pp, lim.MaxScryptWork)
	case p.KeyLength != 0 && p.KeyLength != e.cipher.cipher.KeySize():
		return fail(Malformed, "scrypt key length %d does not fit %s", p.KeyLength, e.Cipher)
	}
	return nil
}

// Decrypt inspects der with inspect and, if it passes, derives the key,
// decrypts with the dependency's cipher, checks the padding and parses the
// PKCS#8 key inside. It tells a wrong passphrase (Kind Incorrect) from a
// key of an algorithm Go does not parse (Unsupported). It erases the
// derived key and the plaintext before it returns.
func Decrypt(der, passphrase []byte, lim Limits) (any, error) {
	e, err := inspect(der, lim)
	if err != nil {
		return nil, err
	}
	if len(passphrase) == 0 {
		return nil, fail(Incorrect, "the passphrase is empty")
	}

	keySize := e.cipher.cipher.KeySize()
	var key []byte
	switch e.KDF {
	case "PBKDF2":
		key, err = pbkdf2.Key(e.prf, string(passphrase), e.salt, e.Iterations, keySize)
	default:
		key, err = scrypt.Key(passphrase, e.salt, e.N, e.R, e.P, keySize)
	}
	if err != nil {
		return nil, fail(Malformed, "key derivation failed: %v", err)
	}
	plain, err := e.cipher.cipher.Decrypt(key, e.iv, e.data)
	clear(key)
	if err != nil {
		return nil, fail(Malformed, "%s failed: %v", e.Cipher, err)
	}
	defer clear(plain)
	return parsePlaintext(plain, e.cipher.cipher.IVSize())
}

// privateKeyInfo is the outer structure of RFC 5958's OneAsymmetricKey,
// enough to tell a plaintext key from garbage.
type privateKeyInfo struct {
	Version    int
	Algorithm  pkix.AlgorithmIdentifier
	PrivateKey []byte
	Rest       asn1.RawValue `asn1:"optional"`
	More       asn1.RawValue `asn1:"optional"`
}

// parsePlaintext removes the PKCS#7 padding of a decryption and parses the
// key inside. Garbage, which a wrong passphrase gives, is Incorrect.
func parsePlaintext(plain []byte, block int) (any, error) {
	n := int(plain[len(plain)-1])
	if n < 1 || n > block || n > len(plain) {
		return nil, fail(Incorrect, "the decryption has no valid padding")
	}
	for _, b := range plain[len(plain)-n:] {
		if int(b) != n {
			return nil, fail(Incorrect, "the decryption has no valid padding")
		}
	}
	plain = plain[:len(plain)-n]

	var info privateKeyInfo
	if rest, err := asn1.Unmarshal(plain, &info); err != nil || len(rest) > 0 {
		return nil, fail(Incorrect, "the decryption is not a PKCS#8 key")
	}
	key, err := x509.ParsePKCS8PrivateKey(plain)
	if err == nil {
		return key, nil
	}
	for _, oid := range keyAlgorithms {
		if oid.Equal(info.Algorithm.Algorithm) {
			return nil, fail(Malformed, "the decrypted %s key does not parse: %v", info.Algorithm.Algorithm, err)
		}
	}
	return nil, fail(Unsupported, "a private key of algorithm %s, which Go does not parse", info.Algorithm.Algorithm)
}
