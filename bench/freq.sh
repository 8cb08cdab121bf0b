#!/bin/bash
# The clock of each CPU: latdoc measure freq run RUNS times (its repeatability,
# target within 2% run to run), beside turbostat's Bzy_MHz and perf's cycle
# count where this machine gives them (they need APERF/MPERF or a cycle
# counter, which VMs rarely have: then it says so).
set -eu
cd "$(dirname "$0")/.."
LATDOC=${LATDOC:-build/latdoc}
RUNS=${RUNS:-5}
CPUS=${CPUS:-$(cat /sys/devices/system/cpu/online)}
[ -x "$LATDOC" ] || { echo "bench: no $LATDOC; run make build" >&2; exit 2; }
command -v jq >/dev/null || { echo "bench: needs jq" >&2; exit 2; }

echo "== latdoc measure freq --cpus $CPUS, $RUNS runs ($(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
out=$(mktemp)
trap 'rm -f "$out" "$out.json" "$out.agree" "$out.disturbed"' EXIT
for i in $(seq "$RUNS"); do
	"$LATDOC" measure freq --cpus "$CPUS" --json >"$out.json"
	jq -r '.measurements.freq.cpus[] | "\(.cpu) \(.mhz // .add_mhz)"' "$out.json" >>"$out"
	jq -r '.measurements.freq.cpus[] | "\(.agree) \(.add_mhz) \(.imul_mhz)"' "$out.json" >>"$out.agree"
	jq -r '.measurements.freq.disturbed // empty' "$out.json" >>"$out.disturbed"
done
awk '{ d = ($2 - $3) / ($2 > $3 ? $2 : $3) * 100; if (d < 0) d = -d; if (d > w) w = d; n++; a += ($1 == "true") }
     END { printf "add and imul chains within 3%%: %d of %d CPU runs (widest gap %.2f%%)\n", a, n, w }' "$out.agree"
printf 'runs marked disturbed: %d of %d\n' "$(grep -c . "$out.disturbed" || true)" "$RUNS"
printf '%4s %10s %10s %10s %9s\n' cpu "min MHz" "median" "max MHz" "spread"
sort -n -k1,1 -k2,2n "$out" | awk '
	{ n[$1]++; v[$1, n[$1]] = $2 }
	END {
		worst = 0; near = 0; all = 0
		for (c in n) {
			k = n[c]; med = v[c, int((k + 1) / 2)]
			spread = 100 * (v[c, k] - v[c, 1]) / med
			if (spread > worst) worst = spread
			for (i = 1; i <= k; i++) { all++; d = v[c, i] - med; if (d < 0) d = -d; if (100 * d / med <= 2) near++ }
			printf "%4d %10.0f %10.0f %10.0f %8.2f%%\n", c, v[c, 1], med, v[c, k], spread
		}
		printf "run-to-run spread (max - min), worst CPU: %.2f%% (target 2%%)\n", worst
		printf "runs within 2%% of their CPU median: %d of %d\n", near, all
	}'

echo
echo "== peers"
if command -v turbostat >/dev/null && turbostat --quiet --show CPU,Bzy_MHz --interval 1 --num_iterations 1 >/tmp/turbostat.$$ 2>&1; then
	echo "turbostat (Bzy_MHz, 1 s, idle machine: the clock of busy cycles only):"
	cat /tmp/turbostat.$$
else
	echo "turbostat: not supported here: $(head -1 /tmp/turbostat.$$ 2>/dev/null)"
fi
rm -f /tmp/turbostat.$$
perf_out=$(perf stat -x, -e cycles -- taskset -c 0 sh -c 'i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done' 2>&1 >/dev/null || true)
case "$perf_out" in
	*"not supported"*|*"<not counted>"*|"") echo "perf stat -e cycles: not supported here (no cycle counter in this VM)" ;;
	*) echo "perf stat -e cycles on a busy loop, CPU 0: $perf_out" ;;
esac
