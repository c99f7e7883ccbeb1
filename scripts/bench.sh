#!/usr/bin/env bash
# Benchmarks of the performance budget, each against a baseline
# measured in the same run; BENCHMARKS.md records a run and explains it.
#
#	bash scripts/bench.sh
#
# It builds the test binary once and runs it ROUNDS times (10 by default),
# each time with -count=1: a subject and its baseline are sub-benchmarks of
# one benchmark, run one right after the other, so that a burst of load
# from elsewhere on the machine tends to fall on both. (One run with
# -count=N would run all of a subject's samples before any of its
# baseline's.) BenchmarkHandler runs with -cpu 1,2. Each ratio is computed
# round by round and printed as the median, its spread (half the
# interquartile range, as a percentage of the median) and its range, then
# whether the target is met at the median. benchstat, from the Go module
# proxy, prints the usual tables of the same samples.
#
# Then it records a CPU profile of Export and of the Handler called by the
# SDK, and prints the share of the samples under the functions that matter.
# It takes about three minutes on two cores. ROUNDS and BENCHTIME (300ms by
# default) change the effort; BENCH_OUT=DIR keeps the raw output and the
# profiles in DIR.
set -euo pipefail
cd "$(dirname "$0")/.."

rounds=${ROUNDS:-10}
benchtime=${BENCHTIME:-300ms}
benchstat_version=v0.0.0-20260908200009-22c9c6c9d4da

out=${BENCH_OUT:-}
if [ -z "$out" ]; then
	out=$(mktemp -d)
	trap 'rm -rf "$out"' EXIT
fi
mkdir -p "$out"

echo "== setup"
go version
GOBIN="$out/bin" GOFLAGS= go install "golang.org/x/perf/cmd/benchstat@$benchstat_version"
go test -c -o "$out/acmexport.test" .
grep -m1 'model name' /proc/cpuinfo 2>/dev/null || true
echo "cores: $(nproc), rounds: $rounds, benchtime: $benchtime"

# The single-threaded benchmarks.
single='^Benchmark(ARN|ValidateARN|PEM|Export|ExportChain|FloorDecrypt|DecryptKey|Response)$'

: >"$out/single.txt"
: >"$out/handler.txt"
for round in $(seq "$rounds"); do
	echo "== round $round of $rounds"
	"$out/acmexport.test" -test.run '^$' -test.bench "$single" \
		-test.benchtime "$benchtime" >>"$out/single.txt"
	"$out/acmexport.test" -test.run '^$' -test.bench '^BenchmarkHandler$' \
		-test.benchtime "$benchtime" -test.cpu 1,2 >>"$out/handler.txt"
done

echo
echo "== benchstat: single-threaded"
"$out/bin/benchstat" "$out/single.txt"
echo
echo "== benchstat: BenchmarkHandler, by GOMAXPROCS"
"$out/bin/benchstat" "$out/handler.txt"

echo
echo "== ratios (median of the per-round ratios, ±half the interquartile range, [range])"
awk -v handler="$out/handler.txt" '
# Benchmark lines: name, iterations, then value-unit pairs. The name ends
# in -N when GOMAXPROCS is N > 1. Single-threaded results are keyed by the
# bare name, handler results by name@GOMAXPROCS.
/^Benchmark/ {
	name = $1
	procs = 1
	if (match(name, /-[0-9]+$/)) {
		procs = substr(name, RSTART + 1)
		name = substr(name, 1, RSTART - 1)
	}
	key = FILENAME == handler ? name "@" procs : name
	n = ++count[key]
	for (i = 3; i < NF; i += 2) {
		v[key, $(i + 1), n] = $i
	}
}

function sort(a, n,    i, j, t) {
	for (i = 2; i <= n; i++) {
		t = a[i]
		for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]
		a[j + 1] = t
	}
}

# quantile of the sorted a[1..n], interpolated.
function quantile(a, n, q,    p, lo) {
	p = 1 + (n - 1) * q
	lo = int(p)
	return lo >= n ? a[n] : a[lo] + (a[lo + 1] - a[lo]) * (p - lo)
}

# ratio prints the per-round ratio num/den of unit (inverted: den/num),
# and whether it meets target by op (">=" or "<=").
function ratio(label, num, den, unit, invert, op, target,    n, i, r, a, b, med, iqr, verdict) {
	n = count[num] < count[den] ? count[num] : count[den]
	if (n == 0) {
		printf "%s: not measured (no %s)\n", label, count[num] ? den : num
		return
	}
	for (i = 1; i <= n; i++) {
		a = v[num, unit, i]
		b = v[den, unit, i]
		r[i] = invert ? b / a : a / b
	}
	sort(r, n)
	med = quantile(r, n, 0.5)
	iqr = (quantile(r, n, 0.75) - quantile(r, n, 0.25)) / 2
	if (op == "") {
		verdict = ""
	} else if (op == ">=" ? med >= target : med <= target) {
		verdict = (op == ">=" ? r[1] >= target : r[n] <= target) ? "met" : "met at the median, not in every round"
	} else {
		verdict = sprintf("MISSED by %.0f%%", op == ">=" ? (1 - med / target) * 100 : (med / target - 1) * 100)
	}
	printf "%s: %.2f (±%.1f%%) [%.2f–%.2f, n=%d]", label, med, 100 * iqr / med, r[1], r[n], n
	if (op != "") printf "  target %s %s: %s", op, target, verdict
	printf "\n"
}

function median(key, unit,    n, i, a) {
	n = count[key]
	for (i = 1; i <= n; i++) a[i] = v[key, unit, i]
	sort(a, n)
	return n ? quantile(a, n, 0.5) : "-"
}

END {
	print "-- ARN validation: times faster than the regexp"
	ratio("MatchARN, mixed ARNs", "BenchmarkARN/regexp", "BenchmarkARN/MatchARN", "ns/op", 0, ">=", 20)
	printf "MatchARN allocs/op %s; ValidateARN of a valid ARN allocs/op %s (TestMatchARNDoesNotAllocate pins 0)\n", \
		median("BenchmarkARN/MatchARN", "allocs/op"), median("BenchmarkValidateARN", "allocs/op")

	print "-- PEM: times faster than the regexp; cost relative to a bare base64 decode"
	split("cert chain10 chain2MiB", c, " ")
	for (i = 1; i <= 3; i++) {
		ratio("DecodePEM " c[i] " vs regexp", "BenchmarkPEM/" c[i] "/regexp", "BenchmarkPEM/" c[i] "/DecodePEM", "ns/op", 0, ">=", 10)
	}
	for (i = 1; i <= 3; i++) {
		ratio("DecodePEM " c[i] " / base64", "BenchmarkPEM/" c[i] "/DecodePEM", "BenchmarkPEM/" c[i] "/base64", "ns/op", 0, "<=", 1.5)
	}
	ratio("DecodePEM per-byte cost, chain2MiB / cert", "BenchmarkPEM/cert/DecodePEM", "BenchmarkPEM/chain2MiB/DecodePEM", "MB/s", 0, "<=", 1.3)
	ratio("DecodePEM per-byte cost, chain10 / cert", "BenchmarkPEM/cert/DecodePEM", "BenchmarkPEM/chain10/DecodePEM", "MB/s", 0, "<=", 1.3)

	print "-- Export / cryptographic floor"
	split("RSA2048 P256", alg, " ")
	for (i = 1; i <= 2; i++) {
		ratio("Export " alg[i] " / floor", "BenchmarkExport/" alg[i] "/Export", "BenchmarkExport/" alg[i] "/floor", "ns/op", 0, "<=", 1.15)
	}
	for (i = 1; i <= 2; i++) {
		ratio("Export from memca " alg[i] " / floor", "BenchmarkExport/" alg[i] "/memca", "BenchmarkExport/" alg[i] "/floor", "ns/op", 0, "", "")
	}

	print "-- Decrypting an export / cryptographic floor"
	ratio("DecryptKey RSA2048 / floor", "BenchmarkDecryptKey/RSA2048", "BenchmarkFloorDecrypt/RSA2048", "ns/op", 0, "<=", 1.15)
	ratio("DecryptKey P256 / floor", "BenchmarkDecryptKey/P256", "BenchmarkFloorDecrypt/P256", "ns/op", 0, "<=", 1.15)

	print "-- Handler: throughput relative to Export called directly, and from 1 to 2 cores"
	split("raw sdk", h, " ")
	for (p = 1; p <= 2; p++) {
		for (i = 1; i <= 2; i++) {
			ratio("Handler " h[i] " / direct, -cpu " p, "BenchmarkHandler/" h[i] "@" p, "BenchmarkHandler/direct@" p, "ns/op", 1, ">=", 0.8)
		}
	}
	split("direct raw sdk", h, " ")
	for (i = 1; i <= 3; i++) {
		ratio("Handler " h[i] " throughput, 2 cores / 1 core", "BenchmarkHandler/" h[i] "@1", "BenchmarkHandler/" h[i] "@2", "ns/op", 0, i == 1 ? "" : ">=", i == 1 ? "" : 1.7)
	}

	# The ceiling the machine itself allows: how each HTTP case scales
	# compared with Export alone, round by round.
	for (i = 2; i <= 3; i++) {
		n = count["BenchmarkHandler/direct@2"]
		for (j = 1; j <= n; j++) {
			v["scaling/" h[i], "x", j] = v["BenchmarkHandler/" h[i] "@1", "ns/op", j] / v["BenchmarkHandler/" h[i] "@2", "ns/op", j]
			v["scaling/direct", "x", j] = v["BenchmarkHandler/direct@1", "ns/op", j] / v["BenchmarkHandler/direct@2", "ns/op", j]
		}
		count["scaling/" h[i]] = count["scaling/direct"] = n
		ratio("Handler " h[i] " scaling / direct scaling", "scaling/" h[i], "scaling/direct", "x", 0, "", "")
	}

	print "-- Allocations (medians)"
	split("1 10 100", l, " ")
	for (i = 1; i <= 3; i++) {
		k = "BenchmarkExportChain/len" l[i]
		printf "Export, chain of %s: %s allocs/op, %s B/op\n", l[i], median(k, "allocs/op"), median(k, "B/op")
	}
	grow = median("BenchmarkExportChain/len100", "allocs/op") - median("BenchmarkExportChain/len1", "allocs/op")
	printf "allocations from a chain of 1 to one of 100: %+d  target: none per certificate: %s\n", grow, grow <= 4 ? "met" : "MISSED"
	split("Export/RSA2048/Export Export/P256/Export Export/P256/memca", e, " ")
	for (i = 1; i <= 3; i++) {
		printf "%s: %s allocs/op, %s B/op\n", e[i], median("Benchmark" e[i], "allocs/op"), median("Benchmark" e[i], "B/op")
	}
	split("direct raw sdk", h, " ")
	for (i = 1; i <= 3; i++) {
		k = "BenchmarkHandler/" h[i] "@1"
		printf "Handler %s (client and server): %s allocs/op, %s B/op\n", h[i], median(k, "allocs/op"), median(k, "B/op")
	}
}
' "$out/single.txt" "$out/handler.txt"

echo
echo "== CPU profiles: share of all samples under each function (cumulative)"
"$out/acmexport.test" -test.run '^$' -test.bench '^BenchmarkExport$/^P256$/^Export$' -test.benchtime 5s \
	-test.cpuprofile "$out/export.prof" >/dev/null
"$out/acmexport.test" -test.run '^$' -test.bench '^BenchmarkHandler$/^sdk$' -test.benchtime 5s -test.cpu 1 \
	-test.cpuprofile "$out/handler.prof" >/dev/null

# share PROFILE FUNCTION... prints the cumulative share of each function;
# a name ending in [ matches a generic function of any shape.
share() {
	local prof=$1
	shift
	go tool pprof -top -cum -nodecount=100000 "$out/acmexport.test" "$out/$prof.prof" 2>/dev/null |
		awk -v names="$*" '
		BEGIN { n = split(names, want, " ") }
		/^ *[0-9.]+[a-z]* / {
			name = $0
			for (i = 1; i <= 5; i++) sub(/^[ \t]*[^ \t]+/, "", name)
			sub(/^[ \t]+/, "", name)
			sub(/ \((partial-)?inline\)$/, "", name)
			for (i = 1; i <= n; i++) {
				w = want[i]
				if (!(i in got) && (name == w || (w ~ /\[$/ && index(name, w) == 1))) got[i] = $5
			}
		}
		END { for (i = 1; i <= n; i++) printf "  %6s  %s\n", (i in got) ? got[i] : "-", want[i] }'
}
a=github.com/acmexport/acmexport
echo "-- Export of a P-256 key, from a CA that costs nothing"
share export "$a.Export" "$a/internal/pbes2.Encrypt" "crypto/pbkdf2.Key[" \
	crypto/x509.MarshalPKCS8PrivateKey encoding/asn1.Marshal crypto/rand.Read \
	"$a.(*Response).Check" "$a.EncodePEM" "$a.ValidateRequest" "$a.checkKeyMatches" runtime.gcBgMarkWorker
echo "-- the Handler called by the SDK, one core: client and server in one process"
share handler "net/http.(*conn).serve" "$a.(*Handler).ServeHTTP" "$a.Export" "crypto/pbkdf2.Key[" \
	"$a/memca.(*CA).Certificate" "$a/memca.(*CA).PrivateKey" encoding/json.Marshal \
	"$a.(*Request).UnmarshalJSON" "github.com/google/uuid.NewString" \
	"github.com/aws/aws-sdk-go-v2/service/acm.(*Client).ExportCertificate" \
	"net/http.(*persistConn).readLoop" "net/http.(*persistConn).writeLoop" \
	syscall.Syscall runtime.gcBgMarkWorker
echo
echo "raw output and profiles: ${BENCH_OUT:-removed on exit; set BENCH_OUT=DIR to keep them}"
