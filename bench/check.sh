#!/bin/sh
# latdoc check against lscpu on the same dumps, side by side in one run:
# wall time of RUNS back-to-back runs each (ratio latdoc / lscpu) and peak
# resident memory of one run, on every dump of the corpus (or DUMPS). Needs
# GNU time (Debian package "time") and jq.
set -eu
cd "$(dirname "$0")/.."
LATDOC=${LATDOC:-build/latdoc}
SYSROOTS=${SYSROOTS:-../shared/corpus/sysroots}
RUNS=${RUNS:-200}
DUMPS=${DUMPS:-$(ls "$SYSROOTS")}

[ -x /usr/bin/time ] || { echo "bench: needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
[ -x "$LATDOC" ] || { echo "bench: no $LATDOC; run make build" >&2; exit 2; }

now_ns() { date +%s%N; }

# loop_ms RUNS CMD...: milliseconds for RUNS runs of CMD
loop_ms() {
	n=$1; shift
	start=$(now_ns)
	i=0
	while [ "$i" -lt "$n" ]; do "$@" >/dev/null 2>&1 || true; i=$((i + 1)); done
	echo $(( ($(now_ns) - start) / 1000000 ))
}

peak_kb() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }

printf '%-34s %5s %12s %12s %7s %11s %11s\n' dump cpus "latdoc ms" "lscpu ms" ratio "latdoc KiB" "lscpu KiB"
for d in $DUMPS; do
	root=$SYSROOTS/$d
	[ -d "$root" ] || continue
	cpus=$("$LATDOC" check --root "$root" --json | jq .facts.cpu.count)
	# interleave the two so a noisy moment hits both alike
	l1=$(loop_ms $((RUNS / 2)) "$LATDOC" check --root "$root" --json)
	s1=$(loop_ms $((RUNS / 2)) lscpu --sysroot "$root")
	l2=$(loop_ms $((RUNS / 2)) "$LATDOC" check --root "$root" --json)
	s2=$(loop_ms $((RUNS / 2)) lscpu --sysroot "$root")
	l=$((l1 + l2)) s=$((s1 + s2))
	printf '%-34s %5s %12s %12s %7s %11s %11s\n' "$d" "$cpus" "$l" "$s" \
		"$(awk -v a="$l" -v b="$s" 'BEGIN { printf "%.2f", a / b }')" \
		"$(peak_kb "$LATDOC" check --root "$root" --json)" "$(peak_kb lscpu --sysroot "$root")"
done
echo "($RUNS runs each; ratio = latdoc time / lscpu time; lower is better)"
