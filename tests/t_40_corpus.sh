# The real corpus: every machine dump in ../shared/corpus/sysroots goes
# through check with no crash and no sanitizer report, and agrees with
# lscpu --sysroot on the CPU count and model name, and with the dump's own
# files on the governor.
SYSROOTS=$CORPUS/sysroots
if [ ! -d "$SYSROOTS" ]; then
	skip "corpus" "no $SYSROOTS"
else
	agree=0 total=0
	for dump in "$SYSROOTS"/*/; do
		name=$(basename "$dump")
		total=$((total + 1))
		run "$LATDOC" check --root "$dump" --json
		if [ "$STATUS" -gt 1 ] || ! sanitizer_clean; then
			fail "corpus $name: exit $STATUS" "$(head -20 "$OUT/stderr")"
			continue
		fi
		pass "corpus $name: audited"
		check "corpus $name: no problems reported" jq -e '.problems == []' "$OUT/stdout"
		ids_known "corpus $name"

		ours=$(jq -r '.facts.cpu.count' "$OUT/stdout")
		theirs=$(lscpu --sysroot "$dump" 2>/dev/null | sed -n 's/^CPU(s): *//p')
		if [ "$ours" = "$theirs" ]; then
			pass "corpus $name: $ours CPUs, as lscpu says"
		else
			fail "corpus $name: $ours CPUs, lscpu says $theirs"
		fi

		# lscpu decodes Arm part numbers into names of its own; where it
		# prints the kernel's own model string, ours must be the same
		arch=$(jq -r '.facts.cpu.arch' "$OUT/stdout")
		ours=$(jq -r '.facts.cpu.model_name // "-"' "$OUT/stdout")
		theirs=$(lscpu --sysroot "$dump" 2>/dev/null | sed -n 's/^Model name: *//p' | head -1)
		if [ "$arch" = arm ] || [ -z "$theirs" ] || [ "$theirs" = "-" ]; then
			:
		elif [ "$ours" = "$theirs" ]; then
			agree=$((agree + 1))
			pass "corpus $name: model '$ours', as lscpu says"
		else
			fail "corpus $name: model '$ours', lscpu says '$theirs'"
		fi

		gov=$dump/sys/devices/system/cpu/cpufreq/policy0/scaling_governor
		[ -f "$gov" ] || gov=$dump/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor
		if [ -f "$gov" ]; then
			want=$(cat "$gov")
			check "corpus $name: governor $want as the dump says" \
				jq -e --arg g "$want" '.facts.cpufreq.policies[0].governor == $g' "$OUT/stdout"
		fi
	done
	echo "corpus: $total dumps audited, $agree model names compared with lscpu and equal"
fi

# What the corpus machines must be found to be (reviewed by hand)
expect_ids() {
	run "$LATDOC" check --root "$SYSROOTS/$1" --json
	got=$(jq -r '[.findings[] | .id + ":" + .severity] | join(" ")' "$OUT/stdout")
	if [ "$got" = "$2" ]; then
		pass "corpus $1: findings $2"
	else
		fail "corpus $1: findings '$got', expected '$2'"
	fi
}
if [ -d "$SYSROOTS" ]; then
	expect_ids x86_64-64cpu "cpu.freq.low:warning cpu.governor:warning"
	expect_ids x86_64-64cpu-linux6.2 "cpu.governor:warning cpu.epp:warning cpu.cstate.deep:warning"
	expect_ids x86_64-epyc_7451 "cpu.cstate.deep:warning"
	# a VirtualBox guest: the clock figures are not the host's, so no cpu.freq.low
	expect_ids vbox-win "cpu.governor:warning"
	expect_ids s390-zvm ""
	run "$LATDOC" check --root "$SYSROOTS/vbox-win" --json
	check "corpus vbox-win: a VirtualBox guest, from its PCI ids" jq -e '.host.platform.role == "guest" and .host.platform.hypervisor == "virtualbox"' "$OUT/stdout"
	run "$LATDOC" check --root "$SYSROOTS/s390-kvm" --json
	check "corpus s390-kvm: a KVM guest, from /proc/sysinfo" jq -e '.host.platform.hypervisor == "kvm"' "$OUT/stdout"
fi
