# Fixture roots: hand-made machines (tests/fixtures/overlays on base trees,
# composed into $ROOTS by run.sh), each with reviewed golden findings in
# tests/fixtures/expected/NAME.json; golden.sh says what they hold. The exit
# status must follow --fail-on. scripts/regen-golden.sh rewrites the goldens.
. tests/fixtures/golden.sh

for root in "$ROOTS"/*/; do
	name=$(basename "$root")
	expected=tests/fixtures/expected/$name.json
	run "$LATDOC" check --root "$root" --json
	if ! sanitizer_clean; then
		fail "$name: sanitizer report" "$(head -30 "$OUT/stderr")"
		continue
	fi
	if [ ! -f "$expected" ]; then
		fail "$name: no golden file $expected"
		continue
	fi
	golden_view <"$OUT/stdout" >"$OUT/$name.json"
	if diff -u "$expected" "$OUT/$name.json" >"$OUT/$name.diff"; then
		pass "$name: findings match the golden file"
	else
		fail "$name: findings differ from $expected" "$(head -40 "$OUT/$name.diff")"
	fi
	want=0
	jq -e '[.findings[] | select(.severity != "info")] | length > 0' "$expected" >/dev/null && want=1
	if [ "$STATUS" -eq "$want" ]; then
		pass "$name: exit $want"
	else
		fail "$name: exit $STATUS, expected $want"
	fi
	check "$name: JSON schema 1" jq -e '.schema == 1 and (.version | type == "string")' "$OUT/stdout"
	ids_known "$name"
done

# Each check id fires in some fixture, so each has a reviewed golden finding.
# The exceptions are ids that only a measurement can raise (a fixture root
# holds no measurement), one a line as "ID: why", e.g.
#   cpu.wake.slow: only `measure wake` sees a slow wake-up
MEASURED_ONLY='
cpu.cstate.cost: only check --measure sees what waking from idle costs where no deep state is visible
'
printf '%s\n' "$MEASURED_ONLY" | sed -n 's/^\([a-z_.]*\):.*/\1/p' | sort >"$OUT/ids.measured"
jq -r '.findings[].id' tests/fixtures/expected/*.json | sort -u >"$OUT/ids.fired"
silent=$(comm -23 "$(check_ids)" "$OUT/ids.fired" | comm -23 - "$OUT/ids.measured")
if [ -z "$silent" ]; then
	pass "every check id fires in a fixture"
else
	fail "check ids that fire in no fixture (add one, see tests/fixtures/README.md)" "$silent"
fi
check "the measured-only ids are check ids" test -z "$(comm -23 "$OUT/ids.measured" "$(check_ids)")"
check "the measured-only ids fire in no fixture: drop them from the list" \
	test -z "$(comm -12 "$OUT/ids.measured" "$OUT/ids.fired")"

# --fail-on moves the threshold: the tuned host is clean at any level, the
# pinned host fails even at critical, the guest's info fails only at info.
run "$LATDOC" check --root "$ROOTS/acpi-powersave-pinned" --fail-on critical
check "fail-on critical with a critical finding exits 1" test "$STATUS" -eq 1
run "$LATDOC" check --root "$ROOTS/intel-pstate-powersave" --fail-on critical
check "fail-on critical with only warnings exits 0" test "$STATUS" -eq 0
run "$LATDOC" check --root "$ROOTS/kvm-guest" --fail-on info
check "fail-on info with an info finding exits 1" test "$STATUS" -eq 1
run "$LATDOC" check --root "$ROOTS/tuned-clean" --fail-on info
check "a well-tuned host exits 0 at fail-on info" test "$STATUS" -eq 0

# --only runs one area
run "$LATDOC" check --root "$ROOTS/acpi-ondemand" --json --only mem
check "--only mem keeps only mem.* findings" jq -e '[.findings[].id] | length == 4 and all(startswith("mem."))' "$OUT/stdout"

# Every golden file belongs to a fixture
for expected in tests/fixtures/expected/*.json tests/fixtures/expected/*.txt; do
	name=$(basename "${expected%.*}")
	check "$expected: fixture $name exists" test -d "$ROOTS/$name"
done

# The text reports, reviewed once: the story's server
for expected in tests/fixtures/expected/*.txt; do
	name=$(basename "$expected" .txt)
	golden_text "$name" >"$OUT/stdout" 2>"$OUT/stderr"
	STATUS=$?
	if ! sanitizer_clean || [ "$STATUS" -gt 1 ]; then
		fail "$name: text report: exit $STATUS" "$(head -30 "$OUT/stderr")"
	elif diff -u "$expected" "$OUT/stdout" >"$OUT/text.diff"; then
		pass "$name: text report matches the golden file"
	else
		fail "$name: text report differs from $expected" "$(head -40 "$OUT/text.diff")"
	fi
done
run "$LATDOC" check --root "$ROOTS/acpi-powersave-pinned" --color never
check "text report has no colour when piped" sh -c "! grep -q \"$(printf '\033')\" '$OUT/stdout'"
run "$LATDOC" check --root "$ROOTS/acpi-powersave-pinned" --color always
check "--color always colours the severities" grep -q "$(printf '\033')\[1;31mCRITICAL" "$OUT/stdout"
if command -v script >/dev/null 2>&1; then
	script -qec "$LATDOC check --root '$ROOTS/acpi-powersave-pinned'" /dev/null >"$OUT/tty" 2>&1
	check "a terminal gets colour" grep -q "$(printf '\033')\[1;31m" "$OUT/tty"
	NO_COLOR=1 script -qec "$LATDOC check --root '$ROOTS/acpi-powersave-pinned'" /dev/null >"$OUT/tty" 2>&1
	check "NO_COLOR turns colour off on a terminal" sh -c "! grep -q \"$(printf '\033')\[1;3\" '$OUT/tty'"
else
	skip "colour on a terminal" "no script(1)"
fi

# Facts the findings rest on, read back from the JSON
run "$LATDOC" check --root "$ROOTS/kvm-guest" --json
check "guest: role, hypervisor and clocksource" jq -e '.host.platform.role == "guest" and .host.platform.hypervisor == "kvm" and .facts.kernel.clocksource == "kvm-clock"' "$OUT/stdout"
check "guest: steal time from /proc/stat" jq -e '.facts.kernel.steal_pct > 0.5 and .facts.kernel.steal_pct < 0.53' "$OUT/stdout"
run "$LATDOC" check --root "$ROOTS/pmqos-held" --json
check "PM QoS: held value and per-CPU limits read" jq -e '.facts.pm_qos.cpu_dma_latency_us == 0 and .facts.cpus[2].pm_qos_resume_latency_us == 50 and .facts.cpus[0].pm_qos_resume_latency_us == 0' "$OUT/stdout"
run "$LATDOC" check --root "$ROOTS/acpi-ondemand" --json
check "topology: 2 sockets, 2 NUMA nodes, CPU 5 on node 1" jq -e '.facts.cpu.sockets == 2 and .facts.cpu.numa_nodes == 2 and .facts.cpus[5].node == 1' "$OUT/stdout"
check "kernel parameters parsed" jq -e '.facts.kernel.params.root == "/dev/mapper/vg0-root" and .facts.kernel.params.ro == true' "$OUT/stdout"
run "$LATDOC" check --root "$ROOTS/firmware-pm" --json
check "firmware-pm: command-line caps shown as evidence" jq -e '.facts.kernel.params["intel_idle.max_cstate"] == "1"' "$OUT/stdout"

# A finding never contradicts its own evidence: every clock (MHz) and latency
# (us) its title and why quote is one its evidence shows (or within a range it
# shows), and a text that says "A of B MHz" of a clock at the top of its range
# is never more than info (a powersave whose minimum was raised to the maximum
# runs at full clock: issue 11's "2201 of 2201 MHz ... runs slow").
QUOTES='def nums(s): [s | scan("([0-9]+(?:\\.[0-9]+)?) ?(?:MHz|us)\\b") | .[0] | tonumber];
def ranges(s): [s | scan("([0-9]+)-([0-9]+) ?(?:MHz|us)\\b") | map(tonumber)];
.findings[] | . as $f
| ([.evidence[].value] | join(" ")) as $ev | nums($ev) as $en | ranges($ev) as $er
| (.title + " " + (.why // "")) as $text
| ([nums($text)[] | . as $n | select(($en | index($n)) == null
	and ([$er[] | select(.[0] <= $n and $n <= .[1])] | length) == 0)]) as $unquoted
| ([$text | scan("([0-9]+) of ([0-9]+) MHz") | map(tonumber) | select(.[0] >= 0.9 * .[1])]) as $at_top
| select(($unquoted | length) > 0 or (($at_top | length) > 0 and $f.severity != "info"))
| "\($f.id) on \($f.subject): quotes \($unquoted) not in its evidence; at the top \($at_top)"'
for root in "$ROOTS"/*/; do
	name=$(basename "$root")
	check_json "$OUT/quotes.json" --root "$root" || continue
	contradictions=$(jq -r "$QUOTES" "$OUT/quotes.json")
	if [ -z "$contradictions" ]; then
		pass "$name: every number a finding quotes is in its evidence"
	else
		fail "$name: findings that contradict their evidence" "$contradictions"
	fi
done
# the check itself catches what it is for
printf '%s' '{"findings":[{"id":"cpu.governor","subject":"cpus 0-3","severity":"critical","title":"governor powersave","why":"pins the clock at scaling_min_freq (2201 of 2201 MHz): every request runs slow","evidence":[{"source":"x","value":"2201 MHz (maximum 2201 MHz)"}]}]}' >"$OUT/quotes.json"
check "the evidence check flags a slow verdict on a clock at the top" sh -c "jq -r '$(printf '%s' "$QUOTES" | sed "s/'/'\\\\''/g")' '$OUT/quotes.json' | grep -q 'at the top \[\[2201,2201\]\]'"

# The distribution decides how a fix is made for good (os-release): Ubuntu's
# ondemand.service resets the governor after boot, GRUB is updated with
# update-grub on Debian and Ubuntu and with grubby on RHEL.
rm -rf "$OUT/ubuntu" && cp -a "$ROOTS/acpi-powersave-pinned" "$OUT/ubuntu"
mkdir -p "$OUT/ubuntu/etc" "$OUT/ubuntu/lib/systemd/system"
printf 'PRETTY_NAME="Ubuntu 22.04.4 LTS"\nID=ubuntu\nID_LIKE=debian\n' >"$OUT/ubuntu/etc/os-release"
: >"$OUT/ubuntu/lib/systemd/system/ondemand.service"
if check_json "$OUT/ubuntu.json" --root "$OUT/ubuntu"; then
	check "os-release: the distribution is named" jq -e '.host.os == "Ubuntu 22.04.4 LTS"' "$OUT/ubuntu.json"
	check "Ubuntu: ondemand.service disabled for good, with the governor" jq -e \
		'[.findings[] | select(.id == "cpu.governor") | .fix.actions[] | select(.kind == "service" and .target == "ondemand.service" and .want == "disabled" and .when == "persistent")] | length == 1' "$OUT/ubuntu.json"
	check "Ubuntu: the C-state cap goes in through update-grub" jq -e \
		'.findings[] | select(.id == "cpu.cstate.deep") | .fix.persistent | contains("/etc/default/grub.d/") and contains("update-grub") and (contains("grubby") | not)' "$OUT/ubuntu.json"
fi
printf 'PRETTY_NAME="Rocky Linux 9.3"\nID="rocky"\nID_LIKE="rhel centos fedora"\n' >"$OUT/ubuntu/etc/os-release"
rm "$OUT/ubuntu/lib/systemd/system/ondemand.service"
if check_json "$OUT/rocky.json" --root "$OUT/ubuntu"; then
	check "RHEL-like: grubby, and no ondemand.service to disable" jq -e \
		'(.findings[] | select(.id == "cpu.cstate.deep") | .fix.persistent | contains("grubby --update-kernel=ALL") and (contains("update-grub") | not)) and ([.findings[].fix.actions[] | select(.target == "ondemand.service")] == [])' "$OUT/rocky.json"
fi

# Text fits 80 columns (issue 11): every line of every fixture's report, but
# a single word that cannot be broken (a long sysfs path), with COLUMNS=80.
for root in "$ROOTS"/*/; do
	name=$(basename "$root")
	COLUMNS=80 run "$LATDOC" check --root "$root" --color never
	wide=$(awk 'length > 80 { line = $0; sub(/^ +/, "", line); if (line ~ / /) print length ": " $0 }' "$OUT/stdout")
	if [ "$STATUS" -le 1 ] && [ -z "$wide" ]; then
		pass "$name: the text report fits 80 columns"
	else
		fail "$name: exit $STATUS, or lines wider than 80 columns" "$wide"
	fi
done
