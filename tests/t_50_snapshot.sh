# snapshot: copy what check reads, then check the copy. Of a fixture root
# the findings must be identical to the letter; of this machine, the same
# findings and facts (minus counters that move between two reads).
rm -rf "$OUT/snap-fixture"
run "$LATDOC" snapshot -o "$OUT/snap-fixture" --root "$ROOTS/intel-pstate-powersave"
check "snapshot of a fixture: exit 0" test "$STATUS" -eq 0
check "snapshot keeps sysfs links as links" test -L "$OUT/snap-fixture/sys/devices/system/cpu/cpu0/cpufreq" -o -d "$OUT/snap-fixture/sys/devices/system/cpu/cpufreq/policy0"
check "snapshot writes its own note" grep -q "latdoc check --root DIR" "$OUT/snap-fixture/latdoc-snapshot.txt"
comparable='del(.host.root) | {findings, facts}'
check_json "$OUT/a.raw" --root "$ROOTS/intel-pstate-powersave" && jq -S "$comparable" "$OUT/a.raw" >"$OUT/a.json"
check_json "$OUT/b.raw" --root "$OUT/snap-fixture" && jq -S "$comparable" "$OUT/b.raw" >"$OUT/b.json"
if [ -s "$OUT/a.json" ] && diff -u "$OUT/a.json" "$OUT/b.json" >"$OUT/snap.diff"; then
	pass "snapshot of a fixture: facts and findings identical"
else
	fail "snapshot of a fixture: facts or findings differ" "$(head -30 "$OUT/snap.diff")"
fi

# The KVM fixtures: VMs from XML files and processes, guest devices behind
# sysfs links, and files only checked for existence must all survive.
for name in kvm-host proxmox-qemu guest-emulated; do
	rm -rf "$OUT/snap-$name"
	run "$LATDOC" snapshot -o "$OUT/snap-$name" --root "$ROOTS/$name"
	snap_status=$STATUS
	rm -f "$OUT/a.json" "$OUT/b.json"
	check_json "$OUT/a.raw" --root "$ROOTS/$name" && jq -S "$comparable" "$OUT/a.raw" >"$OUT/a.json"
	check_json "$OUT/b.raw" --root "$OUT/snap-$name" && jq -S "$comparable" "$OUT/b.raw" >"$OUT/b.json"
	STATUS=$snap_status
	if [ "$STATUS" -eq 0 ] && [ -s "$OUT/a.json" ] && diff -u "$OUT/a.json" "$OUT/b.json" >"$OUT/snap.diff"; then
		pass "snapshot of $name: facts and findings identical"
	else
		fail "snapshot of $name: exit $STATUS, or facts and findings differ" "$(head -30 "$OUT/snap.diff")"
	fi
done
# a file only checked for existence is kept empty: nova.conf holds passwords
rm -rf "$OUT/nova" "$OUT/snap-nova"
cp -a "$ROOTS/kvm-host" "$OUT/nova"
mkdir -p "$OUT/nova/etc/nova" && printf '[database]\nconnection = mysql://nova:s3cret@db/nova\n' >"$OUT/nova/etc/nova/nova.conf"
run "$LATDOC" snapshot -o "$OUT/snap-nova" --root "$OUT/nova"
check "snapshot keeps nova.conf, empty" test -f "$OUT/snap-nova/etc/nova/nova.conf" -a ! -s "$OUT/snap-nova/etc/nova/nova.conf"
check_json "$OUT/nova.json" --root "$OUT/snap-nova" &&
	check "snapshot of an OpenStack host still says openstack" jq -e '.facts.virt.manager == "openstack"' "$OUT/nova.json"

# This machine, live. Reads only; writes only under tests/out.
rm -rf "$OUT/snap-live"
run "$LATDOC" snapshot -o "$OUT/snap-live"
if [ "$STATUS" -ne 0 ] || ! sanitizer_clean; then
	fail "snapshot of this machine: exit $STATUS" "$(head -20 "$OUT/stderr")"
else
	pass "snapshot of this machine"
	# usage/time counters and steal move between two reads; the rest may not.
	# libvirt's API is asked only on the live machine: it is not a file.
	stable='del(.host.root, .host.live) | {findings: [.findings[] | {id, severity, subject, title}],
		facts: (.facts | del(.kernel.steal_pct, .virt.libvirt) | .cpus |= map(.idle_states |= map(del(.usage, .time_us))
		| del(.cpuinfo_mhz)) | .cpufreq.policies |= map(del(.cur_khz, .hw_cur_khz)))}'
	rm -f "$OUT/live.json" "$OUT/snap.json"
	check_json "$OUT/live.raw" && jq -S "$stable" "$OUT/live.raw" >"$OUT/live.json"
	check_json "$OUT/snap.raw" --root "$OUT/snap-live" && jq -S "$stable" "$OUT/snap.raw" >"$OUT/snap.json"
	if [ -s "$OUT/live.json" ] && diff -u "$OUT/live.json" "$OUT/snap.json" >"$OUT/snap-live.diff"; then
		pass "snapshot of this machine: same findings and facts as live"
	else
		fail "snapshot of this machine differs from live" "$(head -30 "$OUT/snap-live.diff")"
	fi
fi
