# Measurements: short bounded runs on this machine, asserting what must hold
# whatever the machine and however busy it is (the order of percentiles,
# one sample per deadline, the blocks and their conditions, a clock the two
# chains agree on, the PM QoS request read back while held and gone after,
# findings that agree with the measurements), and bad options. The only
# setting touched is a PM QoS request, which the kernel drops when latdoc
# closes /dev/cpu_dma_latency; the test checks that it did.
PCT='.samples > 0 and .min_us >= 0 and .min_us <= .p50_us and .p50_us <= .p90_us and .p90_us <= .max_us and (.p99_us == null or (.p90_us <= .p99_us and .p99_us <= .max_us)) and (.p999_us == null or (.p99_us <= .p999_us and .p999_us <= .max_us))'
NCPUS=$(nproc)
ROOT_USER=$([ "$(id -u)" -eq 0 ] && echo yes || echo no)

run "$LATDOC" measure freq --cpus 0 --json
if [ "$STATUS" -ne 0 ] || ! sanitizer_clean; then
	fail "measure freq: exit $STATUS" "$(head -20 "$OUT/stderr")"
else
	pass "measure freq: exit 0"
	check "measure freq: one CPU measured, as asked" jq -e '.measurements.freq.cpus | length == 1 and .[0].cpu == 0' "$OUT/stdout"
	check "measure freq: the add and imul chains agree within 3%, or no clock is given" \
		jq -e '.measurements.freq.cpus[0] | (.agree and .mhz == .add_mhz and ((.add_mhz - .imul_mhz) | fabs) <= 0.03 * ([.add_mhz, .imul_mhz] | max)) or (.agree | not) and .mhz == null' "$OUT/stdout"
	check "measure freq: a plausible clock, 100 MHz to 10 GHz" \
		jq -e '.measurements.freq.cpus[0].add_mhz > 100 and .measurements.freq.cpus[0].add_mhz < 10000' "$OUT/stdout"
	check "measure freq: the ramp after idle from 20 trials, median no later than p90" \
		jq -e '.measurements.freq.cpus[0].after_idle | .trials == 20 and (.ramp_p50_us == null or .ramp_p90_us == null or .ramp_p50_us <= .ramp_p90_us)' "$OUT/stdout"
	check "measure freq: it says it measured one core alone" \
		jq -e '.measurements.freq.notes | any(test("single-core clock"))' "$OUT/stdout"
	check "measure freq --json: the head of check's JSON" jq -e '.schema == 1 and .host.live' "$OUT/stdout"
	# what could not be read is said in words, not as a bare error string
	check "measure freq: a missing counter is said in plain words" \
		jq -e '.measurements.freq.notes | all(test("No such file or directory|Operation not permitted|Permission denied") | not)' "$OUT/stdout"
	check "measure freq: no cycle counter read, and a note says why" \
		jq -e '.measurements.freq.cpus[0].perf_mhz != null or (.measurements.freq.notes | any(test("cycle counter")))' "$OUT/stdout"
fi

# the PM QoS limit as check reads it ("crashed" when check did not answer)
qos_limit() { if check_json "$OUT/qos.json"; then jq '.facts.pm_qos.cpu_dma_latency_us' "$OUT/qos.json"; else echo crashed; fi; }
qos_before=$(qos_limit)
run "$LATDOC" measure wake --duration 2s --interval 1ms --json
W=.measurements.wake
if [ "$STATUS" -ne 0 ] || ! sanitizer_clean; then
	fail "measure wake: exit $STATUS" "$(head -20 "$OUT/stderr")"
else
	pass "measure wake: exit 0"
	check "measure wake: it says the total time at the start" grep -q 'about [0-9]* s.*Ctrl-C stops' "$OUT/stderr"
	check "measure wake: whole ABBA rounds of blocks, half of them allowed" \
		jq -e "$W | .plan.blocks % 4 == 0 and .plan.blocks >= 8 and .timer.cost.blocks_allowed == .plan.blocks / 2" "$OUT/stdout"
	# every deadline of a block, less its first 20 ms, has one sample: none
	# lost to an overrun, none counted twice
	check "measure wake: one timer sample per deadline of each block, per CPU" \
		jq -e "$W | ((.plan.blocks / 2) * ((.plan.block_s * 1000 - .plan.guard_ms) / (.timer.interval_us / 1000))) as \$per
			| (.plan.blocks / 2 + 1) as \$slack
			| .timer.per_cpu | length == $NCPUS and all(.allowed.samples >= \$per - \$slack and .allowed.samples <= \$per + \$slack)" "$OUT/stdout"
	check "measure wake: the pool is the sum of the CPUs" \
		jq -e "$W.timer | .allowed.samples == ([.per_cpu[].allowed.samples] | add)" "$OUT/stdout"
	check "measure wake: timer percentiles in order, C-states allowed" jq -e "$W.timer.allowed | $PCT" "$OUT/stdout"
	check "measure wake: a cost has a state, and a difference lies inside its interval" \
		jq -e "$W.timer.cost | (.state | IN(\"cost\", \"within noise\", \"nothing to hold off\", \"not measured\")) and (.p50 == null or (.p50.lo_us <= .p50.us and .p50.us <= .p50.hi_us))" "$OUT/stdout"
	check "measure wake: a cost only when its interval lies above 0" \
		jq -e "[$W.timer, $W.cross_cpu[]] | all(.cost.state != \"cost\" or ([.cost.p50.lo_us, (.cost.p99.lo_us // -1)] | max) > 0)" "$OUT/stdout"
	check "measure wake: the idle states entered are counted" \
		jq -e "$W.timer.idle_states.allowed | all(.entered >= 0)" "$OUT/stdout"
	if [ "$ROOT_USER" = yes ]; then
		check "measure wake: timer percentiles in order, C-states held off" jq -e "$W.timer.held | $PCT" "$OUT/stdout"
		check "measure wake: PM QoS read back as 0 while held" jq -e "$W.pm_qos.held and $W.pm_qos.readback_us == 0" "$OUT/stdout"
		check "measure wake: PM QoS back to what it was ($qos_before) after release" \
			jq -e --argjson b "$qos_before" "$W.pm_qos.after_release_us == \$b" "$OUT/stdout"
		qos_now=$(qos_limit)
		check "measure wake: nothing held once latdoc has exited" test "$qos_now" = "$qos_before"
	else
		skip "PM QoS hold" "needs root"
	fi
	if [ "$NCPUS" -gt 1 ]; then
		check "measure wake: cross-CPU pairs measured, percentiles in order" \
			jq -e "$W.cross_cpu | length > 0 and all(.allowed | $PCT)" "$OUT/stdout"
		check "measure wake: every cross-CPU sample is tagged with the idle state its sleeper left" \
			jq -e "$W.cross_cpu | all(([.by_idle_state[].allowed.samples] | add) == .allowed.samples)" "$OUT/stdout"
		check "measure wake: a cross-CPU sample per idle gap, about" \
			jq -e "$W | ((.plan.blocks / 2) * (.plan.block_s - .plan.guard_ms / 1000)) as \$t | .cross_cpu[0].allowed.samples >= (\$t * 1e6 / .gap_max_us) * 0.7 and .cross_cpu[0].allowed.samples <= (\$t * 1e6 / .gap_min_us) + 8" "$OUT/stdout"
	fi
fi

run "$LATDOC" measure wake --duration 1s --cpus 0
check "measure wake on one CPU: timer only, and it says why" \
	sh -c "[ $STATUS -eq 0 ] && grep -q 'cross-CPU wake-up: not measured, it needs two CPUs' '$OUT/stdout'"
check "measure wake: the idle states column is never empty without a reason" \
	sh -c "! grep -E '^  C-states (allowed|held off) .*[0-9]\$' '$OUT/stdout' | grep -vE 'x[0-9]+\$'"

if command -v setpriv >/dev/null 2>&1 && [ "$ROOT_USER" = yes ]; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$LATDOC" measure wake --duration 1s --json
	check "measure wake without root: exit 0, and says what was not measured" \
		sh -c "[ $STATUS -eq 0 ] && jq -e '(.measurements.wake.notes | map(select(test(\"SCHED_FIFO not permitted|C-states held off: not measured\"))) | length >= 2) and .measurements.wake.timer.held == null and .measurements.wake.timer.cost.state == \"not measured\"' '$OUT/stdout'"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$LATDOC" measure wake --duration 1s
	dups=$(grep -E '^(Timer|Cross-CPU)' "$OUT/stdout" | sort | uniq -d)
	check "measure wake without root: no two sections with the same title" test -z "$dups"
else
	skip "measure without root" "needs root and setpriv to drop privileges"
fi

# Ctrl-C: what was measured so far, the hold released, then 130
ctrl_c_measure() {
	"$LATDOC" measure wake --duration 60s "$@" >"$OUT/stdout" 2>"$OUT/stderr" &
	pid=$!
	sleep 3
	kill -INT "$pid"
	wait "$pid"
	STATUS=$?
}
ctrl_c_measure
check "measure wake, Ctrl-C: exit 130 with what was measured" \
	sh -c "[ $STATUS -eq 130 ] && grep -q 'interrupted: what was measured before Ctrl-C' '$OUT/stdout' && grep -q 'C-states allowed' '$OUT/stdout'"
if [ "$ROOT_USER" = yes ]; then
	qos_now=$(qos_limit)
	check "measure wake, Ctrl-C: the PM QoS hold is gone" test "$qos_now" = "$qos_before"
fi

run "$LATDOC" check --measure --json
if [ "$STATUS" -gt 1 ] || ! sanitizer_clean; then
	fail "check --measure: exit $STATUS" "$(head -20 "$OUT/stderr")"
else
	check "check --measure: measurements in the JSON" jq -e '.measurements.freq.cpus | length > 0' "$OUT/stdout"
	check "check --measure: the timer and one cross-CPU wake-up with an ordinary sleeper, in blocks" \
		jq -e '.measurements.wake | .timer.allowed.samples > 0 and all(.cross_cpu[]; .sleeper == "SCHED_OTHER") and .plan.blocks >= 16' "$OUT/stdout"
	# the finding follows the measurement: a material cost above the noise
	# of an undisturbed run, and no deep state in sight, is cpu.cstate.cost
	check "check --measure: cpu.cstate.cost exactly when the measurement and the idle states call for it" \
		jq -e '
			([.measurements.wake.timer, .measurements.wake.cross_cpu[]]
			 | any(.disturbed == null and .cost.state == "cost" and .cost.lower_us >= 5)) as $material
			| ([.facts.cpus[].idle_states[]? | select(.disabled != true and .latency_us > 20)] | length > 0) as $deep
			| ([.findings[].id] | index("cpu.cstate.cost") != null) == ($material and ($deep | not))' "$OUT/stdout"
	ids_known "check --measure"
fi

expect_usage_error "measure without a what" "say what to measure: freq or wake" measure
expect_usage_error "measure of something else" "say what to measure: freq or wake (not 'cpu')" measure cpu
expect_usage_error "measure a CPU that is not online" "cpu 4095 is not online here" measure freq --cpus 4095
expect_usage_error "measure a malformed CPU list" "--cpus takes a CPU list like 0-3,8, not 'zero'" measure freq --cpus zero
expect_usage_error "measure for no time" "--duration takes 1s to 10m, not '0'" measure wake --duration 0
expect_usage_error "measure for too short a time to compare" "--duration takes 1s to 10m, not '500ms'" measure wake --duration 500ms
expect_usage_error "measure for too long" "--duration takes 1s to 10m, not '1h'" measure wake --duration 1h
expect_usage_error "measure with a tiny interval" "--interval takes 50us to 10ms, not '10us'" measure wake --interval 10us
expect_usage_error "measure with an interval too long for a block" "--interval takes 50us to 10ms, not '1s'" measure wake --interval 1s
# a bare number is seconds to ping and microseconds to cyclictest: refused
expect_usage_error "measure with a bare number" "--interval takes a time with its unit, ns, us, ms, s, m or h" measure wake --interval 1000
expect_usage_error "measure with a bare duration" "--duration takes a time with its unit" measure wake --duration 2
expect_usage_error "measure freq with wake's options" "--duration and --interval apply to wake only" measure freq --duration 1s
expect_usage_error "check --measure of a dump" "--measure measures this machine" check --measure --root "$ROOTS/kvm-host"
expect_usage_error "an unknown option after the command word names the option" "unknown option '--fifo'" measure wake --fifo
