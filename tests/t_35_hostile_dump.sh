# A hostile dump costs work in proportion to its size, never more: link
# loops cost one failed lookup each, a CPU's idle states stop at the first
# loop, and problems alike but for their numbers are counted, not listed
# one by one. Issue 11: 8,192 such CPUs once took 576 s, 995 MB and 218 MB
# of JSON. The dumps are made here (tests/tools/mkdump_loops.c).
MKDUMP=$TOP/$SAN/mkdump_loops
LOOPS=$OUT/loops

if [ ! -x "$MKDUMP" ]; then
	skip "hostile dumps" "no $MKDUMP"
else
	# every cpuN is a link to itself: each per-CPU file is a loop
	rm -rf "$LOOPS" && "$MKDUMP" "$LOOPS" 8192 cpus
	start=$(date +%s)
	run "$LATDOC" check --root "$LOOPS" --json
	secs=$(($(date +%s) - start))
	if [ "$STATUS" -le 1 ] && sanitizer_clean; then
		pass "8192 looping CPUs: audited"
	else
		fail "8192 looping CPUs: exit $STATUS" "$(head -20 "$OUT/stderr")"
	fi
	# under ASan; a plain build takes under a second
	check "8192 looping CPUs: in seconds ($secs s)" test "$secs" -lt 30
	bytes=$(wc -c <"$OUT/stdout")
	check "8192 looping CPUs: JSON valid and small ($bytes bytes)" \
		sh -c "jq -e '.facts.cpu.count == 8192' '$OUT/stdout' && [ $bytes -lt 4000000 ]"
	check "8192 looping CPUs: problems counted, the first three shown" jq -e '
		(.problems | length) < 30 and
		([.problems[] | select(startswith("sys/devices/system/cpu/cpu") and endswith("/cpuidle/state0/name: too many symbolic links"))] | length == 3) and
		([.problems[] | select(. == "sys/devices/system/cpu/cpu*/cpuidle/state*/name: too many symbolic links (8189 more like it, not listed)")] | length == 1)' "$OUT/stdout"
	check "8192 looping CPUs: no idle state read through a loop" \
		jq -e '[.facts.cpus[].idle_states | length] | max == 0' "$OUT/stdout"
	if [ -x /usr/bin/time ] && [ -x "$TOP/build/latdoc" ]; then
		/usr/bin/time -o "$OUT/peak" -f %M "$TOP/build/latdoc" check --root "$LOOPS" >/dev/null 2>&1
		kb=$(tail -1 "$OUT/peak")
		check "8192 looping CPUs: the text report peaks under 8 MB ($kb KiB)" test "$kb" -lt 8192
	else
		skip "8192 looping CPUs: peak memory" "needs /usr/bin/time and build/latdoc"
	fi

	# real state directories whose files are loops: each CPU stops at its
	# first state's name, and nothing else of it is asked for
	rm -rf "$LOOPS" && "$MKDUMP" "$LOOPS" 256 states 8
	run "$LATDOC" check --root "$LOOPS" --json
	if [ "$STATUS" -le 1 ] && sanitizer_clean; then
		pass "256 CPUs of looping idle states: audited"
	else
		fail "256 CPUs of looping idle states: exit $STATUS" "$(head -20 "$OUT/stderr")"
	fi
	check "256 CPUs of looping idle states: one problem per CPU, counted" jq -e '
		([.problems[] | select(contains("cpuidle"))] | length == 4) and
		([.problems[] | select(contains("/state1/") or contains("/latency"))] | length == 0) and
		([.problems[] | select(contains("(253 more like it, not listed)"))] | length == 1)' "$OUT/stdout"
	rm -rf "$LOOPS"
fi
