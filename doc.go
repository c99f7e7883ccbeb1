// Package acmexport implements the AWS Certificate Manager operation
// ExportCertificate, and its wire format, outside AWS: in an emulator, in
// front of a PKI of one's own, in a test suite.
//
// Export is the operation as a function call: it validates a Request as
// ACM's front end does, looks the certificate up through a CA, and returns a
// Response holding the certificate, its chain and its private key encrypted
// with the request's passphrase. Handler serves the same over HTTP as AWS
// JSON 1.1, so that the AWS SDKs and the AWS CLI can call it unchanged. The
// memca subpackage is an in-memory private CA to serve from.
//
//	ca, _ := memca.New(nil)
//	arn, _ := ca.Issue(ctx, memca.Request{DomainName: "example.com"})
//	resp, err := acmexport.Export(ctx, ca, &acmexport.Request{
//		CertificateArn: &arn,
//		Passphrase:     []byte("correct horse"),
//	}, nil)
//
// Open works the other way, for a program that has called
// ExportCertificate, on ACM or on anything that answers as it does: it
// decrypts the key, checks it against the certificate and the chain, and
// returns a tls.Certificate. DecryptKey decrypts the key alone.
//
// ValidateRequest, ValidateARN and ValidatePassphrase check input against
// the operation's constraints without exporting anything, with the error
// codes and messages ACM uses. DecodePEM and EncodePEM read and write the
// strict PEM of the response fields.
//
// # Errors
//
// Every error Export returns, but for a done context's own, and every error
// Handler answers with, is an APIError: one type per AWS error code, named
// as the code, with the method set of the AWS SDK for Go's smithy.APIError.
// errors.As finds them through wrapping.
//
// # Key format
//
// By default the private key is a PKCS#8 EncryptedPrivateKeyInfo with
// exactly the parameters real ACM uses: PBES2, PBKDF2 with HMAC-SHA1
// implied by an absent PRF element, 2048 iterations and a 20-byte salt, and
// AES-256-CBC. It opens with `openssl pkey -passin`. Config.KeyFormat
// chooses HMAC-SHA256 and an iteration count of the caller's instead.
//
// # Security
//
// The passphrase is used byte for byte: nothing is trimmed or normalised.
// It never appears in an error, and neither does key material; a
// ValidationException quotes the ARN but not the passphrase. An empty
// passphrase is refused before encryption and again by the encryptor, so an
// unencrypted key cannot reach a Response, and Response.Check refuses one
// that is not PBES2-encrypted.
//
// Erasing secrets is best effort. The library erases the buffers it owns
// once it is done with them: the key it derives from the passphrase to
// encrypt with, and in Handler the request body and the decoded
// passphrase. It cannot erase what it does not own or what Go copies out
// of its reach: the caller's Request and key, the CA's key, the plaintext
// PKCS#8 and the derived keys inside github.com/youmark/pkcs8, strings,
// and whatever the garbage collector moved. Nothing here promises that no
// copy of a secret stays in memory; keep the process and its core dumps
// as private as the keys.
//
// Export stops before it fetches or encrypts a key once ctx is done.
// DecryptKey and Open check every parameter of a key and cap its work
// factors (OpenConfig) before any key derivation runs, so a hostile key
// can neither hang the process nor exhaust its memory. No input makes the
// library panic; the fuzz targets of its tests look for one.
//
// By default Handler does not authenticate its callers: it ignores SigV4
// signatures, and anyone who can reach it can export any key its CA holds.
// Given Handler.Credentials, it verifies each request's SigV4 signature by
// signing the request again with the AWS SDK for Go's own signer and
// comparing in constant time; it checks the credential scope (service acm,
// Handler.Region, the day of X-Amz-Date), the clock skew, the headers that
// must be signed, the session token and the body's hash, and answers a
// failure with the error code AWS gives, before the body is parsed or the
// CA asked. Given Handler.Authorize, the host decides who may export which
// certificate. Neither the secret key, the session token nor the signature
// ever appears in an error, and a Credential prints without its secrets.
//
// # Limitations
//
// Only ExportCertificate is implemented. Only header signatures
// (AWS4-HMAC-SHA256 in the Authorization header, with X-Amz-Date) are
// verified: not presigned URLs, SigV4a, or the Date header. A signature
// that covers a header the SDK's signer never signs (User-Agent,
// X-Amzn-Trace-Id, Expect, Transfer-Encoding) cannot be verified. The key
// is encrypted with AES-256-CBC only; PBKDF2 with HMAC-SHA1 at 2048
// iterations, ACM's choice, is weak against a guessed passphrase, so a long
// random passphrase is the real protection.
package acmexport
