# Measurements: short bounded runs on this machine, asserting what must hold
# whatever the machine (ordering of percentiles, sample counts, a plausible
# clock, the PM QoS request read back while held and gone after), and bad
# options. The only setting touched is a PM QoS request, which the kernel
# drops when latdoc closes /dev/cpu_dma_latency; the test checks that it did.
ONLINE=$(cat /sys/devices/system/cpu/online 2>/dev/null || echo 0)

run "$LATDOC" measure freq --cpus 0 --json
if [ "$STATUS" -ne 0 ] || ! sanitizer_clean; then
	fail "measure freq: exit $STATUS" "$(head -20 "$OUT/stderr")"
else
	pass "measure freq: exit 0"
	check "measure freq: one CPU measured, as asked" jq -e '.measurements.freq.cpus | length == 1 and .[0].cpu == 0' "$OUT/stdout"
	check "measure freq: a plausible clock, 100 MHz to 10 GHz" \
		jq -e '.measurements.freq.cpus[0].mhz > 100 and .measurements.freq.cpus[0].mhz < 10000' "$OUT/stdout"
	check "measure freq: every figure says its source" jq -e '.measurements.freq.cpus[0].source == "instruction chain"' "$OUT/stdout"
	check "measure freq: what was not measured is said" \
		jq -e '.measurements.freq.notes | all(type == "string")' "$OUT/stdout"
fi

qos_before=$("$LATDOC" check --json 2>/dev/null | jq '.facts.pm_qos.cpu_dma_latency_us')
run "$LATDOC" measure wake --duration 200ms --interval 1ms --json
if [ "$STATUS" -ne 0 ] || ! sanitizer_clean; then
	fail "measure wake: exit $STATUS" "$(head -20 "$OUT/stderr")"
else
	pass "measure wake: exit 0"
	ncpus=$(jq -r '.measurements.wake.cpus' "$OUT/stdout" | tr ',' '\n' |
		awk -F- '{ n += (NF == 2 ? $2 - $1 + 1 : 1) } END { print n }')
	# 0.2 s at 1000 us: 200 wake-ups a CPU, less a few lost to overruns
	check "measure wake: about 200 timer samples per CPU ($ncpus CPUs)" \
		jq -e --argjson n "$ncpus" '.measurements.wake.timer.allowed.samples >= 180 * $n and .measurements.wake.timer.allowed.samples <= 200 * $n' "$OUT/stdout"
	check "measure wake: timer percentiles in order, C-states allowed" jq -e ".measurements.wake.timer.allowed | $PERCENTILES_IN_ORDER" "$OUT/stdout"
	check "measure wake: the idle states entered are counted" \
		jq -e '.measurements.wake.timer.allowed.idle_states | all(.entered >= 0)' "$OUT/stdout"
	if [ "$(id -u)" -eq 0 ]; then
		check "measure wake: timer percentiles in order, C-states held off" jq -e ".measurements.wake.timer.held | $PERCENTILES_IN_ORDER" "$OUT/stdout"
		check "measure wake: PM QoS read back as 0 while held" jq -e '.measurements.wake.pm_qos.held and .measurements.wake.pm_qos.readback_us == 0' "$OUT/stdout"
		check "measure wake: PM QoS back to what it was ($qos_before) after release" \
			jq -e --argjson b "$qos_before" '.measurements.wake.pm_qos.after_release_us == $b' "$OUT/stdout"
		qos_now=$("$LATDOC" check --json 2>/dev/null | jq '.facts.pm_qos.cpu_dma_latency_us')
		check "measure wake: nothing held once latdoc has exited" test "$qos_now" = "$qos_before"
	else
		skip "PM QoS hold" "needs root"
	fi
	if [ "$ONLINE" != 0 ]; then
		check "measure wake: cross-CPU pairs measured, percentiles in order" \
			jq -e ".measurements.wake.cross_cpu | length > 0 and all(.allowed | $PERCENTILES_IN_ORDER)" "$OUT/stdout"
		check "measure wake: a cross-CPU sample per idle gap, about" \
			jq -e '.measurements.wake | .cross_cpu[0].allowed.samples >= (0.2e6 / .gap_max_us) * 0.8 and .cross_cpu[0].allowed.samples <= (0.2e6 / .gap_min_us) + 1' "$OUT/stdout"
	fi
fi

run "$LATDOC" measure wake --duration 100ms --cpus 0
check "measure wake on one CPU: timer only, and it says why" \
	sh -c "[ $STATUS -eq 0 ] && grep -q 'cross-CPU wake-up: not measured, it needs two CPUs' '$OUT/stdout'"

if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$LATDOC" measure wake --duration 100ms --json
	check "measure wake without root: exit 0, and says what was not measured" \
		sh -c "[ $STATUS -eq 0 ] && jq -e '(.measurements.wake.notes | map(select(test(\"SCHED_FIFO not permitted|C-states held off: not measured\"))) | length >= 2) and .measurements.wake.timer.held == null' '$OUT/stdout'"
else
	skip "measure without root" "needs root and setpriv to drop privileges"
fi

run "$LATDOC" check --measure --json
if [ "$STATUS" -gt 1 ] || ! sanitizer_clean; then
	fail "check --measure: exit $STATUS" "$(head -20 "$OUT/stderr")"
else
	check "check --measure: measurements in the JSON" \
		jq -e '.measurements.freq.cpus | length > 0' "$OUT/stdout"
	check "check --measure: wake-ups in the JSON" jq -e '.measurements.wake.timer.allowed.samples > 0' "$OUT/stdout"
fi

expect_usage_error "measure without a what" "say what to measure: freq or wake" measure
expect_usage_error "measure of something else" "say what to measure: freq or wake (not 'cpu')" measure cpu
expect_usage_error "measure a CPU that is not online" "cpu 4095 is not online here" measure freq --cpus 4095
expect_usage_error "measure a malformed CPU list" "--cpus takes a CPU list like 0-3,8, not 'zero'" measure freq --cpus zero
expect_usage_error "measure for no time" "--duration takes 50ms to 1m, not '0'" measure wake --duration 0
expect_usage_error "measure for too long" "--duration takes 50ms to 1m, not '1h'" measure wake --duration 1h
expect_usage_error "measure with a tiny interval" "--interval takes 50us to 1s, not '10us'" measure wake --interval 10us
# a bare number is seconds to ping and microseconds to cyclictest: refused
expect_usage_error "measure with a bare number" "--interval takes a time with its unit, ns, us, ms, s, m or h" measure wake --interval 1000
expect_usage_error "measure freq with wake's options" "--duration and --interval apply to wake only" measure freq --duration 1s
expect_usage_error "check --measure of a dump" "--measure measures this machine" check --measure --root "$ROOTS/kvm-host"
expect_usage_error "an unknown option after the command word names the option" "unknown option '--fifo'" measure wake --fifo
