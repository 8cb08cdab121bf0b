#!/bin/sh
# latdoc serve against prometheus-node-exporter (its default collectors),
# both on loopback, scraped side by side in one run: ROUNDS rounds of
# SCRAPES scrapes of each, interleaved, one kept-alive connection per round
# as Prometheus keeps one. For each: scrape latency (latdoc ttfb, the same
# client for both), the server's CPU time per scrape (utime + stime from
# /proc/PID/stat), bytes per scrape and resident memory.
#
# latdoc audits in the background (every 60 s by default), node_exporter
# collects during the scrape: the audit's CPU time is measured apart (serve
# --interval 1s, no scrapes) and shown shared out over the scrapes of a
# 15 s scrape interval.
set -eu
cd "$(dirname "$0")/.."
LATDOC=${LATDOC:-build/latdoc}
NODE=${NODE:-prometheus-node-exporter}
SCRAPES=${SCRAPES:-1000}
ROUNDS=${ROUNDS:-4}
PORT=${PORT:-19479}
NPORT=$((PORT + 1))
for tool in curl jq "$NODE"; do
	command -v "$tool" >/dev/null || { echo "bench: needs $tool (sh scripts/deps.sh --bench)" >&2; exit 2; }
done
[ -x "$LATDOC" ] || { echo "bench: no $LATDOC; run make build" >&2; exit 2; }
TMP=$(mktemp -d)
PIDS=""
trap 'kill $PIDS 2>/dev/null; rm -rf "$TMP"' EXIT

# an hour between audits: none falls inside the timed scrapes
"$LATDOC" serve --listen "127.0.0.1:$PORT" --interval 1h 2>"$TMP/serve.log" &
LPID=$!
"$NODE" --web.listen-address="127.0.0.1:$NPORT" >"$TMP/node.log" 2>&1 &
NPID=$!
PIDS="$LPID $NPID"
for _ in $(seq 100); do
	curl -sf -o /dev/null "http://127.0.0.1:$PORT/metrics" && curl -sf -o /dev/null "http://127.0.0.1:$NPORT/metrics" && break
	sleep 0.1
done

ticks=$(getconf CLK_TCK)
cpu_ms() { awk -v t="$ticks" '{ print ($14 + $15) * 1000 / t }' "/proc/$1/stat"; }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# round PID URL: SCRAPES scrapes; appends "p50 p99 cpu_ms" to $TMP/PID
round() {
	c0=$(cpu_ms "$1")
	"$LATDOC" ttfb "$2" --count "$SCRAPES" --reuse --json >"$TMP/ttfb.json"
	c1=$(cpu_ms "$1")
	jq -r --argjson c "$(awk -v a="$c0" -v b="$c1" 'BEGIN { print b - a }')" \
		'.ttfb | "\(.total.p50_us) \(.total.p99_us) \($c) \(.answered)"' "$TMP/ttfb.json" >>"$TMP/$1"
}
L="http://127.0.0.1:$PORT/metrics"
N="http://127.0.0.1:$NPORT/metrics"
# a warm-up round each, not counted
"$LATDOC" ttfb "$L" --count 50 --reuse >/dev/null
"$LATDOC" ttfb "$N" --count 50 --reuse >/dev/null
i=0
while [ "$i" -lt "$ROUNDS" ]; do
	round "$LPID" "$L"
	round "$NPID" "$N"
	i=$((i + 1))
done
lbytes=$(curl -s "$L" | wc -c)
nbytes=$(curl -s "$N" | wc -c)
lrss=$(rss_kib "$LPID")
nrss=$(rss_kib "$NPID")

# medians over the rounds; CPU time summed over them
median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
summary() {
	printf '%s %s %s %s\n' "$(cut -d' ' -f1 "$1" | median)" "$(cut -d' ' -f2 "$1" | median)" \
		"$(awk -v n="$SCRAPES" '{ cpu += $3 } END { printf "%.1f", cpu * 1000 / (NR * n) }' "$1")" \
		"$(awk '{ ok += $4 } END { print ok }' "$1")"
}
# shellcheck disable=SC2046
set -- $(summary "$TMP/$LPID") $(summary "$TMP/$NPID")
lp50=$1 lp99=$2 lcpu=$3 lok=$4 np50=$5 np99=$6 ncpu=$7 nok=$8
kill "$LPID"
wait "$LPID" 2>/dev/null || true

# the audit alone: serve auditing every second, nobody scraping
"$LATDOC" serve --listen "127.0.0.1:$PORT" --interval 1s 2>>"$TMP/serve.log" &
APID=$!
PIDS="$APID $NPID"
sleep 2
a0=$(cpu_ms "$APID")
audits0=$(curl -s "$L" | awk '$1 == "latdoc_audits_total" { print $2 }')
sleep 20
a1=$(cpu_ms "$APID")
audits1=$(curl -s "$L" | awk '$1 == "latdoc_audits_total" { print $2 }')
audit_ms=$(awk -v a="$a0" -v b="$a1" -v n="$((audits1 - audits0))" 'BEGIN { printf "%.2f", (b - a) / n }')
# at --interval 60s and a 15 s scrape interval, four scrapes share an audit
shared_us=$(awk -v a="$audit_ms" -v c="$lcpu" 'BEGIN { printf "%.1f", c + a * 1000 / 4 }')

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3g", a / b }'; }
echo "latdoc serve and node_exporter $("$NODE" --version 2>&1 | head -1 | awk '{ print $3 }'), $ROUNDS x $SCRAPES scrapes each, interleaved, kept-alive connections"
printf '%-40s %14s %14s %8s\n' "" "latdoc serve" "node_exporter" "ratio"
printf '%-40s %14s %14s %8s\n' "scrape p50 (us)" "$lp50" "$np50" "$(ratio "$lp50" "$np50")"
printf '%-40s %14s %14s %8s\n' "scrape p99 (us)" "$lp99" "$np99" "$(ratio "$lp99" "$np99")"
printf '%-40s %14s %14s %8s\n' "server CPU per scrape (us)" "$lcpu" "$ncpu" "$(ratio "$lcpu" "$ncpu")"
printf '%-40s %14s %14s %8s\n' "  with latdoc's audit shared out (us)" "$shared_us" "$ncpu" "$(ratio "$shared_us" "$ncpu")"
printf '%-40s %14s %14s %8s\n' "bytes per scrape" "$lbytes" "$nbytes" "$(ratio "$lbytes" "$nbytes")"
printf '%-40s %14s %14s %8s\n' "resident memory (KiB)" "$lrss" "$nrss" "$(ratio "$lrss" "$nrss")"
echo "answered: latdoc $lok, node_exporter $nok of $((ROUNDS * SCRAPES)); one latdoc audit: $audit_ms ms CPU"
echo "(shared out: latdoc's scrape plus a quarter audit, as at --interval 60s with a 15 s scrape interval)"
