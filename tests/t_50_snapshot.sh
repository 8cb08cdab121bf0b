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
# LeakSanitizer's own tracer (it stops the process to scan it at exit)
# dies of SIGSEGV at times, in the tracer thread, with no leak found: on
# this machine's kernel 0 of 100 runs from a shell, but in some runs of
# this script every try (with LSAN_OPTIONS=verbosity=1 never). That is the
# test tool failing, not latdoc: the snapshot is taken again, said, without
# leak detection; the snapshots of the fixture roots above are leak-checked
# through the same code.
if [ "$STATUS" -eq 99 ] && grep -q 'LeakSanitizer has encountered a fatal error' "$OUT/stderr" &&
	! grep -q 'ERROR: LeakSanitizer: detected memory leaks' "$OUT/stderr"; then
	echo "note - snapshot of this machine: LeakSanitizer's tracer died; taken again without leak detection"
	rm -rf "$OUT/snap-live"
	run env "ASAN_OPTIONS=$ASAN_OPTIONS:detect_leaks=0" "$LATDOC" snapshot -o "$OUT/snap-live"
fi
if [ "$STATUS" -ne 0 ] || ! sanitizer_clean; then
	fail "snapshot of this machine: exit $STATUS" "$(cat "$OUT/stderr" | head -30)"
else
	pass "snapshot of this machine"
	# usage/time counters and steal move between two reads; the rest may not.
	# libvirt's API is asked only on the live machine: it is not a file.
	# A PM QoS request held by any process between the two reads (a
	# cyclictest, tuned, a measuring run) moves the global limit and what the
	# idle-state findings say of it: that is the machine changing, not the
	# snapshot differing, and the fixture tests above hold those exactly.
	stable='del(.host.root, .host.live) | {findings: [.findings[] | select(.id | startswith("cpu.pm_qos") or . == "cpu.cstate.deep" | not) | {id, severity, subject, title}],
		facts: (.facts | del(.kernel.steal_pct, .virt.libvirt, .pm_qos) | .cpus |= map(.idle_states |= map(del(.usage, .time_us))
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

# A snapshot leaves the machine: secret values are redacted (and said so),
# the rest of what the audit needs kept, and no file or directory is wider
# than it was. The root is the kvm-host fixture with secrets added to its
# QEMU command line and domain XML, and a 0600 XML in a 0700 directory.
SEC=$OUT/secrets
rm -rf "$SEC" "$OUT/snap-sec" "$OUT/snap-sec.tgz" && cp -a "$ROOTS/kvm-host" "$SEC"
{
	cat "$ROOTS/kvm-host/proc/4242/cmdline"
	printf '%s\0' -object 'secret,id=sec0,data=S3CRET-DATA,format=base64' \
		-object '{"qom-type":"secret","id":"sec1","data":"S3CRET-JSON"}' \
		-drive 'file=rbd:pool/img:id=admin:key=S3CRET-RBD:conf=/etc/ceph/ceph.conf,if=none,id=d1' \
		-spice 'port=5900,password=S3CRET-SPICE' -vnc ':1,password=on' -vnc ':2,password=S3CRET-VNC' \
		-drive 'file=http://user:S3CRET-URL@host/img.raw,if=none,id=d2'
} >"$SEC/proc/4242/cmdline.new" && mv "$SEC/proc/4242/cmdline.new" "$SEC/proc/4242/cmdline"
sed -i "s|</devices>|<graphics type='vnc' port='-1' passwd='S3CRET-XML'/></devices>|; s|</domain>|<qemu:commandline xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'><qemu:arg value='-object'/><qemu:arg value='secret,id=x,data=S3CRET-QARG'/></qemu:commandline></domain>|" "$SEC/etc/libvirt/qemu/web01.xml"
chmod 0600 "$SEC/etc/libvirt/qemu/web01.xml" && chmod 0700 "$SEC/etc/libvirt/qemu"
for out in "$OUT/snap-sec" "$OUT/snap-sec.tgz"; do
	what=${out##*/}
	run "$LATDOC" snapshot --root "$SEC" -o "$out"
	if [ "$STATUS" -ne 0 ] || ! sanitizer_clean; then
		fail "$what of a root with secrets: exit $STATUS" "$(head -5 "$OUT/stderr")"
		continue
	fi
	check "$what says what it redacted" grep -q 'redacted 8 secret values' "$OUT/stderr"
	check "$what names the files and kinds" grep -q 'proc/4242/cmdline (secret data, rbd key, password, URL password)' "$OUT/stderr"
	check "$what says what it left out" grep -q 'left out: every file check does not read' "$OUT/stderr"
	if [ -d "$out" ]; then tree=$out; else tree=$OUT/snap-sec-x; rm -rf "$tree"; mkdir -p "$tree"; tar -C "$tree" -xzf "$out"; fi
	check "$what holds no secret" sh -c "! grep -rq S3CRET '$tree'"
	check "$what keeps a switch that is no secret (-vnc :1,password=on)" sh -c "tr '\0' '\n' <'$tree/proc/4242/cmdline' | grep -qx ':1,password=on'"
	check "$what marks each value" sh -c "[ \$(tr '\0' '\n' <'$tree/proc/4242/cmdline' | grep -o latdoc-redacted | wc -l) -eq 6 ]"
	check "$what lists its redactions in its note" grep -q 'etc/libvirt/qemu/web01.xml (graphics passwd, secret data)' "$tree/latdoc-snapshot.txt"
	check "$what: a 0600 file stays 0600" sh -c "[ \$(stat -c %a '$tree/etc/libvirt/qemu/web01.xml') = 600 ]"
	check "$what: in a directory no wider than the source's (0700)" sh -c "[ \$(stat -c %a '$tree/etc/libvirt/qemu') = 700 ]"
	check "$what: a 0644 file stays readable" sh -c "[ \$(stat -c %a '$tree/etc/libvirt/qemu/db01.xml') = 644 ]"
	rm -f "$OUT/a.json" "$OUT/b.json"
	check_json "$OUT/a.raw" --root "$SEC" && jq -S "$comparable" "$OUT/a.raw" >"$OUT/a.json"
	check_json "$OUT/b.raw" --root "$out" && jq -S "$comparable" "$OUT/b.raw" >"$OUT/b.json"
	if [ -s "$OUT/a.json" ] && diff -u "$OUT/a.json" "$OUT/b.json" >"$OUT/snap.diff"; then
		pass "$what audits as the original: redaction keeps what the audit needs"
	else
		fail "$what audits otherwise than the original" "$(head -30 "$OUT/snap.diff")"
	fi
done

# live: nothing in the copy is world-readable that was not on the machine
if [ -d "$OUT/snap-live" ] && [ "$(id -u)" -eq 0 ]; then
	wider=$(cd "$OUT/snap-live" && find . -type f -perm -o=r ! -name latdoc-snapshot.txt | while read -r f; do
		src=/${f#./}
		[ -e "$src" ] && ! [ "$(stat -c %A "$src" | cut -c8)" = r ] && echo "$f"
	done | head -5)
	check "snapshot of this machine: no file world-readable that was not${wider:+ ($wider)}" test -z "$wider"
fi

# A process's open files are looked at for one name each (the PM QoS
# device, /dev/vhost-net): a snapshot keeps those links and none of the
# others, which name whatever the process has open.
for case in "pmqos-held proc/3311/fd" "kvm-host-shared proc/5101/fd" "kvm-host-live proc/6201/fd"; do
	set -- $case
	rm -rf "$OUT/snap-fd"
	run "$LATDOC" snapshot -o "$OUT/snap-fd" --root "$ROOTS/$1"
	kept=$(cd "$OUT/snap-fd/$2" 2>/dev/null && ls | tr '\n' ' ')
	want=$(cd "$ROOTS/$1/$2" && for l in *; do
		case $(readlink "$l") in /dev/cpu_dma_latency | /dev/vhost-net) printf '%s ' "$l" ;; esac
	done)
	check "snapshot of $1 keeps only the fd links check looks for (${kept:-none} of $(ls "$ROOTS/$1/$2" | wc -l))" \
		sh -c "[ $STATUS -eq 0 ] && [ '$kept' = '$want' ]"
	if [ "$1" = kvm-host-shared ] && check_json "$OUT/held.json" --root "$OUT/snap-fd"; then
		check "the snapshot still tells the vhost descriptors" \
			jq -e '[.facts.virt.vms[] | select(.vhost_fds != null and .vhost_fds > 0)] | length > 0' "$OUT/held.json"
	fi
done
