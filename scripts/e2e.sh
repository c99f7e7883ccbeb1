#!/usr/bin/env bash
# End-to-end test of the wire format with real clients: the AWS CLI v2
# (Debian's awscli package, /usr/bin/aws) and the AWS SDK for JavaScript v3
# (@aws-sdk/client-acm, pinned in scripts/e2e/package-lock.json) call
# ExportCertificate on examples/server for every demo certificate and every
# error case; OpenSSL opens each key and checks it against the certificate
# and the chain; curl sends what no SDK can (a wrong method, content type or
# size, bodies that are not the operation's JSON).
#
#	bash scripts/e2e.sh
#
# It prints one line per check, "ok   NAME" or "FAIL NAME: DETAIL", then
# "N passed, M failed", and exits 1 if any check failed (2 if it could not
# get that far). It installs what it needs: awscli with apt-get if
# /usr/bin/aws is missing (and curl), the npm packages with npm ci. Every
# server it starts listens on 127.0.0.1 and is stopped on exit.
# E2E_KEEP=1 keeps the temporary folder of requests, answers and logs.
set -uo pipefail
cd "$(dirname "$0")/.."

die() {
	echo "e2e: $*" >&2
	exit 2
}

# --- What the test needs -------------------------------------------------

# /usr/bin/aws is Debian's CLI v2, whatever other aws is first on PATH.
need=()
[ -x /usr/bin/aws ] || need+=(awscli)
command -v curl >/dev/null || need+=(curl)
if [ ${#need[@]} -gt 0 ]; then
	apt-get update >/dev/null || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt-get install -y "${need[@]}" >/dev/null || die "cannot install ${need[*]}"
fi
command -v node >/dev/null || die "node is missing"
command -v openssl >/dev/null || die "openssl is missing"
(cd scripts/e2e && npm ci --no-audit --no-fund --loglevel=error >/dev/null) || die "npm ci failed in scripts/e2e"

tmp=$(mktemp -d)
pids=()
cleanup() {
	for pid in "${pids[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${pids[@]}"; do
		wait "$pid" 2>/dev/null
	done
	if [ -n "${E2E_KEEP:-}" ]; then
		echo "e2e: kept $tmp" >&2
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

start=$SECONDS
go build -o "$tmp/server" ./examples/server || die "cannot build examples/server"

# start NAME COMMAND...: runs COMMAND in the background, its output in
# $tmp/NAME.out and $tmp/NAME.log, and waits for its "listening on" line.
start() {
	local name=$1
	shift
	"$@" >"$tmp/$name.out" 2>"$tmp/$name.log" &
	pids+=($!)
	local pid=$!
	for _ in $(seq 300); do
		grep -qs '^listening on http://127\.0\.0\.1:[0-9]*$' "$tmp/$name.out" && return
		kill -0 "$pid" 2>/dev/null || die "$name exited before listening: $(cat "$tmp/$name.log")"
		sleep 0.1
	done
	die "$name did not listen within 30s"
}

# Three servers: A is the default plus the failing ARNs, B accepts any
# passphrase bytes, C throttles every request. The proxy spoils requests to
# A on their way (scripts/e2e/proxy.mjs).
start A "$tmp/server" -addr 127.0.0.1:0 -ca-failures
start B "$tmp/server" -addr 127.0.0.1:0 -any-passphrase-bytes
start C "$tmp/server" -addr 127.0.0.1:0 -throttle 1
# D verifies SigV4 signatures against two access keys, one with a session
# token, and refuses a credentials file that others may read.
sig_secret=E2E/Secret+Access/Key0123456789abcdefghij
sig_token=E2E-Session-Token-0123456789
cat >"$tmp/credentials.json" <<JSON
{"AKIDE2E": {"SecretAccessKey": "$sig_secret", "Principal": "arn:aws:iam::111122223333:user/e2e"},
 "ASIAE2E": {"SecretAccessKey": "$sig_secret", "SessionToken": "$sig_token"}}
JSON
chmod 644 "$tmp/credentials.json"
if "$tmp/server" -addr 127.0.0.1:0 -credentials "$tmp/credentials.json" >"$tmp/D-refused.out" 2>&1; then
	die "the server started with a credentials file others may read"
fi
chmod 600 "$tmp/credentials.json"
start D "$tmp/server" -addr 127.0.0.1:0 -credentials "$tmp/credentials.json" -region us-east-1
url() { sed -n 's/^listening on //p' "$tmp/$1.out"; }
A=$(url A) B=$(url B) C=$(url C) D=$(url D)
start P node scripts/e2e/proxy.mjs "$A"
P=$(url P)

# arn SERVER PREFIX: the ARN on the banner line that starts with PREFIX.
arn() {
	local line
	line=$(grep -m1 "^$2 arn:" "$tmp/$1.out") || die "server $1 printed no line $2"
	echo "${line##* }"
}
rsa=$(arn A 'ISSUED PRIVATE RSA_2048 ENABLED')
p256=$(arn A 'ISSUED PRIVATE EC_prime256v1 ENABLED')
p384=$(arn A 'ISSUED PRIVATE EC_secp384r1 ENABLED')
public=$(arn A 'ISSUED AMAZON_ISSUED RSA_2048 ENABLED')
pending=$(arn A 'PENDING_VALIDATION AMAZON_ISSUED RSA_2048 ENABLED')
imported=$(arn A 'ISSUED IMPORTED RSA_2048 DISABLED')
closed=$(arn A 'ISSUED AMAZON_ISSUED RSA_2048 DISABLED')
failing=$(arn A CA_FAILURE)
denied=$(arn A ACCESS_DENIED)
rsaB=$(arn B 'ISSUED PRIVATE RSA_2048 ENABLED')
rsaC=$(arn C 'ISSUED PRIVATE RSA_2048 ENABLED')
p256D=$(arn D 'ISSUED PRIVATE EC_prime256v1 ENABLED')
certs=${rsa%/*}
unknown=$certs/00000000-0000-4000-8000-000000000000

# The clients' settings: any credentials will do; one attempt per call, so
# that a 500 or a throttle is seen as answered, not after retries.
export AWS_ACCESS_KEY_ID=demo AWS_SECRET_ACCESS_KEY=demo AWS_REGION=us-east-1
export AWS_MAX_ATTEMPTS=1 AWS_RETRY_MODE=standard AWS_EC2_METADATA_DISABLED=true AWS_PAGER=
export AWS_CONFIG_FILE=$tmp/no-aws-config AWS_SHARED_CREDENTIALS_FILE=$tmp/no-aws-credentials

# --- Checks ----------------------------------------------------------------

passed=0 failed=0
ok() {
	echo "ok   $1"
	passed=$((passed + 1))
}
fail() {
	echo "FAIL $1: $2"
	failed=$((failed + 1))
}
# check NAME COMMAND...: passes if COMMAND succeeds; its last line of
# output is the detail of a failure.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$name"
	else
		fail "$name" "$(printf '%s\n' "$out" | tail -n 1)"
		return 1
	fi
}

b64() { printf %s "$1" | base64 -w0; }

# pem_shape FILE LABEL BLOCKS: FILE holds exactly BLOCKS PEM blocks of LABEL
# in the strict form ACM writes: 64-column base64, LF, one final line
# break.
pem_shape() {
	local f=$1 label=$2 want=$3 end
	[ -s "$f" ] || { echo "$f is empty"; return 1; }
	end=$(tail -c 2 "$f" | od -An -tx1 | tr -d ' \n')
	[[ $end == *0a && $end != 0a0a ]] || { echo "$(basename "$f") does not end with exactly one newline"; return 1; }
	if grep -q $'\r' "$f"; then echo "$(basename "$f") has a carriage return"; return 1; fi
	awk -v label="$label" -v want="$want" -v file="$(basename "$f")" '
		!inb {
			if ($0 != "-----BEGIN " label "-----") { bad = "line " NR ": want -----BEGIN " label "-----"; exit }
			inb = 1; lines = 0; short = 0; next
		}
		$0 == "-----END " label "-----" { if (!lines) { bad = "empty block"; exit }; inb = 0; n++; next }
		$0 !~ /^[A-Za-z0-9+\/]+=?=?$/ { bad = "line " NR ": not base64"; exit }
		length($0) > 64 || short { bad = "line " NR ": base64 lines must be 64 wide but the last"; exit }
		{ if (length($0) < 64) short = 1; lines++ }
		END {
			if (bad == "" && inb) bad = "block not ended"
			if (bad == "" && n != want) bad = n " blocks, want " want
			if (bad != "") { print file ": " bad; exit 1 }
		}' "$f"
}

response_shape() {
	pem_shape "$1/Certificate.pem" CERTIFICATE 1 &&
		pem_shape "$1/CertificateChain.pem" CERTIFICATE 2 &&
		pem_shape "$1/PrivateKey.pem" "ENCRYPTED PRIVATE KEY" 1
}

# The key checks read the passphrase from E2E_PASS: -passin env: takes the
# bytes as they are, where file: and stdin stop at the first newline.
key_opens() {
	E2E_PASS=$2 openssl pkey -in "$1/PrivateKey.pem" -passin env:E2E_PASS -out "$1/key.pem"
}

key_does_not_open() {
	if E2E_PASS=$2 openssl pkey -in "$1/PrivateKey.pem" -passin env:E2E_PASS -noout 2>/dev/null; then
		echo "the key opens with a passphrase that must not open it"
		return 1
	fi
}

key_matches() {
	openssl pkey -in "$1/key.pem" -pubout -out "$1/key.pub" &&
		openssl x509 -in "$1/Certificate.pem" -pubkey -noout >"$1/cert.pub" || return 1
	cmp -s "$1/key.pub" "$1/cert.pub" || { echo "the key's public half is not the certificate's"; return 1; }
}

# legacy_tool_opens DIR PASS rsa|prime256v1|secp384r1: the key opens with
# the algorithm's own tool too, as ACM's documentation tells users.
legacy_tool_opens() {
	local out
	case $3 in
	rsa)
		out=$(E2E_PASS=$2 openssl rsa -in "$1/PrivateKey.pem" -passin env:E2E_PASS -check -noout 2>&1) || { echo "$out"; return 1; }
		[[ $out == *"RSA key ok"* ]] || { echo "openssl rsa -check: $out"; return 1; }
		;;
	*)
		out=$(E2E_PASS=$2 openssl ec -in "$1/PrivateKey.pem" -passin env:E2E_PASS -text -noout 2>&1) || { echo "$out"; return 1; }
		[[ $out == *"ASN1 OID: $3"* ]] || { echo "openssl ec does not show curve $3"; return 1; }
		;;
	esac
}

# chain_verifies DIR: the chain is the issuer first and a self-signed root
# last, without the certificate, and openssl verify accepts the certificate
# with the root as the only trust anchor.
chain_verifies() {
	local d=$1 n subj iss leaf i
	awk -v d="$d" '/-----BEGIN/ { n++ } { print > (d "/chain-" n ".pem") }' "$d/CertificateChain.pem"
	n=$(grep -c -- '-----BEGIN' "$d/CertificateChain.pem")
	subj=$(openssl x509 -in "$d/chain-$n.pem" -noout -subject | sed 's/^subject=//')
	iss=$(openssl x509 -in "$d/chain-$n.pem" -noout -issuer | sed 's/^issuer=//')
	[ "$subj" = "$iss" ] || { echo "the last certificate of the chain is not a root: $subj issued by $iss"; return 1; }
	leaf=$(openssl x509 -in "$d/Certificate.pem" -noout -fingerprint -sha256)
	for ((i = 1; i <= n; i++)); do
		if [ "$(openssl x509 -in "$d/chain-$i.pem" -noout -fingerprint -sha256)" = "$leaf" ]; then
			echo "the chain holds the certificate itself"
			return 1
		fi
	done
	: >"$d/untrusted.pem"
	for ((i = 1; i < n; i++)); do cat "$d/chain-$i.pem" >>"$d/untrusted.pem"; done
	openssl verify -x509_strict -CAfile "$d/chain-$n.pem" -untrusted "$d/untrusted.pem" "$d/Certificate.pem" | tail -n 1
	return "${PIPESTATUS[0]}"
}

# pbes2_is_acms DIR: PBES2, PBKDF2 with a 20-byte salt, 2048 iterations
# and no PRF (HMAC-SHA1), AES-256-CBC with a 16-byte IV, as ACM writes.
pbes2_is_acms() {
	local a
	a=$(openssl asn1parse -in "$1/PrivateKey.pem") || return 1
	grep -q ':PBES2$' <<<"$a" || { echo "not PBES2"; return 1; }
	grep -q ':PBKDF2$' <<<"$a" || { echo "not PBKDF2"; return 1; }
	grep -Eq 'd=5 +hl=2 l= *20 prim: OCTET STRING' <<<"$a" || { echo "the salt is not 20 bytes"; return 1; }
	grep -Eq 'd=5 +hl=2 l= *2 prim: INTEGER +:0800$' <<<"$a" || { echo "the iteration count is not 2048"; return 1; }
	if grep -q 'hmacWith' <<<"$a"; then echo "the PRF is written out: $(grep -o 'hmacWith[A-Z0-9]*' <<<"$a")"; return 1; fi
	grep -q ':aes-256-cbc$' <<<"$a" || { echo "not AES-256-CBC"; return 1; }
	grep -Eq 'd=4 +hl=2 l= *16 prim: OCTET STRING' <<<"$a" || { echo "the IV is not 16 bytes"; return 1; }
}

# check_export NAME DIR PASS KIND: every check of one exported certificate.
check_export() {
	local name=$1 d=$2 pass=$3 kind=$4
	check "$name: response shape" response_shape "$d"
	if ! check "$name: key opens with openssl pkey" key_opens "$d" "$pass"; then return; fi
	check "$name: key matches certificate" key_matches "$d"
	check "$name: key opens with openssl $([ "$kind" = rsa ] && echo rsa || echo ec)" legacy_tool_opens "$d" "$pass" "$kind"
	check "$name: chain verifies" chain_verifies "$d"
	check "$name: PBES2 parameters are ACM's" pbes2_is_acms "$d"
}

# split_json FILE DIR: the members of a JSON response into DIR/MEMBER.pem;
# fails unless the members are exactly the three of the response.
split_json() {
	node -e '
		const fs = require("fs");
		const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
		const want = ["Certificate", "CertificateChain", "PrivateKey"];
		if (JSON.stringify(Object.keys(r).sort()) !== JSON.stringify(want)) {
			console.log("response members " + JSON.stringify(Object.keys(r)));
			process.exit(1);
		}
		for (const m of want) fs.writeFileSync(process.argv[2] + "/" + m + ".pem", r[m]);
	' "$1" "$2"
}

# error_is NAME GOT WANT_CODE WANT_STATUS [FRAGMENT [ABSENT]]: GOT is
# "CODE STATUS MESSAGE" as the client reported it; the message must hold
# FRAGMENT and must not hold ABSENT.
error_is() {
	local name=$1 code status msg
	read -r code status msg <<<"$2"
	if [ "$code $status" != "$3 $4" ]; then
		fail "$name" "got $code $status, want $3 $4 (message: ${msg:0:200})"
	elif [ -n "${5:-}" ] && [[ $msg != *"$5"* ]]; then
		fail "$name" "message ${msg:0:300} does not hold: $5"
	elif [ -n "${6:-}" ] && [[ $msg == *"$6"* ]]; then
		fail "$name" "message holds what it must not: $6"
	else
		ok "$name"
	fi
}

# --- The AWS CLI v2 ----------------------------------------------------------

n=0
# cli ENDPOINT ARGS...: one call of aws acm; its output lands in $dir.
cli() {
	local endpoint=$1
	shift
	n=$((n + 1))
	dir=$tmp/cli/$n
	mkdir -p "$dir"
	/usr/bin/aws acm --endpoint-url "$endpoint" --output json "$@" >"$dir/out.json" 2>"$dir/stderr"
}

# cli_export NAME ENDPOINT ARN PASSPHRASE_ARG: an export that must succeed.
cli_export() {
	local name=$1
	if ! cli "$2" export-certificate --certificate-arn "$3" --passphrase "$4"; then
		fail "$name: exported" "$(tail -n 1 "$dir/stderr")"
		return 1
	fi
	check "$name: exported" split_json "$dir/out.json" "$dir"
}

# cli_error ENDPOINT ARGS...: a call that must fail. Prints "CODE STATUS
# MESSAGE": the code from the CLI's "An error occurred (CODE)" line, the
# status from its --debug log of the response.
cli_error() {
	local endpoint=$1 status line
	shift
	if cli "$endpoint" --debug "$@"; then
		echo "none 200 the call succeeded"
		return
	fi
	status=$(grep -oE '"(POST|GET) [^ ]* HTTP/1\.1" [0-9]{3}' "$dir/stderr" | tail -n 1 | awk '{print $NF}')
	line=$(grep -E '^An error occurred \(' "$dir/stderr" | tail -n 1)
	if [ -z "$line" ]; then
		echo "none ${status:-none} $(tail -n 1 "$dir/stderr")"
		return
	fi
	sed -E 's/^An error occurred \(([^)]*)\) when calling the [A-Za-z]+ operation( \([^)]*\))?: /\1 '"${status:-none}"' /' <<<"$line"
}

# cli_refuses NAME FRAGMENT ARGS...: the CLI refuses the call itself, with
# FRAGMENT in its message, and sends nothing.
cli_refuses() {
	local name=$1 frag=$2 rc
	shift 2
	cli "$A" --debug "$@"
	rc=$?
	if [ "$rc" -eq 0 ]; then
		fail "$name" "the CLI made the call"
	elif grep -q 'HTTP/1\.1" [0-9]' "$dir/stderr"; then
		fail "$name" "the CLI sent a request"
	elif ! grep -qF -- "$frag" "$dir/stderr"; then
		fail "$name" "exit $rc without \"$frag\": $(grep -v DEBUG "$dir/stderr" | tail -n 1)"
	else
		ok "$name"
	fi
}

pass=Base64-Argument-Passphrase
for kind in rsa:$rsa p256:$p256 p384:$p384 public:$public; do
	name=${kind%%:*} the_arn=${kind#*:}
	tool=$(case $name in p256) echo prime256v1 ;; p384) echo secp384r1 ;; *) echo rsa ;; esac)
	if cli_export "cli export $name" "$A" "$the_arn" "$(b64 "$pass")"; then
		check_export "cli export $name" "$dir" "$pass" "$tool"
	fi
done

# The ways people pass a passphrase to CLI v2.
printf %s File-Passphrase-1 >"$tmp/pass-plain.txt"
if cli_export "cli fileb:// without newline" "$A" "$rsa" "fileb://$tmp/pass-plain.txt"; then
	check "cli fileb:// without newline: key opens" key_opens "$dir" File-Passphrase-1
	check "cli fileb:// without newline: key matches certificate" key_matches "$dir"
fi
printf 'File-Passphrase-2\n' >"$tmp/pass-newline.txt"
if cli_export "cli fileb:// with newline" "$A" "$p256" "fileb://$tmp/pass-newline.txt"; then
	check "cli fileb:// with newline: key opens with the newline" key_opens "$dir" $'File-Passphrase-2\n'
	check "cli fileb:// with newline: key does not open without it" key_does_not_open "$dir" File-Passphrase-2
fi
nonascii=$'caf\xc3\xa9 \xe2\x82\xac \xff\x80#$%'
printf %s "$nonascii" >"$tmp/pass-nonascii.txt"
if cli_export "cli fileb:// non-ASCII bytes (-any-passphrase-bytes)" "$B" "$rsaB" "fileb://$tmp/pass-nonascii.txt"; then
	check "cli fileb:// non-ASCII bytes (-any-passphrase-bytes): key opens" key_opens "$dir" "$nonascii"
fi
if cli_export "cli base64 non-ASCII bytes (-any-passphrase-bytes)" "$B" "$rsaB" "$(b64 "$nonascii")"; then
	check "cli base64 non-ASCII bytes (-any-passphrase-bytes): key opens" key_opens "$dir" "$nonascii"
fi
# CLI v1 sends an inline blob as raw text; v2 decodes it as base64, so
# "password" given as v1 users do becomes six other bytes: refused under the
# ASCII rule, and where any bytes go, a key that opens only with those bytes.
error_is "cli raw text inline is decoded as base64" \
	"$(cli_error "$A" export-certificate --certificate-arn "$rsa" --passphrase password)" \
	ValidationException 400 "Member must consist of ASCII characters other than #, \$ and %"
if cli_export "cli raw text inline (-any-passphrase-bytes)" "$B" "$rsaB" password; then
	check "cli raw text inline (-any-passphrase-bytes): key opens with the decoded bytes" key_opens "$dir" "$(printf %s password | base64 -d)"
	check "cli raw text inline (-any-passphrase-bytes): key does not open with the text" key_does_not_open "$dir" password
fi
error_is "cli fileb:// non-ASCII bytes refused by default" \
	"$(cli_error "$A" export-certificate --certificate-arn "$rsa" --passphrase "fileb://$tmp/pass-nonascii.txt")" \
	ValidationException 400 "Member must consist of ASCII characters other than #, \$ and %" "caf"

# The error cases: NAME|ENDPOINT|ARN|PASSPHRASE (text)|CODE|STATUS|FRAGMENT|ABSENT.
# ENDPOINT P/... goes through the proxy. "-" as ARN or passphrase leaves
# the member out. The same table runs through the JavaScript SDK below.
long_arn=$certs/$(printf 'a%.0s' $(seq 2002))
short_arn=arn:aws:acm:x:1:c/d
several_msg="2 validation errors detected: Value 'arn:aws:s3:::example-bucket/certificate' at 'certificateArn' failed to satisfy constraint: Member must satisfy regular expression pattern: "
errors=(
	"pending|A|$pending|password|RequestInProgressException|400|PENDING_VALIDATION|"
	"imported|A|$imported|password|ValidationException|400|imported|"
	"public not exportable|A|$closed|password|ValidationException|400|not requested with export enabled|"
	"unknown certificate|A|$unknown|password|ResourceNotFoundException|400|$unknown|"
	"arn in another region|A|arn:aws:acm:eu-west-1:${certs#arn:aws:acm:us-east-1:}/${unknown##*/}|password|InvalidArnException|400||"
	"arn in another account|A|arn:aws:acm:us-east-1:444455556666:certificate/${unknown##*/}|password|InvalidArnException|400||111122223333"
	"arn not a certificate|A|${certs%certificate}private-ca/${unknown##*/}|password|InvalidArnException|400||"
	"arn pattern|A|arn:aws:s3:::example-bucket/certificate|password|ValidationException|400|1 validation error detected: Value 'arn:aws:s3:::example-bucket/certificate' at 'certificateArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:[\\w+=/,.@-]+:acm:[\\w+=/,.@-]*:[0-9]+:[\\w+=,.@-]+(/[\\w+=,.@-]+)*|"
	"arn too long|A|$long_arn|password|ValidationException|400|at 'certificateArn' failed to satisfy constraint: Member must have length less than or equal to 2048|"
	"arn too short|A|$short_arn|password|ValidationException|400|1 validation error detected: Value '$short_arn' at 'certificateArn' failed to satisfy constraint: Member must have length greater than or equal to 20|"
	"arn missing|A|-|password|ValidationException|400|1 validation error detected: Value null at 'certificateArn' failed to satisfy constraint: Member must not be null|"
	"passphrase missing|A|$rsa|-|ValidationException|400|1 validation error detected: Value null at 'passphrase' failed to satisfy constraint: Member must not be null|"
	"passphrase too short|A|$rsa|abc|ValidationException|400|1 validation error detected: Value at 'passphrase' failed to satisfy constraint: Member must have length greater than or equal to 4|"
	"passphrase too long|A|$rsa|$(printf 'p%.0s' $(seq 129))|ValidationException|400|1 validation error detected: Value at 'passphrase' failed to satisfy constraint: Member must have length less than or equal to 128|pppp"
	"passphrase with #|A|$rsa|pass#word|ValidationException|400|1 validation error detected: Value at 'passphrase' failed to satisfy constraint: Member must consist of ASCII characters other than #, \$ and %|pass#word"
	"several violations at once|A|arn:aws:s3:::example-bucket/certificate|abc|ValidationException|400|$several_msg|"
	"throttled|C|$rsaC|password|ThrottlingException|400||"
	"CA failure|A|$failing|password|InternalFailure|500|An internal error occurred|unreachable"
	"access denied|A|$denied|password|AccessDeniedException|403|not authorized|"
	"body not JSON|P/bad-json|$rsa|password|SerializationException|400||"
	"member of the wrong type|P/wrong-type|$rsa|password|SerializationException|400||"
	"passphrase not base64|P/bad-base64|$rsa|password|SerializationException|400||"
	"wrong content type|P/content-type|$rsa|password|SerializationException|400||"
	"wrong method|P/method|$rsa|password|UnknownOperationException|400||"
	"oversized body|P/oversized|$rsa|password|SerializationException|400||"
)

endpoint() {
	case $1 in
	A) echo "$A" ;;
	C) echo "$C" ;;
	P/*) echo "$P/${1#P/}" ;;
	esac
}

for e in "${errors[@]}"; do
	IFS='|' read -r name where the_arn pw code status frag absent <<<"$e"
	args=(export-certificate)
	[ "$the_arn" != - ] && args+=(--certificate-arn "$the_arn")
	[ "$pw" != - ] && args+=(--passphrase "$(b64 "$pw")")
	case $name in
	"arn missing") cli_refuses "cli $name: refused by the CLI" "the following arguments are required: --certificate-arn" "${args[@]}" ;;
	"passphrase missing") cli_refuses "cli $name: refused by the CLI" "the following arguments are required: --passphrase" "${args[@]}" ;;
	"arn too short") cli_refuses "cli $name: refused by the CLI" "Invalid length for parameter CertificateArn" "${args[@]}" ;;
	*) error_is "cli $name" "$(cli_error "$(endpoint "$where")" "${args[@]}")" "$code" "$status" "$frag" "$absent" ;;
	esac
done
error_is "cli other operation" "$(cli_error "$A" describe-certificate --certificate-arn "$rsa")" UnknownOperationException 400 ExportCertificate

# --- The AWS SDK for JavaScript v3 ------------------------------------------

# js_case NAME ENDPOINT ARN PASSPHRASE [OPERATION]: PASSPHRASE is a JSON
# value, {"base64": ...} or {"string": ...}, or - to leave it out.
cases=()
js_case() {
	local c
	c=$(printf '{"name":"%s","endpoint":"%s"' "$1" "$2")
	[ "$3" != - ] && c+=$(printf ',"arn":"%s"' "$3")
	[ "$4" != - ] && c+=",\"passphrase\":$4"
	[ -n "${5:-}" ] && c+=",\"operation\":\"$5\""
	cases+=("$c}")
}
js_bytes() { printf '{"base64":"%s"}' "$(b64 "$1")"; }

for kind in rsa:$rsa p256:$p256 p384:$p384 public:$public; do
	js_case "export-${kind%%:*}" "$A" "${kind#*:}" "$(js_bytes Uint8Array-Passphrase)"
done
js_case string "$A" "$rsa" '{"string":"String-Passphrase"}'
js_case newline "$A" "$p256" "$(js_bytes $'Bytes-Passphrase\n')"
js_case nonascii-bytes "$B" "$rsaB" "$(js_bytes "$nonascii")"
js_case nonascii-string "$B" "$rsaB" '{"string":"pässwörd €"}'
js_case nonascii-refused "$A" "$rsa" "$(js_bytes "$nonascii")"
i=0
for e in "${errors[@]}"; do
	IFS='|' read -r name where the_arn pw code status frag absent <<<"$e"
	i=$((i + 1))
	js_case "error-$i" "$(endpoint "$where")" "$the_arn" "$([ "$pw" = - ] && echo - || js_bytes "$pw")"
done
js_case other-operation "$A" "$rsa" - describe

(
	IFS=,
	echo "[${cases[*]}]"
) >"$tmp/js-cases.json"
js=$tmp/js
if ! node scripts/e2e/client.mjs "$tmp/js-cases.json" "$js" 2>"$tmp/js.stderr"; then
	fail "js client ran" "$(tail -n 1 "$tmp/js.stderr")"
fi

# js_export NAME DIR: the call succeeded, with the three members.
js_export() {
	if [ -f "$2/error" ]; then
		fail "$1: exported" "$(cat "$2/error")"
		return 1
	fi
	ok "$1: exported"
}
js_error() { cat "$1/error" 2>/dev/null || echo "none 200 the call succeeded"; }

for kind in rsa p256 p384 public; do
	tool=$(case $kind in p256) echo prime256v1 ;; p384) echo secp384r1 ;; *) echo rsa ;; esac)
	js_export "js export $kind" "$js/export-$kind" && check_export "js export $kind" "$js/export-$kind" Uint8Array-Passphrase "$tool"
done
if js_export "js string passphrase" "$js/string"; then
	check "js string passphrase: key opens" key_opens "$js/string" String-Passphrase
	check "js string passphrase: key matches certificate" key_matches "$js/string"
fi
if js_export "js bytes with newline" "$js/newline"; then
	check "js bytes with newline: key opens with the newline" key_opens "$js/newline" $'Bytes-Passphrase\n'
	check "js bytes with newline: key does not open without it" key_does_not_open "$js/newline" Bytes-Passphrase
fi
if js_export "js non-ASCII bytes (-any-passphrase-bytes)" "$js/nonascii-bytes"; then
	check "js non-ASCII bytes (-any-passphrase-bytes): key opens" key_opens "$js/nonascii-bytes" "$nonascii"
fi
if js_export "js non-ASCII string as UTF-8 (-any-passphrase-bytes)" "$js/nonascii-string"; then
	check "js non-ASCII string as UTF-8 (-any-passphrase-bytes): key opens" key_opens "$js/nonascii-string" "pässwörd €"
fi
error_is "js non-ASCII bytes refused by default" "$(js_error "$js/nonascii-refused")" \
	ValidationException 400 "Member must consist of ASCII characters other than #, \$ and %" "caf"
i=0
for e in "${errors[@]}"; do
	IFS='|' read -r name where the_arn pw code status frag absent <<<"$e"
	i=$((i + 1))
	error_is "js $name" "$(js_error "$js/error-$i")" "$code" "$status" "$frag" "$absent"
done
error_is "js other operation" "$(js_error "$js/other-operation")" UnknownOperationException 400 ExportCertificate

# --- SigV4: server D verifies signatures ------------------------------------

if grep -q 'only its owner may read it' "$tmp/D-refused.out"; then
	ok "server refuses a credentials file others may read"
else
	fail "server refuses a credentials file others may read" "$(tail -n 1 "$tmp/D-refused.out")"
fi
signed() { AWS_ACCESS_KEY_ID=AKIDE2E AWS_SECRET_ACCESS_KEY=$sig_secret "$@"; }
if signed cli_export "cli signed: right secret" "$D" "$p256D" "$(b64 Signed-Passphrase)"; then
	check_export "cli signed: right secret" "$dir" Signed-Passphrase prime256v1
fi
if AWS_ACCESS_KEY_ID=ASIAE2E AWS_SECRET_ACCESS_KEY=$sig_secret AWS_SESSION_TOKEN=$sig_token \
	cli_export "cli signed: session token" "$D" "$p256D" "$(b64 Signed-Passphrase)"; then
	check "cli signed: session token: key opens" key_opens "$dir" Signed-Passphrase
fi
sig_args=(export-certificate --certificate-arn "$p256D" --passphrase "$(b64 Signed-Passphrase)")
error_is "cli signed: wrong secret" "$(AWS_ACCESS_KEY_ID=AKIDE2E AWS_SECRET_ACCESS_KEY=wrong cli_error "$D" "${sig_args[@]}")" \
	InvalidSignatureException 400 "The request signature we calculated does not match" "$sig_secret"
error_is "cli signed: unknown access key" "$(AWS_ACCESS_KEY_ID=AKIDOTHER AWS_SECRET_ACCESS_KEY=$sig_secret cli_error "$D" "${sig_args[@]}")" \
	UnrecognizedClientException 400 "The security token included in the request is invalid."
error_is "cli signed: session token missing" "$(AWS_ACCESS_KEY_ID=ASIAE2E AWS_SECRET_ACCESS_KEY=$sig_secret cli_error "$D" "${sig_args[@]}")" \
	UnrecognizedClientException 400 "The security token included in the request is invalid." "$sig_token"
error_is "cli signed: wrong region" "$(AWS_REGION=eu-west-1 signed cli_error "$D" "${sig_args[@]}")" \
	InvalidSignatureException 400 "Credential should be scoped to a valid region, not 'eu-west-1'."
error_is "cli unsigned (--no-sign-request)" "$(cli_error "$D" --no-sign-request "${sig_args[@]}")" \
	MissingAuthenticationTokenException 403
cases=()
js_case signed-right "$D" "$p256D" "$(js_bytes Signed-Passphrase)"
cases[-1]=${cases[-1]%\}},\"credentials\":{\"accessKeyId\":\"AKIDE2E\",\"secretAccessKey\":\"$sig_secret\"}}
js_case signed-wrong "$D" "$p256D" "$(js_bytes Signed-Passphrase)"
cases[-1]=${cases[-1]%\}},\"credentials\":{\"accessKeyId\":\"AKIDE2E\",\"secretAccessKey\":\"wrong\"}}
(
	IFS=,
	echo "[${cases[*]}]"
) >"$tmp/js-signed.json"
if node scripts/e2e/client.mjs "$tmp/js-signed.json" "$js" 2>"$tmp/js-signed.stderr"; then
	if js_export "js signed: right secret" "$js/signed-right"; then
		check "js signed: right secret: key opens" key_opens "$js/signed-right" Signed-Passphrase
	fi
	error_is "js signed: wrong secret" "$(js_error "$js/signed-wrong")" InvalidSignatureException 400 "does not match"
else
	fail "js signed client ran" "$(tail -n 1 "$tmp/js-signed.stderr")"
fi

# --- Raw HTTP: what no SDK sends ------------------------------------------------

# http NAME [CURL ARGS...]: one request to A; leaves the status in
# $status, the headers in $hfile and the body in $bfile.
mkdir -p "$tmp/http"
http() {
	shift
	n=$((n + 1))
	hfile=$tmp/http/$n.h bfile=$tmp/http/$n.b
	status=$(curl -sS -o "$bfile" -D "$hfile" -w '%{http_code}' "$@" "$A/")
}
header() { grep -i "^$1:" "$hfile" | tail -n 1 | sed 's/^[^:]*: *//' | tr -d '\r'; }
body_code() { sed -n 's/.*"__type":"\([^"]*\)".*/\1/p' "$bfile"; }
target=(-H "X-Amz-Target: CertificateManager.ExportCertificate")
json=(-H "Content-Type: application/x-amz-json-1.1")
good_body="{\"CertificateArn\":\"$rsa\",\"Passphrase\":\"$(b64 password)\"}"
uuid_re='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'

# http_error NAME CODE STATUS CURL ARGS...: the answer is an error in the
# form of AWS JSON 1.1: the status, the bare code in X-Amzn-ErrorType and
# __type, a message.
http_error() {
	local name=$1 want_code=$2 want_status=$3 got ct id
	shift 3
	http "$name" "$@"
	got=$(body_code)
	ct=$(header content-type)
	id=$(header x-amzn-requestid)
	if [ "$got $status" != "$want_code $want_status" ]; then
		fail "http $name" "got $got $status, want $want_code $want_status: $(cat "$bfile")"
	elif [ "$(header x-amzn-errortype)" != "$want_code" ]; then
		fail "http $name" "X-Amzn-ErrorType is \"$(header x-amzn-errortype)\", want $want_code"
	elif [ "$ct" != application/x-amz-json-1.1 ]; then
		fail "http $name" "Content-Type is \"$ct\""
	elif ! [[ $id =~ $uuid_re ]]; then
		fail "http $name" "x-amzn-RequestId is \"$id\", want a UUID"
	else
		ok "http $name"
	fi
}

http success -X POST "${target[@]}" "${json[@]}" --data-binary "$good_body"
id1=$(header x-amzn-requestid)
if [ "$status" != 200 ]; then
	fail "http success" "status $status: $(cat "$bfile")"
elif [ "$(header content-type)" != application/x-amz-json-1.1 ]; then
	fail "http success" "Content-Type is \"$(header content-type)\""
elif ! [[ $id1 =~ $uuid_re ]]; then
	fail "http success" "x-amzn-RequestId is \"$id1\", want a UUID"
elif [ -n "$(header x-amzn-errortype)" ]; then
	fail "http success" "a success carries X-Amzn-ErrorType"
else
	mkdir -p "$tmp/http/success.d"
	check "http success" split_json "$bfile" "$tmp/http/success.d"
fi
http again -X POST "${target[@]}" "${json[@]}" --data-binary "$good_body"
if [ "$status" = 200 ] && [ "$(header x-amzn-requestid)" != "$id1" ]; then
	ok "http request IDs are fresh"
else
	fail "http request IDs are fresh" "status $status, IDs $id1 and $(header x-amzn-requestid)"
fi
http unknown-members -X POST "${target[@]}" "${json[@]}" --data-binary "{\"CertificateArn\":\"$rsa\",\"Passphrase\":\"$(b64 password)\",\"Extra\":{\"a\":[1]}}"
[ "$status" = 200 ] && ok "http unknown members ignored" || fail "http unknown members ignored" "status $status: $(cat "$bfile")"
padded=$(printf '%s%*s' "$good_body" $((65536 - ${#good_body})) '')
http at-limit -X POST "${target[@]}" "${json[@]}" --data-binary "$padded"
[ "$status" = 200 ] && ok "http body of exactly 64 KiB accepted" || fail "http body of exactly 64 KiB accepted" "status $status: $(cat "$bfile")"

http_error "body of 64 KiB + 1" SerializationException 400 -X POST "${target[@]}" "${json[@]}" --data-binary "$padded "
http_error "method GET" UnknownOperationException 400 -X GET "${target[@]}" "${json[@]}"
http_error "method PUT" UnknownOperationException 400 -X PUT "${target[@]}" "${json[@]}" --data-binary "$good_body"
http_error "content type application/json" SerializationException 400 -X POST "${target[@]}" -H "Content-Type: application/json" --data-binary "$good_body"
http_error "no content type" SerializationException 400 -X POST "${target[@]}" -H "Content-Type:" --data-binary "$good_body"
http_error "no X-Amz-Target" UnknownOperationException 400 -X POST "${json[@]}" --data-binary "$good_body"
http_error "other X-Amz-Target" UnknownOperationException 400 -X POST -H "X-Amz-Target: CertificateManager.ListCertificates" "${json[@]}" --data-binary '{}'
http_error "body not JSON" SerializationException 400 -X POST "${target[@]}" "${json[@]}" --data-binary '{"CertificateArn":'
http_error "body a JSON array" SerializationException 400 -X POST "${target[@]}" "${json[@]}" --data-binary '[]'
http_error "member of the wrong type" SerializationException 400 -X POST "${target[@]}" "${json[@]}" --data-binary "{\"CertificateArn\":\"$rsa\",\"Passphrase\":1234}"
http_error "passphrase base64 unpadded" SerializationException 400 -X POST "${target[@]}" "${json[@]}" --data-binary "{\"CertificateArn\":\"$rsa\",\"Passphrase\":\"cGFzc3dvcmQ\"}"
http_error "passphrase base64 with a line break" SerializationException 400 -X POST "${target[@]}" "${json[@]}" --data-binary "{\"CertificateArn\":\"$rsa\",\"Passphrase\":\"cGFz\\nc3dvcmQ=\"}"
http_error "passphrase URL-safe base64" SerializationException 400 -X POST "${target[@]}" "${json[@]}" --data-binary "{\"CertificateArn\":\"$rsa\",\"Passphrase\":\"_-_-\"}"
http_error "empty body" ValidationException 400 -X POST "${target[@]}" "${json[@]}"
if ! grep -qF "2 validation errors detected: Value null at 'certificateArn' failed to satisfy constraint: Member must not be null; Value null at 'passphrase' failed to satisfy constraint: Member must not be null" "$bfile"; then
	fail "http empty body: both members null" "$(cat "$bfile")"
else
	ok "http empty body: both members null"
fi
http_error "member names are exact" ValidationException 400 -X POST "${target[@]}" "${json[@]}" --data-binary "{\"certificateArn\":\"$rsa\",\"Passphrase\":\"$(b64 password)\"}"
http_error "CA failure" InternalFailure 500 -X POST "${target[@]}" "${json[@]}" --data-binary "{\"CertificateArn\":\"$failing\",\"Passphrase\":\"$(b64 password)\"}"
http_error "access denied" AccessDeniedException 403 -X POST "${target[@]}" "${json[@]}" --data-binary "{\"CertificateArn\":\"$denied\",\"Passphrase\":\"$(b64 password)\"}"
if grep -q '"Message":' "$bfile" && ! grep -q '"message":' "$bfile"; then
	ok "http access denied: member Message"
else
	fail "http access denied: member Message" "$(cat "$bfile")"
fi

# The servers never log a passphrase.
leaked=
for s in A B C D; do
	for secret in Base64-Argument-Passphrase "$(b64 Base64-Argument-Passphrase)" File-Passphrase Uint8Array-Passphrase "$(b64 Uint8Array-Passphrase)" pass#word Signed-Passphrase "$sig_secret" "$sig_token"; do
		grep -qF -- "$secret" "$tmp/$s.log" && leaked+=" $s:$secret"
	done
done
[ -z "$leaked" ] && ok "server logs hold no passphrase" || fail "server logs hold no passphrase" "found$leaked"

echo "e2e took $((SECONDS - start))s" >&2
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
