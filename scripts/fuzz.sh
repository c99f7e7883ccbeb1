#!/usr/bin/env bash
# Runs every fuzz target of the module in turn, each for FUZZTIME (30s by
# default):
#
#	FUZZTIME=5m bash scripts/fuzz.sh
#
# A crasher is written by go test to testdata/fuzz/<target>/ and fails the
# run; commit it, and it runs as a regression test with every go test.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-30s}

targets=$(go test -list '^Fuzz' ./... | grep '^Fuzz' || true)
if [ -z "$targets" ]; then
	echo "no fuzz targets found" >&2
	exit 1
fi
for pkg in $(go list ./...); do
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		echo "== $target ($pkg, $fuzztime)"
		go test -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" "$pkg"
	done
done
