package pbes2

import (
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"

	"github.com/youmark/pkcs8"
)

// More object identifiers: RFC 8018's other PRFs and ciphers, and the AES-GCM
// identifiers that the dependency decrypts, wrongly, as CBC.
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
)

// Kind says what is wrong with a key that Decrypt refuses.
type Kind int

const (
	// Malformed: the DER is not an EncryptedPrivateKeyInfo, or its
	// parameters break their own rules.
	Malformed Kind = iota + 1
	// Unsupported: a well-formed scheme that is not decrypted here.
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
}

// A Scheme describes the encryption of a key, as read from its parameters.
type Scheme struct {
	KDF        string // "PBKDF2" or "scrypt"
	PRF        string // PBKDF2's PRF, such as "hmacWithSHA1 (implied)"
	Iterations int    // PBKDF2
	N, R, P    int    // scrypt
	Cipher     string // such as "aes-256-cbc"
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

// cipherInfo is what Decrypt needs to know of a supported cipher.
type cipherInfo struct {
	name            string
	keySize, ivSize int
}

var ciphers = []struct {
	oid asn1.ObjectIdentifier
	cipherInfo
}{
	{OIDAES128CBC, cipherInfo{"aes-128-cbc", 16, 16}},
	{OIDAES192CBC, cipherInfo{"aes-192-cbc", 24, 16}},
	{OIDAES256CBC, cipherInfo{"aes-256-cbc", 32, 16}},
	{OIDDESEDE3CBC, cipherInfo{"des-ede3-cbc", 24, 8}},
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

// Inspect reads the encryption scheme of der, an EncryptedPrivateKeyInfo,
// and checks every parameter against the rules of RFC 8018 and lim, so that
// nothing malformed or too costly reaches the dependency, which panics on
// some such input. It runs no key derivation.
func Inspect(der []byte, lim Limits) (Scheme, error) {
	var s Scheme
	var info EncryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) > 0 {
		return s, fail(Malformed, "not a PKCS#8 EncryptedPrivateKeyInfo")
	}
	if !info.EncryptionAlgorithm.Algorithm.Equal(OIDPBES2) {
		return s, fail(Unsupported, "encryption scheme %s; only PBES2 is supported", name(info.EncryptionAlgorithm.Algorithm))
	}
	var params pbes2Params
	if rest, err := asn1.Unmarshal(info.EncryptionAlgorithm.Parameters.FullBytes, &params); err != nil || len(rest) > 0 {
		return s, fail(Malformed, "malformed PBES2 parameters")
	}

	c, iv, err := readCipher(params.EncryptionScheme)
	if err != nil {
		return s, err
	}
	s.Cipher = c.name
	if len(iv) != c.ivSize {
		return s, fail(Malformed, "%s IV is %d bytes, want %d", c.name, len(iv), c.ivSize)
	}
	if n := len(info.EncryptedData); n == 0 || n%c.ivSize != 0 {
		return s, fail(Malformed, "encrypted data is %d bytes, not a whole number of %d-byte blocks", n, c.ivSize)
	}

	kdf := params.KeyDerivationFunc
	switch {
	case kdf.Algorithm.Equal(OIDPBKDF2):
		err = readPBKDF2(&s, kdf.Parameters.FullBytes, c, lim)
	case kdf.Algorithm.Equal(OIDScrypt):
		err = readScrypt(&s, kdf.Parameters.FullBytes, c, lim)
	default:
		err = fail(Unsupported, "key derivation function %s; only PBKDF2 and scrypt are supported", name(kdf.Algorithm))
	}
	return s, err
}

func readCipher(alg pkix.AlgorithmIdentifier) (cipherInfo, []byte, error) {
	for _, c := range ciphers {
		if !c.oid.Equal(alg.Algorithm) {
			continue
		}
		var iv []byte
		if rest, err := asn1.Unmarshal(alg.Parameters.FullBytes, &iv); err != nil || len(rest) > 0 {
			return c.cipherInfo, nil, fail(Malformed, "malformed %s IV", c.name)
		}
		return c.cipherInfo, iv, nil
	}
	return cipherInfo{}, nil, fail(Unsupported, "cipher %s; only AES-128/192/256-CBC and DES-EDE3-CBC are supported", name(alg.Algorithm))
}

func readPBKDF2(s *Scheme, der []byte, c cipherInfo, lim Limits) error {
	var p pbkdf2ParamsIn
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) > 0 {
		return fail(Malformed, "malformed PBKDF2 parameters")
	}
	s.KDF, s.Iterations = "PBKDF2", p.IterationCount

	sha1 := len(p.PRF.Algorithm) == 0 || p.PRF.Algorithm.Equal(OIDHMACWithSHA1)
	switch {
	case len(p.PRF.Algorithm) == 0:
		s.PRF = "hmacWithSHA1 (implied)"
	case sha1, p.PRF.Algorithm.Equal(OIDHMACWithSHA256):
		s.PRF = name(p.PRF.Algorithm)
		if len(p.PRF.Parameters.FullBytes) > 0 && p.PRF.Parameters.Tag != asn1.TagNull {
			return fail(Malformed, "PBKDF2 PRF %s has parameters other than NULL", s.PRF)
		}
	default:
		return fail(Unsupported, "PBKDF2 PRF %s; only hmacWithSHA1 and hmacWithSHA256 are supported", name(p.PRF.Algorithm))
	}

	switch {
	case len(p.Salt) == 0:
		return fail(Malformed, "PBKDF2 salt is empty")
	case p.IterationCount < 1:
		return fail(Malformed, "PBKDF2 iteration count is %d", p.IterationCount)
	case p.IterationCount > lim.MaxIterations:
		return fail(TooCostly, "PBKDF2 iteration count %d is over the limit of %d", p.IterationCount, lim.MaxIterations)
	case p.KeyLength != 0 && p.KeyLength != c.keySize:
		return fail(Malformed, "PBKDF2 key length %d does not fit %s", p.KeyLength, c.name)
	case p.KeyLength != 0 && !sha1:
		// The dependency's parameter type has no keyLength field: it
		// would skip the PRF and derive with HMAC-SHA1.
		return fail(Unsupported, "PBKDF2 parameters with a keyLength element and PRF %s", s.PRF)
	}
	return nil
}

func readScrypt(s *Scheme, der []byte, c cipherInfo, lim Limits) error {
	var p scryptParamsIn
	if rest, err := asn1.Unmarshal(der, &p); err != nil || len(rest) > 0 {
		return fail(Malformed, "malformed scrypt parameters")
	}
	s.KDF, s.N, s.R, s.P = "scrypt", p.CostParameter, p.BlockSize, p.ParallelizationParameter

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
	case p.KeyLength != 0 && p.KeyLength != c.keySize:
		return fail(Malformed, "scrypt key length %d does not fit %s", p.KeyLength, c.name)
	}
	return nil
}

// Decrypt inspects der with Inspect and, if it passes, decrypts it with the
// dependency and parses the PKCS#8 key inside. A wrong passphrase is an
// Error of Kind Incorrect.
func Decrypt(der, passphrase []byte, lim Limits) (any, error) {
	if _, err := Inspect(der, lim); err != nil {
		return nil, err
	}
	if len(passphrase) == 0 {
		// The dependency would parse der as an unencrypted key.
		return nil, fail(Incorrect, "the passphrase is empty")
	}
	key, err := pkcs8.ParsePKCS8PrivateKey(der, passphrase)
	if err != nil {
		// Inspect has vouched for everything the dependency checks
		// before decrypting, so what remains is a plaintext that does
		// not parse: CBC has no integrity check, and a wrong passphrase
		// gives garbage.
		return nil, fail(Incorrect, "incorrect passphrase")
	}
	return key, nil
}
