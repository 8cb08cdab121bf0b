#!/bin/sh
# latdoc diff of two 96-CPU roots against one latdoc check of either, side
# by side in one run: wall time of RUNS back-to-back runs each, process
# start-up included, and the ratio diff / check (the goal: at most 2). The
# second root is the corpus's 96-CPU dump with its governor changed, made in
# a temporary directory; the same again with both as .tar.gz archives.
set -eu
cd "$(dirname "$0")/.."
LATDOC=${LATDOC:-build/latdoc}
SYSROOTS=${SYSROOTS:-../shared/corpus/sysroots}
DUMP=${DUMP:-x86_64-epyc_7451}
RUNS=${RUNS:-100}

[ -x "$LATDOC" ] || { echo "bench: no $LATDOC; run make build" >&2; exit 2; }
[ -d "$SYSROOTS/$DUMP" ] || { echo "bench: no $SYSROOTS/$DUMP" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
a=$SYSROOTS/$DUMP b=$tmp/b
cp -a "$a" "$b"
for g in "$b"/sys/devices/system/cpu/cpufreq/policy*/scaling_governor; do echo powersave >"$g"; done
tar -C "$a" -czf "$tmp/a.tgz" . && tar -C "$b" -czf "$tmp/b.tgz" .

now_ns() { date +%s%N; }
loop_ms() { # RUNS CMD...: milliseconds for RUNS runs of CMD
	n=$1; shift
	start=$(now_ns)
	i=0
	while [ "$i" -lt "$n" ]; do "$@" >/dev/null 2>&1 || true; i=$((i + 1)); done
	echo $(( ($(now_ns) - start) / 1000000 ))
}

cpus=$("$LATDOC" check --root "$a" --json | jq .facts.cpu.count)
"$LATDOC" diff "$a" "$b" >/dev/null && { echo "bench: the two roots do not differ" >&2; exit 2; } || true
printf '%-10s %5s %14s %14s %12s %7s\n' roots cpus "check A ms" "check B ms" "diff ms" ratio
for kind in dir tgz; do
	if [ $kind = dir ]; then x=$a y=$b; else x=$tmp/a.tgz y=$tmp/b.tgz; fi
	# interleaved, so a noisy moment hits all three alike
	ca=0 cb=0 d=0
	for half in 1 2; do
		ca=$((ca + $(loop_ms $((RUNS / 2)) "$LATDOC" check --root "$x" --json)))
		cb=$((cb + $(loop_ms $((RUNS / 2)) "$LATDOC" check --root "$y" --json)))
		d=$((d + $(loop_ms $((RUNS / 2)) "$LATDOC" diff "$x" "$y" --json)))
	done
	worse=$((ca > cb ? ca : cb))
	printf '%-10s %5s %14s %14s %12s %7s\n' "$kind" "$cpus" "$ca" "$cb" "$d" \
		"$(awk -v d="$d" -v c="$worse" 'BEGIN { printf "%.2f", d / c }')"
done
echo "($RUNS runs each; ratio = diff time / the slower check's time; the goal is at most 2)"
