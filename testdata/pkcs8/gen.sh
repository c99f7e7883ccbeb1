#!/usr/bin/env bash
# Makes the PKCS#8 interop vectors in this folder with OpenSSL 3:
#
#	bash testdata/pkcs8/gen.sh
#
# For each key type it writes the unencrypted key (KEY.key, from openssl
# genpkey) and one vector per encryption (KEY-NAME.txt): a header of
# "name: value" lines saying how the vector was made and what decrypting it
# must give, a blank line, then the ENCRYPTED PRIVATE KEY block that
# openssl pkcs8 -topk8 wrote. The tests read every vector; running this
# again makes new keys and new vectors, which the tests accept as well.
set -euo pipefail
cd "$(dirname "$0")"

pass='acmexport test vector'
version=$(openssl version)

# name, expected outcome, openssl pkcs8 options
profiles=(
	"default|ok|"
	"sha1|ok|-v2prf hmacWithSHA1"
	"iter100000|ok|-iter 100000"
	"aes128|ok|-v2 aes-128-cbc"
	"aes192|ok|-v2 aes-192-cbc"
	"des3|ok|-v2 des3"
	"scrypt|ok|-scrypt"
	"sha512|unsupported|-v2prf hmacWithSHA512"
)

rm -f ./*.key ./*.txt
for key in rsa2048 p256 p384; do
	case $key in
	rsa2048) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$key.key" 2>/dev/null ;;
	p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$key.key" ;;
	p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$key.key" ;;
	esac
	for p in "${profiles[@]}"; do
		IFS='|' read -r name expect opts <<<"$p"
		# shellcheck disable=SC2086 # opts is a list of options
		{
			echo "generator: testdata/pkcs8/gen.sh, $version"
			echo "command: openssl pkcs8 -topk8 -in $key.key -passout pass:'$pass' $opts"
			echo "key: $key.key"
			echo "passphrase: $pass"
			echo "expect: $expect"
			echo
			openssl pkcs8 -topk8 -in "$key.key" -passout "pass:$pass" $opts
		} >"$key-$name.txt"
	done
done
echo "wrote $(ls ./*.txt | wc -l) vectors"
