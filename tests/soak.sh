#!/bin/sh
# The soak test (make soak): a day of latdoc serve compressed in time. A
# day at the defaults is 1440 audits (every 60 s) and 5760 scrapes (every
# 15 s); here they come as fast as they go: audits every 100 ms, scrapes
# back to back from one kept-alive client, some refused requests among them.
# Resident memory is sampled throughout. It must be bounded (peak under
# SOAK_MAX_KIB) and flat: the last quarter's highest within SOAK_SLACK_KIB
# of the first quarter's highest. The build measured is the plain one
# (ASan keeps freed memory aside, so its resident size grows by design).
set -eu
cd "$(dirname "$0")/.."
LATDOC=${LATDOC:-build/latdoc}
ROOT=${ROOT:-/}
AUDITS=${AUDITS:-1440}
SCRAPES=${SCRAPES:-5760}
SOAK_MAX_KIB=${SOAK_MAX_KIB:-65536}
SOAK_SLACK_KIB=${SOAK_SLACK_KIB:-1024}
PORT=${PORT:-19579}
command -v curl >/dev/null || { echo "soak: needs curl" >&2; exit 2; }
[ -x "$LATDOC" ] || { echo "soak: no $LATDOC; run make build" >&2; exit 2; }
TMP=$(mktemp -d)
"$LATDOC" serve --listen "127.0.0.1:$PORT" --root "$ROOT" --interval 100ms 2>"$TMP/serve.log" &
PID=$!
trap 'kill $PID 2>/dev/null; rm -rf "$TMP"' EXIT
URL=http://127.0.0.1:$PORT
for _ in $(seq 100); do curl -sf -o /dev/null "$URL/metrics" && break; sleep 0.1; done

audits() { curl -s "$URL/metrics" | awk '$1 == "latdoc_audits_total" { print $2 }'; }
rss() { awk '/^VmRSS/ { print $2 }' "/proc/$PID/status"; }
start=$(date +%s)
scraped=0
: >"$TMP/rss"
# each pass: 200 scrapes on one connection, 20 refused requests, a sample
while [ "$(audits)" -lt "$AUDITS" ] || [ "$scraped" -lt "$SCRAPES" ]; do
	kill -0 "$PID" 2>/dev/null || { echo "soak: serve died" >&2; cat "$TMP/serve.log" >&2; exit 1; }
	# shellcheck disable=SC2046
	curl -s $(for _ in $(seq 200); do echo "$URL/metrics"; done) >/dev/null
	scraped=$((scraped + 200))
	for _ in $(seq 10); do
		curl -s -o /dev/null -X POST "$URL/metrics"
		curl -s -o /dev/null "$URL/nowhere"
	done
	rss >>"$TMP/rss"
	[ $(($(date +%s) - start)) -lt 1800 ] || { echo "soak: not done in 30 minutes" >&2; exit 1; }
done
n=$(wc -l <"$TMP/rss")
q=$((n / 4))
first=$(head -n "$q" "$TMP/rss" | sort -n | tail -1)
last=$(tail -n "$q" "$TMP/rss" | sort -n | tail -1)
peak=$(sort -n "$TMP/rss" | tail -1)
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$PID/status")
echo "soak: $(audits) audits and $scraped scrapes in $(($(date +%s) - start)) s; resident KiB: first quarter max $first, last quarter max $last, peak $peak (high-water $hwm), $n samples"
kill "$PID"
wait "$PID" 2>/dev/null || true
status=0
[ "$hwm" -le "$SOAK_MAX_KIB" ] || { echo "soak: FAIL - high-water mark $hwm KiB above $SOAK_MAX_KIB" >&2; status=1; }
[ "$last" -le $((first + SOAK_SLACK_KIB)) ] || { echo "soak: FAIL - memory grew: $first -> $last KiB" >&2; status=1; }
[ "$status" -eq 0 ] && echo "soak: ok - bounded and flat"
exit "$status"
