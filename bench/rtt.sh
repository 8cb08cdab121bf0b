#!/bin/bash
# Loopback round trips: sockperf ping-pong and latdoc rtt, side by side in
# one run, each server pinned to CPU 1 and each client to CPU 0, 64-byte
# UDP messages back to back. Target: latdoc's median within 5% of
# sockperf's (the probe adds almost nothing to what it measures).
# Then pacing: how late latdoc rtt --interval sends each probe against how
# late cyclictest wakes at the same interval on the same CPU, as ordinary
# tasks and as SCHED_FIFO 95. Target: latdoc no later than cyclictest at
# every interval from 1 ms to 1 s (a poll's timeout would add 0.1% of it).
set -eu
cd "$(dirname "$0")/.."
LATDOC=${LATDOC:-build/latdoc}
SECS=${SECS:-5}
SERVER_CPU=${SERVER_CPU:-1}
CLIENT_CPU=${CLIENT_CPU:-0}
for tool in sockperf cyclictest chrt taskset jq; do
	command -v $tool >/dev/null || { echo "bench: needs $tool (sh scripts/deps.sh --bench)" >&2; exit 2; }
done
[ -x "$LATDOC" ] || { echo "bench: no $LATDOC; run make build" >&2; exit 2; }

taskset -c "$SERVER_CPU" sockperf server -i 127.0.0.1 -p 11111 >/dev/null 2>&1 &
taskset -c "$SERVER_CPU" "$LATDOC" rtt --serve --listen 127.0.0.1:7478 --rate-limit 10000000 --duration "$((4 * SECS + 400))s" --quiet &
trap 'kill $(jobs -p) 2>/dev/null' EXIT
sleep 1

sockperf_run() {
	taskset -c "$CLIENT_CPU" sockperf ping-pong -i 127.0.0.1 -p 11111 -t "$SECS" -m 64 --full-rtt 2>&1 |
		sed 's/\x1b\[[0-9;]*m//g' | awk '
		/<MIN> observation/ { min = $NF } /percentile 50.000/ { p50 = $NF } /percentile 90.000/ { p90 = $NF }
		/percentile 99.000/ { p99 = $NF } /percentile 99.900/ { p999 = $NF } /<MAX> observation/ { max = $NF }
		/Total [0-9]+ observations/ { for (i = 1; i <= NF; i++) if ($i == "Total") n = $(i + 1) }
		END { printf "%s %.1f %.1f %.1f %.1f %.1f %.1f\n", n, min, p50, p90, p99, p999, max }'
}
latdoc_run() {
	taskset -c "$CLIENT_CPU" "$LATDOC" rtt 127.0.0.1:7478 --duration "${SECS}s" --json |
		jq -r '.rtt.rtt | "\(.samples) \(.min_us) \(.p50_us) \(.p90_us) \(.p99_us) \(.p999_us) \(.max_us)"' |
		awk '{ printf "%d %.1f %.1f %.1f %.1f %.1f %.1f\n", $1, $2, $3, $4, $5, $6, $7 }'
}
row() { printf '%-22s %9s %8s %8s %8s %8s %8s %9s\n' "$@"; }

echo "== loopback UDP round trip, 64 bytes, back to back, $SECS s a run, server on CPU $SERVER_CPU, client on CPU $CLIENT_CPU ($(uname -r))"
s1=$(sockperf_run); l1=$(latdoc_run); s2=$(sockperf_run); l2=$(latdoc_run)
row "" samples min p50 p90 p99 p99.9 "max us"
# shellcheck disable=SC2086
{ row "sockperf ping-pong" $s1; row "latdoc rtt" $l1; row "sockperf ping-pong" $s2; row "latdoc rtt" $l2; }
f() { echo "$1" | awk -v n="$2" '{ print $n }'; }
awk -v a="$(f "$l1" 3)" -v b="$(f "$l2" 3)" -v c="$(f "$s1" 3)" -v d="$(f "$s2" 3)" 'BEGIN {
	printf "median ratio latdoc / sockperf: %.3f (each tool against itself, run to run: latdoc %.3f, sockperf %.3f)\n", (a + b) / (c + d), b / a, d / c }'

# --- pacing ----------------------------------------------------------------
# cyclictest's histogram (1 us buckets, overflows past the last) -> "samples p50 p90 max"
cyclic() { # INTERVAL_US LOOPS PRIO: 0 is SCHED_OTHER (cyclictest's -p 0 alone is still FIFO)
	local pol=fifo
	[ "$3" -eq 0 ] && pol=other
	taskset -c "$CLIENT_CPU" cyclictest --default-system -t 1 -p "$3" --policy="$pol" -i "$1" -l "$2" -q -h 20000 2>/dev/null |
		awk '/^[0-9]/ { n = $1 + 0; c = $2 + 0; if (c) { cnt[n] = c; total += c; if (n > max) max = n } }
		     /^# Max Latencies/ { maxl = $4 + 0 } /^# Histogram Overflows/ { over = $4 + 0 }
		     END {
			total += over
			split("50 90", ps, " ")
			for (i = 1; i <= 2; i++) {
				want = ps[i] * total / 100; if (want != int(want)) want = int(want) + 1
				acc = 0; p[i] = "over"
				for (b = 0; b <= max; b++) { acc += cnt[b]; if (acc >= want) { p[i] = b; break } }
			}
			printf "%d %s %s %.1f\n", total, p[1], p[2], maxl
		     }'
}
paced() { # INTERVAL_US COUNT PRIO
	run=(taskset -c "$CLIENT_CPU" "$LATDOC" rtt 127.0.0.1:7478 --interval "$1us" --count "$2" --json)
	[ "$3" -gt 0 ] && run=(chrt -f "$3" "${run[@]}")
	"${run[@]}" | jq -r '.rtt.send_lateness | "\(.samples) \(.p50_us) \(.p90_us) \(.max_us)"' |
		awk '{ printf "%d %.1f %.1f %.1f\n", $1, $2, $3, $4 }'
}
med() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
ROUNDS=${ROUNDS:-3}
echo
echo "== send lateness, paced: latdoc rtt --interval against cyclictest at the same interval on CPU $CLIENT_CPU,"
echo "   $ROUNDS runs of each, interleaved; p50 in us (each run's), the median of the runs, and their ratio"
printf '%-9s %-12s %-24s %-24s %7s %12s\n' interval policy "cyclictest p50s" "latdoc rtt p50s" ratio "poll's 0.1%"
for spec in "1000 2000" "10000 300" "100000 40" "1000000 8"; do
	set -- $spec
	for prio in 0 95; do
		cs="" ls=""
		for _ in $(seq "$ROUNDS"); do
			cs="$cs $(cyclic "$1" "$2" "$prio" | cut -d' ' -f2)"
			ls="$ls $(paced "$1" "$2" "$prio" | cut -d' ' -f2)"
		done
		cm=$(echo $cs | tr ' ' '\n' | med) lm=$(echo $ls | tr ' ' '\n' | med)
		policy=$([ "$prio" -gt 0 ] && echo "SCHED_FIFO" || echo "SCHED_OTHER")
		ratio=$(awk -v a="$lm" -v b="$cm" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }')
		printf '%-9s %-12s %-24s %-24s %7s %12s\n' "$(($1 / 1000)) ms" "$policy" "$(echo $cs | tr ' ' /)" "$(echo $ls | tr ' ' /)" "$ratio" "$(($1 / 1000)) us"
	done
done
echo "cyclictest counts whole microseconds (it truncates). As an ordinary task cyclictest keeps the default 50 us timer"
echo "slack; latdoc rtt sets its own to 1 ns. latdoc's lateness is taken just before send(), the probe built before the wait."
