# latdoc diff: the story's pairs (an AWS Nitro guest beside the data
# centre's guest and host), a root against itself, two corpus dumps, a saved
# report against a root, measurements by their ratio, and bad input.
DIFF=$OUT/diff
rm -rf "$DIFF" && mkdir -p "$DIFF"

# diff_json NAME WANT-STATUS A B: runs diff --json, keeps it in $OUT/stdout
diff_json() {
	name=$1 want=$2; shift 2
	run "$LATDOC" diff --json "$@"
	if [ "$STATUS" -eq "$want" ] && sanitizer_clean && jq -e . "$OUT/stdout" >/dev/null 2>&1; then
		pass "$name: exit $want, valid JSON"
		return 0
	fi
	fail "$name: exit $STATUS (want $want)" "$(head -5 "$OUT/stderr")"
	return 1
}
has() { # NAME JQ: a jq test on the last diff's JSON
	check "$1" jq -e "$2" "$OUT/stdout"
}

# The story: the AWS guest is clean; the data centre's guest is on emulated
# disk, NIC, CPU and clock, which is what the diff must put first.
if diff_json "aws-nitro against guest-emulated" 1 "$ROOTS/aws-nitro" "$ROOTS/guest-emulated"; then
	has "the DC guest's emulated disk, NIC, CPU and clock are findings only in B" \
		'[.findings[] | select(.a == null and .b == "warning") | .id] | contains(["guest.disk.driver", "guest.nic.driver", "guest.cpu.model", "guest.clocksource"])'
	has "the drivers side by side: nvme/ata_piix, ena/e1000, kvm-clock/hpet" \
		'[.facts[] | {key, a, b}] | contains([{key: "guest.disk_drivers", a: "nvme", b: "ata_piix"}, {key: "guest.nic_drivers", a: "ena", b: "e1000"}, {key: "kernel.clocksource", a: "kvm-clock", b: "hpet"}])'
	has "the platform: a Nitro guest on aws against a CloudStack guest" \
		'.facts[] | select(.key == "platform") | .a == "VM guest (kvm) on aws" and .b == "VM guest (kvm) on cloudstack"'
	has "settings a finding is about rank first, and the costlier side is B" \
		'[.facts[] | .key][0:3] | sort == ["guest.disk_drivers", "guest.nic_drivers", "kernel.clocksource"]'
	has "hostnames are not compared" '[.facts[] | .key] | index("hostname") == null'
	has "the sides say what they were" '.a.kind == "root" and .b.host.hostname == "web-legacy" and .differs'
fi
if diff_json "dc-host against aws-nitro" 1 "$ROOTS/dc-host" "$ROOTS/aws-nitro"; then
	has "the host's powersave governor comes first: critical only in A" \
		'.findings[0].a == "critical" and .findings[0].b == null and ([.findings[0:2][].id] | sort == ["cpu.freq.low", "cpu.governor"])'
	has "the clock now: 1200 against 3000 MHz" \
		'.facts[] | select(.key == "cpu.clock_now") | .a == "1200 MHz (median)" and .b == "3000 MHz (median)"'
	has "the idle states with their exit latency" \
		'.facts[] | select(.key == "cpuidle.states") | .a == "POLL (0 us), C1 (2 us), C1E (10 us), C6 (133 us)"'
	has "the host's VM, by name, on A only" \
		'.facts[] | select(.key == "vm.i-2-34-VM") | .b == null and (.a | test("qemu64.*ide.*e1000"))'
	has "the first setting is the costliest: one a critical finding weighs" \
		'.facts[0].worse == "a" and .facts[0].key == "cpu.clock_now"'
fi

# the same machine: nothing, exit 0
for r in kvm-host dc-host; do
	run "$LATDOC" diff "$ROOTS/$r" "$ROOTS/$r"
	check "$r against itself: exit 0, no difference" sh -c "[ $STATUS -eq 0 ] && grep -q 'No difference that matters' '$OUT/stdout'"
done

# a saved check --json report against the root it was made of: nothing;
# against another root, what root against root says
check_json "$DIFF/aws.json" --root "$ROOTS/aws-nitro"
run "$LATDOC" diff "$DIFF/aws.json" "$ROOTS/aws-nitro"
check "a report against its own root: exit 0" test "$STATUS" -eq 0
# diff's answer reduced for comparison; empty after a crash, so never equal
diff_view() { # OUT A B
	out=$1; shift
	rm -f "$out"
	latdoc_json "$out.raw" diff --json "$@" && jq -S '{findings, facts, measurements}' "$out.raw" >"$out"
}
diff_view "$DIFF/rr.json" "$ROOTS/aws-nitro" "$ROOTS/guest-emulated"
diff_view "$DIFF/jr.json" "$DIFF/aws.json" "$ROOTS/guest-emulated"
check "a report against a root says what root against root says" sh -c "[ -s '$DIFF/rr.json' ] && cmp -s '$DIFF/rr.json' '$DIFF/jr.json'"
# an archive the same
tar -C "$ROOTS/guest-emulated" -czf "$DIFF/dc-guest.tgz" .
diff_view "$DIFF/ja.json" "$DIFF/aws.json" "$DIFF/dc-guest.tgz"
check "an archive against a report: the same as its directory" sh -c "[ -s '$DIFF/ja.json' ] && cmp -s '$DIFF/rr.json' '$DIFF/ja.json'"

# two corpus dumps of different machines: a difference in CPU count is one
# line, not one per CPU, and no counter shows
epyc=$CORPUS/sysroots/x86_64-epyc_7451 xeon=$CORPUS/sysroots/x86_64-64cpu
if [ -d "$epyc" ] && [ -d "$xeon" ]; then
	if diff_json "two corpus dumps" 1 "$epyc" "$xeon"; then
		has "the CPU count once: 96 against 64" '[.facts[] | select(.key == "cpu.count")] == [{key: "cpu.count", label: "CPUs", a: "96", b: "64", check: null, worse: null}]'
		has "nothing per CPU, no counter" '[.facts[] | .key | select(test("^cpu[0-9]|usage|time_us|steal"))] == []'
		has "the governors: performance against ondemand" '.facts[] | select(.key == "cpufreq.governor") | .a == "performance" and .b == "ondemand"'
	fi
	run "$LATDOC" diff "$epyc" "$xeon"
	check "the text of a diff fits 80 columns but for an unbreakable CPU list" \
		sh -c "! grep -v '^ *[0-9,-]*\$' '$OUT/stdout' | awk 'length > 80' | grep -q ."
else
	skip "two corpus dumps" "no $epyc or $xeon"
fi

# measurements where both have them, by their ratio; a measurement
# report has no settings, and says so
measure_doc() { # P50 P99 MHZ: a measure --json report
	jq -n --argjson p50 "$1" --argjson p99 "$2" --argjson mhz "$3" '{schema: 1, version: "0.1.0",
		host: {hostname: "m", platform: {role: "bare-metal"}},
		measurements: {freq: {cpus: [{cpu: 0, mhz: $mhz}, {cpu: 1, mhz: $mhz}]},
			wake: {timer: {allowed: {p50_us: $p50, p99_us: $p99, max_us: $p99}, held: {p50_us: 2, p99_us: 4}},
			cross_cpu: []}}}'
}
measure_doc 5 20 2400 >"$DIFF/m1.json"
measure_doc 60 400 1200 >"$DIFF/m2.json"
measure_doc 5.5 21 2390 >"$DIFF/m3.json"
if diff_json "two measurement reports" 1 "$DIFF/m1.json" "$DIFF/m2.json"; then
	has "wake-up p99 with C-states allowed: 20 against 400 us, ratio 20, B worse" \
		'.measurements[] | select(.key == "wake.timer.allowed.p99") | .a == 20 and .b == 400 and .ratio == 20 and .matters and .worse == "b"'
	has "the measured clock: half, B worse" '.measurements[] | select(.key == "freq.mhz") | .ratio == 0.5 and .worse == "b"'
	has "a figure that did not move is there, and does not matter" '.measurements[] | select(.key == "wake.timer.held.p99") | .ratio == 1 and (.matters | not)'
	has "the notes say settings were not compared" '.notes | length == 2'
fi
diff_json "measurements within noise: exit 0" 0 "$DIFF/m1.json" "$DIFF/m3.json"
run "$LATDOC" diff "$DIFF/m1.json" "$DIFF/m2.json"
check "measurements in text: the ratio and who is worse" grep -q 'timer wake-up p99, C-states allowed *20.0 us *400 us *20.00 B worse' "$OUT/stdout"

# a hostile report: strings that would drive a terminal are escaped
jq '.host.hostname = "evil\u001b]0;pwned\u0007" | .findings = [{id: "cpu.governor", severity: "critical", subject: "x\u001b[2J", title: "t\nNo difference that matters"}]' "$DIFF/aws.json" >"$DIFF/evil.json"
run "$LATDOC" diff "$DIFF/evil.json" "$ROOTS/aws-nitro"
check "a hostile report's strings are escaped on the terminal" sh -c "[ $STATUS -eq 1 ] && ! grep -q \"\$(printf '\\033')\" '$OUT/stdout' && ! grep -q '^No difference' '$OUT/stdout'"

# bad input: exit 2 with what and where
echo '{"schema": 7, "version": "9.9"}' >"$DIFF/s7.json"
expect_usage_error "a report of another schema" "written by latdoc 9.9 with JSON schema 7; this latdoc" diff "$DIFF/s7.json" "$ROOTS/kvm-host"
echo '{"a": 1}' >"$DIFF/x.json"
expect_usage_error "JSON that is no report" "is JSON but not a latdoc report" diff "$ROOTS/kvm-host" "$DIFF/x.json"
head -c 100 "$DIFF/aws.json" >"$DIFF/cut.json"
expect_usage_error "a report cut short" "it ends too soon" diff "$DIFF/cut.json" "$ROOTS/kvm-host"
expect_usage_error "one operand" "give two things to compare" diff "$ROOTS/kvm-host"
expect_usage_error "no such input" "cannot read '/nonexistent'" diff /nonexistent live
expect_usage_error "--measure without live" "one side must be live" diff --measure "$ROOTS/kvm-host" "$ROOTS/kvm-host"
nest=$(printf '%0.s[' $(seq 1 2000))
printf '{"schema": 1, "facts": %s' "$nest" >"$DIFF/deep.json"
expect_usage_error "a report nested without end" "is not JSON latdoc can read" diff "$DIFF/deep.json" "$ROOTS/kvm-host"

# work in proportion to the reports: 50,000 findings and VMs a side are
# matched by sorting, not each against each
big() { # SEV OFFSET
	jq -n --arg sev "$1" --argjson off "$2" '{schema: 1, version: "0.1.0", host: {hostname: "big"},
		findings: [range(50000) | {id: "vm.disk.bus", severity: $sev, subject: ("domain:vm" + tostring), title: "t"}],
		facts: {cpu: {count: 1}, virt: {vms: [range(50000) | {name: ("vm" + (. + $off | tostring)), vcpus: 1, vcpus_pinned: 0}]}}}'
}
big warning 0 >"$DIFF/big-a.json"
big critical 25000 >"$DIFF/big-b.json"
start=$(date +%s)
run "$LATDOC" diff --json "$DIFF/big-a.json" "$DIFF/big-b.json"
secs=$(($(date +%s) - start))
check "50,000 findings and VMs a side: compared in seconds ($secs s)" sh -c "[ $STATUS -eq 1 ] && [ $secs -lt 30 ] && jq -e '(.findings | length) == 50000 and ([.facts[] | select(.key | startswith(\"vm.\"))] | length) == 50000' '$OUT/stdout' >/dev/null"
rm -f "$DIFF"/big-*.json
