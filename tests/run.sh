#!/bin/sh
# Every test: unit tests (cmocka, TAP), fixture roots against golden files,
# bad input, the real corpus, snapshot, and short fuzz runs. The latdoc under
# test is the ASan+UBSan build.
set -u
cd "$(dirname "$0")/.."
TOP=$(pwd)
SAN=${BUILD_SAN:-build-san}
FUZZ=${BUILD_FUZZ:-build-fuzz}
LATDOC=$TOP/$SAN/latdoc
OUT=$TOP/tests/out
CORPUS=${LATDOC_CORPUS:-$TOP/../shared/corpus}
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98
rm -rf "$OUT" && mkdir -p "$OUT"
. tests/lib.sh

if [ ! -x "$LATDOC" ]; then
	echo "no $LATDOC: run 'make test'"
	exit 2
fi

# The fixture roots, composed once from their base trees and overlays
ROOTS=$OUT/roots
if ! sh tests/fixtures/build-roots.sh "$ROOTS" >"$OUT/build-roots.log" 2>&1; then
	echo "cannot compose the fixture roots:"
	cat "$OUT/build-roots.log"
	exit 2
fi
export ROOTS

# TESTS="tests/t_45_virt.sh ..." runs only those
for t in ${TESTS:-tests/t_*.sh}; do
	echo "== $t"
	. "./$t"
done

if [ "$SKIPPED" -gt 0 ]; then
	echo "$PASSED passed, $FAILED failed, $SKIPPED skipped"
else
	echo "$PASSED passed, $FAILED failed"
fi
[ "$FAILED" -eq 0 ]
