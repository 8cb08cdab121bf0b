#!/bin/sh
# Rewrites the golden files of tests/fixtures/expected from what the built
# latdoc says of each fixture root now, exactly as tests/t_20_fixtures.sh
# reads them (tests/fixtures/golden.sh), so that `git diff` shows every change
# for a person to review. A golden file is only right once someone has read
# that diff and can say why the new text is right: the tests never run this.
#
#   NAME.json   for every fixture (a new fixture gets one)
#   NAME.txt    the text report, for each fixture that has one already
#               (to add one: touch tests/fixtures/expected/NAME.txt)
# A golden file whose fixture is gone is deleted.
#
# usage: sh scripts/regen-golden.sh [NAME...]   (no NAME: every fixture)
set -eu
cd "$(dirname "$0")/.."
TOP=$(pwd)
SAN=${BUILD_SAN:-build-san}
LATDOC=$TOP/$SAN/latdoc
EXPECTED=tests/fixtures/expected
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:exitcode=99
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:exitcode=98

die() { echo "regen-golden: $*" >&2; exit 1; }

make --no-print-directory san BUILD_SAN="$SAN" || die "the build failed"
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
ROOTS=$OUT/roots
. tests/lib.sh
. tests/fixtures/golden.sh
sh tests/fixtures/build-roots.sh "$ROOTS" "$@"

# latdoc ran to its answer (0 or 1) and nothing crashed: anything else would
# write a broken report into a golden file
answered() { # WHAT
	[ "$STATUS" -le 1 ] && sanitizer_clean ||
		die "$1: exit $STATUS$(printf '\n'; head -20 "$OUT/stderr")"
}

for root in "$ROOTS"/*/; do
	name=$(basename "$root")
	run "$LATDOC" check --root "$root" --json || :
	answered "$name"
	golden_view <"$OUT/stdout" >"$OUT/view"
	mv "$OUT/view" "$EXPECTED/$name.json"
	if [ -f "$EXPECTED/$name.txt" ]; then
		golden_text "$name" >"$OUT/stdout" 2>"$OUT/stderr" && STATUS=0 || STATUS=$?
		answered "$name (text)"
		cp "$OUT/stdout" "$EXPECTED/$name.txt"
	fi
done

if [ $# -eq 0 ]; then
	for golden in "$EXPECTED"/*.json "$EXPECTED"/*.txt; do
		name=$(basename "${golden%.*}")
		[ -d "tests/fixtures/overlays/$name" ] || rm -v "$golden"
	done
fi

git status --short -- "$EXPECTED"
echo "review every change with: git diff -- $EXPECTED"
