#!/bin/sh
# make test-live: latdoc tune --apply --prove, then revert, on THIS machine,
# as root. Opt-in, never part of make test: it changes this machine's
# runtime settings for a few seconds. Every knob the plan touches is read
# before and compared after the revert; the journal it made is removed.
# LIVE_PERSIST=1 adds --persist (files under /etc, removed by the revert).
set -u
cd "$(dirname "$0")/.."
LATDOC=${LATDOC:-$(pwd)/build-san/latdoc}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
PASSED=0 FAILED=0
pass() { PASSED=$((PASSED + 1)); echo "ok - $1"; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /'; }
check() { n=$1; shift; if "$@" >/dev/null 2>&1; then pass "$n"; else fail "$n"; fi; }

[ "$(id -u)" -eq 0 ] || { echo "test-live: run as root (it applies and reverts on this machine)"; exit 2; }
[ -x "$LATDOC" ] || { echo "test-live: no $LATDOC: make san"; exit 2; }

"$LATDOC" tune --json >"$OUT/plan.json"
st=$?
[ "$st" -le 1 ] || { echo "test-live: the plan failed (exit $st)"; exit 2; }
jq -r '.plan[] | select(.state == "applies" and .when == "runtime" and .path) | .path' \
	"$OUT/plan.json" >"$OUT/paths"
echo "test-live: $(wc -l <"$OUT/paths") runtime knobs to change and put back"
while IFS= read -r p; do
	cat "/$p" >"$OUT/before.$(echo "$p" | tr / _)" 2>/dev/null
done <"$OUT/paths"
had_dir=no
[ -d /var/lib/latdoc ] && had_dir=yes
ls /var/lib/latdoc 2>/dev/null | sort >"$OUT/journals.before"

persist=""
[ "${LIVE_PERSIST:-0}" = 1 ] && persist=--persist
"$LATDOC" tune --apply $persist --prove >"$OUT/apply.out" 2>&1
st=$?
cat "$OUT/apply.out"
check "tune --apply --prove exits 0" test "$st" -eq 0
check "the before/after table is printed" grep -q 'measured before and after' "$OUT/apply.out"
"$LATDOC" tune --json >"$OUT/plan2.json"
check "a second plan has no runtime change left that tune makes" \
	jq -e '[.plan[] | select(.state == "applies" and .when == "runtime")] == []' "$OUT/plan2.json"
"$LATDOC" tune --list >"$OUT/list.out" 2>&1
check "the journal has the figures" sh -c "ls -t /var/lib/latdoc/*.journal | head -1 | xargs grep -q '\"prove\"'"

"$LATDOC" revert --last >"$OUT/revert.out" 2>&1
st=$?
cat "$OUT/revert.out"
check "revert --last exits 0" test "$st" -eq 0
while IFS= read -r p; do
	f=$OUT/before.$(echo "$p" | tr / _)
	if cat "/$p" | cmp -s - "$f"; then
		pass "/$p is back"
	else
		fail "/$p is not back" "before: $(cat "$f"); now: $(cat "/$p")"
	fi
done <"$OUT/paths"

# the journal made here goes; /var/lib/latdoc too if this made it
ls /var/lib/latdoc 2>/dev/null | sort >"$OUT/journals.after"
comm -13 "$OUT/journals.before" "$OUT/journals.after" | while IFS= read -r j; do
	rm -f "/var/lib/latdoc/$j"
done
[ "$had_dir" = no ] && rm -rf /var/lib/latdoc

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
