# tune, revert and hold, on copies of the fixture roots (--root): nothing
# here changes this machine's settings. make test-live is the opt-in test
# on this machine (tests/live.sh).
# The copies live on tmpfs where there is one: every journal record is
# fsynced, and on a disk the hundreds of runs below would wait minutes on it.
T=$OUT/tune
[ -d /dev/shm ] && [ -w /dev/shm ] && T=/dev/shm/latdoc-t80.$$
rm -rf "$T" && mkdir -p "$T"

# listing DIR: each path with its type, mode and link target, the journal
# directory and the directories made to hold it aside
listing() {
	(cd "$1" && find . -printf '%y %m %p %l\n' | LC_ALL=C sort |
		grep -v -e ' \./var/lib/latdoc' -e '^d [0-7]* \./var/lib $' -e '^d [0-7]* \./var $')
}

# same_tree ORIG COPY: the same bytes, modes and links, the journal aside
same_tree() {
	listing "$1" >"$T/a.lst"
	listing "$2" >"$T/b.lst"
	diff -r --no-dereference -x latdoc "$1" "$2" >"$T/tree.diff" 2>&1
	d=$?
	grep -v -e "^Only in $2: var$" -e "^Only in $2/var: lib$" "$T/tree.diff" >"$T/tree.diff2"
	[ "$d" -eq 0 ] || [ ! -s "$T/tree.diff2" ] || return 1
	diff "$T/a.lst" "$T/b.lst" >>"$T/tree.diff2"
}

# copy NAME DIR: a fresh writable copy of fixture NAME at DIR
copy() {
	rm -rf "$2" && cp -a "$ROOTS/$1" "$2"
}

# tune_ok WHAT ARGS...: latdoc ARGS exits 0 without a sanitizer report
tune_ok() {
	what=$1; shift
	run "$LATDOC" "$@"
	if [ "$STATUS" -eq 0 ] && sanitizer_clean; then
		pass "$what"
	else
		fail "$what: exit $STATUS" "$(cat "$OUT/stderr" "$OUT/stdout" | head -20)"
	fi
}

# --- every fixture: plan, apply, check, plan again, revert --------------
for root in "$ROOTS"/*/; do
	name=$(basename "$root")
	c=$T/$name
	copy "$name" "$c"
	run "$LATDOC" tune --root "$c" --json
	if [ "$STATUS" -gt 1 ] || ! sanitizer_clean; then
		fail "$name: plan: exit $STATUS" "$(head -20 "$OUT/stderr")"
		continue
	fi
	cp "$OUT/stdout" "$T/$name.plan"
	if same_tree "$ROOTS/$name" "$c" && [ ! -e "$c/var/lib/latdoc" ]; then
		pass "$name: the plan changes nothing"
	else
		fail "$name: the plan changed the root" "$(cat "$T/tree.diff2")"
	fi
	n=$(jq '.plan | length' "$T/$name.plan")
	if { [ "$n" -eq 0 ] && [ "$STATUS" -eq 0 ]; } || { [ "$n" -gt 0 ] && [ "$STATUS" -eq 1 ]; }; then
		pass "$name: the plan exits 1 exactly when it has changes ($n)"
	else
		fail "$name: plan of $n changes exited $STATUS"
	fi
	# the findings the plan fixes: every runtime change of theirs applies
	jq -r '[.plan[] | select(.when == "runtime") | {f: .fixes[], ok: (.state == "applies")}]
		| group_by(.f) | map(select(all(.ok))) | .[][0].f' "$T/$name.plan" | sort -u >"$T/$name.fixed"
	made=$(jq '[.plan[] | select(.state == "applies")] | length' "$T/$name.plan")
	tune_ok "$name: tune --apply --persist" tune --root "$c" --apply --persist
	if [ "$made" -eq 0 ]; then
		check "$name: nothing to make, so no journal" test ! -e "$c/var/lib/latdoc"
		continue
	fi
	run "$LATDOC" check --root "$c" --json
	jq -r '.findings[].id' "$OUT/stdout" | sort -u >"$T/$name.after"
	left=$(comm -12 "$T/$name.fixed" "$T/$name.after")
	if [ "$STATUS" -le 1 ] && [ -z "$left" ]; then
		pass "$name: check after apply has none of the findings the plan fixed"
	else
		fail "$name: still found after apply (exit $STATUS)" "$left"
	fi
	run "$LATDOC" tune --root "$c" --json
	if jq -e '[.plan[] | select(.state == "applies")] == []' "$OUT/stdout" >/dev/null; then
		pass "$name: a second plan has nothing tune makes here"
	else
		fail "$name: a second plan still applies" "$(jq -c '.plan[] | select(.state == "applies") | .change' "$OUT/stdout" | head)"
	fi
	if jq -e '[.plan[] | select(.state != "applies")] == []' "$T/$name.plan" >/dev/null; then
		check "$name: a second plan is empty, exit 0" test "$(jq '.plan | length' "$OUT/stdout")" -eq 0 -a "$STATUS" -eq 0
	fi
	tune_ok "$name: revert --last" revert --root "$c" --last
	if same_tree "$ROOTS/$name" "$c"; then
		pass "$name: revert leaves the tree as it was (bytes, modes, links)"
	else
		fail "$name: the tree differs after revert" "$(cat "$T/tree.diff2")"
	fi
	run "$LATDOC" revert --root "$c" --last
	check "$name: a second revert restores nothing and exits 0" \
		sh -c "[ $STATUS -eq 0 ] && grep -q ' 0 restored' '$OUT/stdout'"
done

# --- a crash at every write, then revert --------------------------------
# --only mem on acpi-ondemand: THP, KSM, two sysctls, two new files in new
# directories; LATDOC_FAULT_AT=N kills tune with SIGKILL at the Nth journal
# record or write.
crash_points=0 bad=""
for n in $(seq 1 80); do
	c=$T/crash
	copy acpi-ondemand "$c"
	LATDOC_FAULT_AT=$n timeout 60 "$LATDOC" tune --root "$c" --only mem --apply --persist \
		>"$OUT/stdout" 2>"$OUT/stderr"
	st=$?
	if [ "$st" -ne 137 ]; then
		[ "$st" -eq 0 ] || bad="$bad tune-exit-$st@$n"
		break
	fi
	crash_points=$((crash_points + 1))
	run "$LATDOC" revert --root "$c" --last
	if [ "$STATUS" -ne 0 ] || ! sanitizer_clean || ! same_tree "$ROOTS/acpi-ondemand" "$c"; then
		bad="$bad $n"
		cp "$OUT/stdout" "$T/crash-$n.out"
	fi
done
if [ "$crash_points" -ge 20 ] && [ -z "$bad" ]; then
	pass "a crash at each of $crash_points points of tune: revert restores every value"
else
	fail "crash points: $crash_points; revert failed after:$bad"
fi

# and a revert killed at each point, run again
crash_points=0 bad=""
for n in $(seq 1 80); do
	c=$T/crash
	copy acpi-ondemand "$c"
	"$LATDOC" tune --root "$c" --only mem --apply --persist >/dev/null 2>&1
	LATDOC_FAULT_AT=$n timeout 60 "$LATDOC" revert --root "$c" --last >"$OUT/stdout" 2>"$OUT/stderr"
	st=$?
	[ "$st" -eq 137 ] || break
	crash_points=$((crash_points + 1))
	run "$LATDOC" revert --root "$c" --last
	if [ "$STATUS" -ne 0 ] || ! same_tree "$ROOTS/acpi-ondemand" "$c"; then
		bad="$bad $n"
	fi
done
if [ "$crash_points" -ge 10 ] && [ -z "$bad" ]; then
	pass "a revert killed at each of $crash_points points: run again, it finishes the job"
else
	fail "revert crash points: $crash_points; failed after:$bad"
fi
run "$LATDOC" tune --root "$c" --list
check "tune --list says the crashed revert finished on its second run" grep -q 'reverted' "$OUT/stdout"

# --- drift: a value changed since is refused, the rest restored ----------
c=$T/drift
copy acpi-ondemand "$c"
"$LATDOC" tune --root "$c" --only mem --apply >/dev/null 2>&1
echo 30 >"$c/proc/sys/vm/swappiness"
run "$LATDOC" revert --root "$c" --last
check "drift: revert exits 1" test "$STATUS" -eq 1
check "drift: the changed value is refused and named" grep -q 'refused  /proc/sys/vm/swappiness: it is 30 now' "$OUT/stdout"
check "drift: the changed value is kept" grep -qx 30 "$c/proc/sys/vm/swappiness"
check "drift: the others are restored" grep -q '^\[always\] madvise never$' "$c/sys/kernel/mm/transparent_hugepage/enabled"
check "drift: stderr says --force restores it" grep -q -- '--force restores it' "$OUT/stderr"
run "$LATDOC" revert --root "$c" --last --force
check "drift: --force restores it, exit 0" sh -c "[ $STATUS -eq 0 ] && grep -qx 60 '$c/proc/sys/vm/swappiness'"
check "drift: after --force the tree is as it was" same_tree "$ROOTS/acpi-ondemand" "$c"

# --- a reboot: runtime values back by themselves, the journal kept -------
c=$T/reboot
copy acpi-ondemand "$c"
mkdir -p "$c/proc/sys/kernel/random"
echo 11111111-1111-1111-1111-111111111111 >"$c/proc/sys/kernel/random/boot_id"
cp -a "$c" "$T/reboot.orig"
"$LATDOC" tune --root "$c" --only mem --apply --persist >/dev/null 2>&1
for f in sys/kernel/mm/transparent_hugepage/enabled sys/kernel/mm/transparent_hugepage/defrag \
	sys/kernel/mm/ksm/run proc/sys/kernel/numa_balancing proc/sys/vm/swappiness; do
	cp "$T/reboot.orig/$f" "$c/$f"
done
echo 22222222-2222-2222-2222-222222222222 >"$c/proc/sys/kernel/random/boot_id"
echo 22222222-2222-2222-2222-222222222222 >"$T/reboot.orig/proc/sys/kernel/random/boot_id"
run "$LATDOC" revert --root "$c" --last
check "reboot: revert exits 0" test "$STATUS" -eq 0
check "reboot: it says the machine has booted since" grep -q 'booted since' "$OUT/stdout"
check "reboot: runtime values are already back" grep -q 'already  /proc/sys/vm/swappiness' "$OUT/stdout"
check "reboot: the persistent files are removed" sh -c "grep -q 'removed  /etc/sysctl.d/90-latdoc.conf' '$OUT/stdout' && [ ! -e '$c/etc/sysctl.d' ]"
check "reboot: the tree is as it was" same_tree "$T/reboot.orig" "$c"

# --- errors --------------------------------------------------------------
# a target that is a link: never written through, wherever it points
c=$T/link
copy acpi-ondemand "$c"
mkdir -p "$T/outside" "$c$T/outside"
echo 1 >"$T/outside/run"
echo 1 >"$c$T/outside/run"
rm "$c/sys/kernel/mm/ksm/run"
ln -s "$T/outside/run" "$c/sys/kernel/mm/ksm/run"
run "$LATDOC" tune --root "$c" --only mem.ksm --apply
check "a target that is a link: exit 2" test "$STATUS" -eq 2
check "a target that is a link: the error names it" grep -q 'sys/kernel/mm/ksm/run: it is a symbolic link' "$OUT/stderr"
check "a target that is a link: the file outside the root is untouched" grep -qx 1 "$T/outside/run"
check "a target that is a link: the file it names inside the root too" grep -qx 1 "$c$T/outside/run"

# a read-only file system: the error names the target, and what was made
# before it stays in the journal
if unshare -m true 2>/dev/null; then
	c=$T/ro
	copy acpi-ondemand "$c"
	unshare -m sh -c "mount --bind -o ro '$c/proc/sys' '$c/proc/sys' && exec '$LATDOC' tune --root '$c' --only mem --apply" \
		>"$OUT/stdout" 2>"$OUT/stderr"
	st=$?
	check "read-only target: exit 2" test "$st" -eq 2
	check "read-only target: the error names it and says why" grep -q 'to /proc/sys/kernel/numa_balancing: read-only file system' "$OUT/stderr"
	check "read-only target: what was made before stays for revert" grep -q 'latdoc revert --last undoes them' "$OUT/stderr"
	run "$LATDOC" revert --root "$c" --last
	check "read-only target: revert restores what was made" sh -c "[ $STATUS -eq 0 ] && grep -q '^\[always\]' '$c/sys/kernel/mm/transparent_hugepage/enabled'"
	check "read-only target: then the tree is as it was" same_tree "$ROOTS/acpi-ondemand" "$c"
else
	skip "read-only target" "no mount namespace here (unshare -m)"
fi

# two at once: the lock is held
c=$T/lock
copy acpi-ondemand "$c"
mkdir -p -m 700 "$c/var/lib/latdoc"
: >"$c/var/lib/latdoc/lock"
flock "$c/var/lib/latdoc/lock" "$LATDOC" tune --root "$c" --apply >"$OUT/stdout" 2>"$OUT/stderr"
st=$?
check "two at once: the second exits 2" test "$st" -eq 2
check "two at once: it says another is running" grep -q 'another latdoc tune or revert is running' "$OUT/stderr"
check "two at once: nothing was changed" grep -q '^ondemand$' "$c/sys/devices/system/cpu/cpufreq/policy0/scaling_governor"
flock "$c/var/lib/latdoc/lock" "$LATDOC" revert --root "$c" --last >"$OUT/stdout" 2>"$OUT/stderr"
check "two at once: revert waits for no one either" grep -q 'another latdoc tune or revert is running' "$OUT/stderr"

# a device or a FIFO where the journal's lock goes: looked at, never opened
# (a dump's node of /dev/watchdog opened would start the watchdog). A FIFO
# with a reader waiting shows an open: the reader's own open returns.
c=$T/fifo
copy acpi-ondemand "$c"
mkdir -p -m 700 "$c/var/lib/latdoc"
mkfifo -m 600 "$c/var/lib/latdoc/lock"
rm -f "$T/fifo.opened"
(cat "$c/var/lib/latdoc/lock" >/dev/null && : >"$T/fifo.opened") &
reader=$!
sleep 0.3
expect_usage_error "a FIFO for the journal's lock: refused" "cannot open the lock" \
	tune --root "$c" --only mem --apply
sleep 0.3
check "a FIFO for the journal's lock: never opened" test ! -e "$T/fifo.opened"
# the reader is let go: one writer's open and close
timeout 5 sh -c ": >'$c/var/lib/latdoc/lock'"
wait "$reader"
check "a FIFO for the journal's lock: nothing was changed" same_tree "$ROOTS/acpi-ondemand" "$c"

# a journal under another root that names a module or a domain: revert
# --root acts on that root alone, never on this machine's kernel (modprobe
# -r) or on the libvirt the journal names
if unshare -m true 2>/dev/null; then
	c=$T/foreign
	copy acpi-ondemand "$c"
	mkdir -p -m 700 "$c/var/lib/latdoc" "$c/sys/module/vhost_net"
	j=tune-20260101T000000Z-01.journal
	{
		echo '{"journal":"latdoc","format":1,"command":"tune --apply","root":"/","started":"2026-01-01T00:00:00Z"}'
		echo '{"seq":1,"op":"module","path":"vhost_net","old":null,"new":"loaded"}'
		echo '{"done":1,"wrote":true}'
		echo '{"end":"ok"}'
	} >"$c/var/lib/latdoc/$j"
	chmod 600 "$c/var/lib/latdoc/$j"
	printf '#!/bin/sh\necho "$@" >>%s\n' "$T/modprobe.ran" >"$T/modprobe"
	chmod 755 "$T/modprobe"
	rm -f "$T/modprobe.ran"
	# this machine's modprobe, as revert would find it, is the stand-in
	unshare -m sh -c "mount -t tmpfs tmpfs /usr/sbin && cp '$T/modprobe' /usr/sbin/modprobe && exec '$LATDOC' revert --root '$c' --last" \
		>"$OUT/stdout" 2>"$OUT/stderr"
	check "a module in another root's journal: this machine's modprobe is not run" test ! -e "$T/modprobe.ran"
	check "a module in another root's journal: revert says it is this machine's alone" \
		grep -q 'module vhost_net: .*only with the root /' "$OUT/stdout"
else
	skip "a module in another root's journal" "no mount namespace here (unshare -m)"
fi

# journals that are not whole, or not latdoc's
c=$T/journals
copy acpi-ondemand "$c"
"$LATDOC" tune --root "$c" --only mem --apply >/dev/null 2>&1
j=$(ls "$c/var/lib/latdoc/"*.journal)
size=$(wc -c <"$j")
head -c $((size - 5)) "$j" >"$T/cut" && cat "$T/cut" >"$j"
run "$LATDOC" revert --root "$c" --last
check "a journal cut short in its last record: revert says so and restores the rest" \
	sh -c "[ $STATUS -eq 0 ] && grep -q 'cut short' '$OUT/stdout'"
# revert appends to the journal: after the torn record it would be a damaged
# line in the middle, and the journal could be read no more
run "$LATDOC" revert --root "$c" --last
check "a journal cut short: revert again reads it, and finds nothing to restore" \
	sh -c "[ $STATUS -eq 0 ] && grep -q ' 0 restored' '$OUT/stdout'"
run "$LATDOC" tune --root "$c" --list
check "a journal cut short: tune --list reads it after the revert, reverted" \
	sh -c "[ $STATUS -eq 0 ] && grep -q 'reverted' '$OUT/stdout'"
jname=$(basename "$j")
printf 'hello\nworld\n' >"$c/var/lib/latdoc/tune-foreign.journal"
chmod 600 "$c/var/lib/latdoc/tune-foreign.journal"
expect_usage_error "a file that is not a journal: exit 2" "tune-foreign.journal is not a latdoc journal" \
	revert --root "$c" tune-foreign.journal
head -c 30 "$j" >"$c/var/lib/latdoc/tune-half.journal"
chmod 600 "$c/var/lib/latdoc/tune-half.journal"
expect_usage_error "a journal cut short in its header: exit 2" "is not a latdoc journal" \
	revert --root "$c" tune-half.journal
{ head -n 2 "$j"; echo 'garbage'; tail -n +3 "$j"; } >"$c/var/lib/latdoc/tune-damaged.journal"
chmod 600 "$c/var/lib/latdoc/tune-damaged.journal"
expect_usage_error "a journal damaged in the middle: exit 2, with the line" "damaged at line 3" \
	revert --root "$c" tune-damaged.journal
{ head -n 1 "$j"; echo '{"seq":1,"op":"set","path":"etc/shadow","old":"x","new":"y"}'; } \
	>"$c/var/lib/latdoc/tune-shadow.journal"
chmod 600 "$c/var/lib/latdoc/tune-shadow.journal"
expect_usage_error "a journal that names a file tune never writes: refused" \
	"names etc/shadow, which is not something latdoc changes" revert --root "$c" tune-shadow.journal
chmod 666 "$j"
expect_usage_error "a journal others may write: refused" "not this user's alone" revert --root "$c" "$jname"
chmod 600 "$j"
expect_usage_error "a journal named by a path elsewhere: refused" "is not in" revert --root "$c" "$T/cut"
expect_usage_error "revert with neither a journal nor --last" "name one journal, or --last" revert --root "$c"
expect_usage_error "revert with both" "name one journal, or --last" revert --root "$c" --last "$jname"
rm -rf "$T/empty" && mkdir -p "$T/empty" && machine_skeleton "$T/empty"
expect_usage_error "revert --last with no journal" "no journal in" revert --root "$T/empty" --last
check "revert with nothing to undo makes no journal directory" test ! -e "$T/empty/var"

# an archive is read, never written
tar czf "$T/web12.tgz" -C "$ROOTS/acpi-powersave-pinned" .
run "$LATDOC" tune --root "$T/web12.tgz"
check "an archive: the plan is made from it" sh -c "[ $STATUS -eq 1 ] && grep -q 'scaling_governor: powersave -> performance' '$OUT/stdout'"
expect_usage_error "an archive: tune --apply refuses it" "is an archive, which is read, never written" \
	tune --root "$T/web12.tgz" --apply
expect_usage_error "an archive: revert refuses it" "is an archive, which is read, never written" \
	revert --root "$T/web12.tgz" --last

# usage
expect_usage_error "--prove without --apply" "--prove measures before and after --apply" tune --prove
expect_usage_error "--prove on another machine's root" "--prove measures this machine" \
	tune --root "$ROOTS/acpi-ondemand" --apply --prove
expect_usage_error "--vm without --apply" "--vm NAME defines a domain with --apply" tune --vm web01
expect_usage_error "--vm on a dump without --connect" "needs --connect URI" \
	tune --root "$ROOTS/kvm-host" --apply --vm web01
expect_usage_error "--only that names no check" "--only: no check id starts so" tune --only nosuch
expect_usage_error "--cstates of another way" "cstates" tune --cstates sometimes

# VMs: the plan says how to fix what tune does not make; --vm through
# libvirt's test driver (the domain changes themselves are unit-tested in
# tests/unit/test_tune.c with hand-made actions)
c=$T/vm
copy kvm-host "$c"
run "$LATDOC" tune --root "$c" --json
check "kvm-host: each domain's XML changes are in the plan, for --vm" \
	jq -e '[.plan[] | select(.kind == "libvirt-domain" and .target == "web01" and .key == "/domain/devices/disk[target/@dev='"'hda'"']/target/@bus") | .state] == ["needs --vm"]' "$OUT/stdout"
run "$LATDOC" tune --root "$ROOTS/kvm-host-pending"
check "a domain to start again with its definition: the plan leaves it to its owner" \
	grep -q 'start it)  (vm.config.pending; .*): tune does not restart a domain' "$OUT/stdout"
tune_ok "tune --apply --vm through libvirt's test driver" \
	tune --root "$c" --connect "test://$PWD/tests/fixtures/libvirt/node.xml" --apply --vm shop01
check "--vm: the domain is defined anew, from its next start" \
	sh -c "grep -q 'defined  domain shop01' '$OUT/stdout' && grep -q 'takes effect at its next start' '$OUT/stdout'"
check "--vm: no word of runtime changes that were not made" sh -c "! grep -q 'last until the next boot' '$OUT/stdout'"
# a journal under another root names its own libvirt: revert there takes
# the URI from --connect alone, as --vm does
run "$LATDOC" revert --root "$c" --last
check "--vm: revert under another root without --connect names what it needs" \
	sh -c "[ $STATUS -eq 2 ] && grep -q 'domain shop01: a domain of a journal under another root: give --connect URI' '$OUT/stdout'"
# the test driver reads node.xml anew for each connection, so the next
# process sees the domain as it was: revert --force defines it back anyway
tune_ok "--vm: revert --force defines it back" \
	revert --root "$c" --last --force --connect "test://$PWD/tests/fixtures/libvirt/node.xml"
expect_usage_error "--vm with a libvirt that does not answer" "no answer at" \
	tune --root "$c" --connect "qemu+unix:///system?socket=$T/no-such-socket" --apply --vm web01

# --- the ways: C-state hold, units, GRUB, a file that was there ----------
c=$T/hold
copy intel-pstate-powersave "$c"
run "$LATDOC" tune --root "$c" --cstates hold
check "--cstates hold: the plan starts and enables latdoc-hold, and disables no state" \
	sh -c "grep -q 'enable latdoc-hold.service' '$OUT/stdout' && ! grep -q 'cpuidle/state3/disable' '$OUT/stdout'"
check "--cstates hold: starting the unit is for this machine only" \
	grep -q 'systemctl start latdoc-hold.service .*this machine only' "$OUT/stdout"
tune_ok "--cstates hold --persist" tune --root "$c" --persist --cstates hold
check "--cstates hold: the unit file runs latdoc hold" grep -q "^ExecStart=$LATDOC hold$" "$c/etc/systemd/system/latdoc-hold.service"
check "--cstates hold: the unit is enabled by its link" \
	test "$(readlink "$c/etc/systemd/system/multi-user.target.wants/latdoc-hold.service")" = /etc/systemd/system/latdoc-hold.service
run "$LATDOC" check --root "$c" --json
check "--cstates hold: check then warns that nothing holds the limit here" \
	jq -e '[.findings[].id] | index("cpu.pm_qos.unheld")' "$OUT/stdout"
tune_ok "--cstates hold: revert" revert --root "$c" --last
check "--cstates hold: revert removes the unit and its link" same_tree "$ROOTS/intel-pstate-powersave" "$c"

# a unit that is enabled: its links removed, and made again by revert
c=$T/units
copy acpi-ondemand "$c"
mkdir -p "$c/lib/systemd/system" "$c/etc/systemd/system/multi-user.target.wants"
printf '[Unit]\nDescription=Set the CPU Frequency Scaling governor\n' >"$c/lib/systemd/system/ondemand.service"
ln -s /lib/systemd/system/ondemand.service "$c/etc/systemd/system/multi-user.target.wants/ondemand.service"
cp -a "$c" "$T/units.orig"
tune_ok "an enabled ondemand.service: tune --persist" tune --root "$c" --only cpu.governor --persist
check "ondemand.service: its link is removed" test ! -e "$c/etc/systemd/system/multi-user.target.wants/ondemand.service"
run "$LATDOC" tune --root "$c" --only cpu.governor --json
check "ondemand.service: a second plan does not disable it again" \
	jq -e '[.plan[] | select(.kind == "service")] == []' "$OUT/stdout"
tune_ok "ondemand.service: revert" revert --root "$c" --last
check "ondemand.service: revert makes the link again" same_tree "$T/units.orig" "$c"

# a link in a directory whose name tune does not manage (.x.wants): tune
# leaves it, and never writes a journal that revert would refuse to read
c=$T/dotwants
copy acpi-ondemand "$c"
mkdir -p "$c/lib/systemd/system" "$c/etc/systemd/system/.x.wants"
printf '[Unit]\n' >"$c/lib/systemd/system/ondemand.service"
ln -s /lib/systemd/system/ondemand.service "$c/etc/systemd/system/.x.wants/ondemand.service"
cp -a "$c" "$T/dotwants.orig"
tune_ok "a unit's link in a directory tune does not manage: tune --persist" tune --root "$c" --only cpu.governor --persist
tune_ok "a unit's link in a directory tune does not manage: revert reads the journal" revert --root "$c" --last
check "a unit's link in a directory tune does not manage: left, and the tree as it was" same_tree "$T/dotwants.orig" "$c"

# kernel parameters: a GRUB drop-in on Debian, and update-grub said
c=$T/grub
copy guest-emulated "$c"
echo 'tsc hpet acpi_pm' >"$c/sys/devices/system/clocksource/clocksource0/available_clocksource"
mkdir -p "$c/etc"
printf 'ID=debian\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n' >"$c/etc/os-release"
cp -a "$c" "$T/grub.orig"
run "$LATDOC" tune --root "$c" --only guest.clocksource --apply --persist
check "kernel parameter: tune says to run update-grub" sh -c "[ $STATUS -eq 0 ] && grep -q 'Then run: update-grub' '$OUT/stdout'"
check "kernel parameter: the drop-in adds it to the command line" \
	grep -qx 'GRUB_CMDLINE_LINUX_DEFAULT="$GRUB_CMDLINE_LINUX_DEFAULT clocksource=tsc"' "$c/etc/default/grub.d/90-latdoc.cfg"
check "kernel parameter: the drop-in says it is latdoc's" grep -q '^# latdoc: written by latdoc tune' "$c/etc/default/grub.d/90-latdoc.cfg"
run "$LATDOC" revert --root "$c" --last
check "kernel parameter: revert says to run update-grub again" grep -q 'update-grub' "$OUT/stdout"
check "kernel parameter: revert removes the drop-in" same_tree "$T/grub.orig" "$c"
sed -i 's/ID=debian/ID=rhel/' "$c/etc/os-release"
run "$LATDOC" tune --root "$c" --only guest.clocksource
check "kernel parameter on RHEL: the plan gives grubby's command, by hand" \
	grep -q 'grubby --update-kernel=ALL --args="clocksource=tsc"' "$OUT/stdout"

# a file of latdoc's name that was there: kept, merged, restored exactly
c=$T/merge
copy acpi-ondemand "$c"
mkdir -p "$c/etc/sysctl.d"
printf '# tuned by hand\nvm.dirty_ratio = 5\nvm.swappiness=30\n' >"$c/etc/sysctl.d/90-latdoc.conf"
chmod 640 "$c/etc/sysctl.d/90-latdoc.conf"
# someone else's file: as root, its owner is kept and put back too
owner=$(stat -c %u:%g "$c/etc/sysctl.d/90-latdoc.conf")
[ "$(id -u)" -eq 0 ] && chown 1234:4321 "$c/etc/sysctl.d/90-latdoc.conf" && owner=1234:4321
cp -a "$c" "$T/merge.orig"
tune_ok "an existing sysctl.d file: tune --persist" tune --root "$c" --only mem --persist
check "an existing file keeps its other lines" grep -qx 'vm.dirty_ratio = 5' "$c/etc/sysctl.d/90-latdoc.conf"
check "an existing file gets latdoc's value in place of its own" \
	sh -c "grep -qx 'vm.swappiness = 10' '$c/etc/sysctl.d/90-latdoc.conf' && ! grep -q 'swappiness=30' '$c/etc/sysctl.d/90-latdoc.conf'"
check "an existing file keeps its mode" test "$(stat -c %a "$c/etc/sysctl.d/90-latdoc.conf")" = 640
check "an existing file keeps its owner" test "$(stat -c %u:%g "$c/etc/sysctl.d/90-latdoc.conf")" = "$owner"
tune_ok "an existing file: revert" revert --root "$c" --last
check "an existing file is restored byte for byte" same_tree "$T/merge.orig" "$c"
check "an existing file gets its owner back" test "$(stat -c %u:%g "$c/etc/sysctl.d/90-latdoc.conf")" = "$owner"

# what a dump says is printed escaped: a governor that tries to drive the
# terminal goes through plan, apply, list and revert as text
c=$T/hostile
copy acpi-powersave-pinned "$c"
printf 'powersave\033[2J\033]0;owned\007\n' >"$c/sys/devices/system/cpu/cpufreq/policy1/scaling_governor"
cp -a "$c" "$T/hostile.orig"
: >"$T/hostile.out"
for args in "tune" "tune --apply" "tune --list" "revert --last"; do
	"$LATDOC" $args --root "$c" >>"$T/hostile.out" 2>&1
done
check "a governor with escape bytes: no control byte reaches the terminal" \
	sh -c "! LC_ALL=C grep -q \"\$(printf '\033')\" '$T/hostile.out' && ! LC_ALL=C grep -q \"\$(printf '\007')\" '$T/hostile.out'"
check "a governor with escape bytes: shown as \\x1b" grep -q 'powersave\\x1b\[2J' "$T/hostile.out"
check "a governor with escape bytes: revert puts the bytes back exactly" same_tree "$T/hostile.orig" "$c"

# a directory name that is a tmpfiles.d line of its own: a dump's policy
# named "policy2<newline>R! %S ..." must not put "R! /var/lib" into the
# file systemd-tmpfiles runs at boot
c=$T/inject
copy kvm-host-cpus "$c"
mv "$c/sys/devices/system/cpu/cpufreq/policy2" "$c/sys/devices/system/cpu/cpufreq/$(printf 'policy2\nR! %%S - - - - ')"
run "$LATDOC" tune --root "$c" --json
check "a policy named with a newline: the plan writes it nowhere" \
	jq -e '[.plan[] | select((.target | test("\n")) and .state == "applies")] == []' "$OUT/stdout"
tune_ok "a policy named with a newline: tune --apply --persist" tune --root "$c" --apply --persist
check "a policy named with a newline: tmpfiles.d has latdoc's lines alone" \
	sh -c "[ -s '$c/etc/tmpfiles.d/latdoc.conf' ] && ! grep -v -e '^# latdoc: ' -e '^w /sys/devices/system/cpu/[a-z0-9/*_]* - - - - [a-z0-9_]*\$' '$c/etc/tmpfiles.d/latdoc.conf'"

# --apply now, --persist later: the runtime changes are carried
c=$T/later
copy acpi-powersave-pinned "$c"
"$LATDOC" tune --root "$c" --apply >/dev/null 2>&1
run "$LATDOC" tune --root "$c"
check "after --apply alone, the plan keeps what it made for the next boots" \
	sh -c "[ $STATUS -eq 1 ] && grep -q 'policy0/scaling_governor - - - - performance  (tune-.*journal; root)' '$OUT/stdout'"
tune_ok "then tune --persist" tune --root "$c" --persist
check "--persist wrote what --apply made" grep -qx 'w /sys/devices/system/cpu/cpu3/cpuidle/state3/disable - - - - 1' "$c/etc/tmpfiles.d/latdoc.conf"
run "$LATDOC" tune --root "$c"
check "then the plan is empty" sh -c "[ $STATUS -eq 0 ] && grep -q 'nothing to change' '$OUT/stdout'"
tune_ok "revert --last undoes the newest run" revert --root "$c" --last
check "the persistent file is gone, the runtime changes stay" \
	sh -c "[ ! -e '$c/etc' ] && grep -qx performance '$c/sys/devices/system/cpu/cpufreq/policy0/scaling_governor'"
tune_ok "revert --last again undoes the run before" revert --root "$c" --last
check "two runs undone, newest first: the tree is as it was" same_tree "$ROOTS/acpi-powersave-pinned" "$c"
run "$LATDOC" revert --root "$c" --last
check "with every run reverted, revert --last restores nothing" grep -q ' 0 restored' "$OUT/stdout"

# --- the journals: --list ------------------------------------------------
# first_before FILE A B: A's first line comes before B's
first_before() {
	a=$(grep -n -- "$2" "$1" | head -1 | cut -d: -f1)
	b=$(grep -n -- "$3" "$1" | head -1 | cut -d: -f1)
	[ -n "$a" ] && [ -n "$b" ] && [ "$a" -lt "$b" ]
}
c=$T/list
copy amd-epp-power "$c"
run "$LATDOC" tune --root "$c" --apply
check "apply writes the governor before EPP" first_before "$OUT/stdout" scaling_governor energy_performance_preference
run "$LATDOC" tune --root "$c" --list
check "--list: the run, in effect" grep -q 'in effect' "$OUT/stdout"
check "--list: alike changes as one line" \
	grep -q 'set      /sys/devices/system/cpu/cpufreq/policy\*/scaling_governor: powersave -> performance (8)' "$OUT/stdout"
run "$LATDOC" revert --root "$c" --last
check "revert restores the governor before EPP too, as the kernel needs" \
	first_before "$OUT/stdout" scaling_governor energy_performance_preference
run "$LATDOC" tune --root "$c" --list --json
check "--list --json: the run, reverted, with each change" \
	jq -e '.journals[0].state == "reverted" and (.journals[0].changes | length) == 16 and ([.journals[0].changes[].reverted] | unique) == ["restored"]' "$OUT/stdout"

# --- check: who holds the limit, and a hold nobody keeps -----------------
c=$T/tuned
copy tuned-clean "$c"
mkdir -p "$c/etc/systemd/system/multi-user.target.wants" "$c/etc/tuned/db"
ln -s /usr/lib/systemd/system/tuned.service "$c/etc/systemd/system/multi-user.target.wants/tuned.service"
echo db >"$c/etc/tuned/active_profile"
printf '[main]\ninclude = network-latency\n\n[sysctl]\nvm.swappiness=5\n' >"$c/etc/tuned/db/tuned.conf"
run "$LATDOC" check --root "$c" --json
check "tuned enabled with a profile that includes network-latency, no hold: cpu.pm_qos.unheld" \
	jq -e '.findings[] | select(.id == "cpu.pm_qos.unheld") | .title | startswith("tuned")' "$OUT/stdout"
check "the profile that expects it is named" \
	jq -e '.facts.pm_qos.hold_expected_by | contains("profile db")' "$OUT/stdout"
printf '[main]\ninclude = throughput-performance\n' >"$c/etc/tuned/db/tuned.conf"
run "$LATDOC" check --root "$c" --json
check "a tuned profile without force_latency expects no hold" \
	jq -e '[.findings[] | select(.id == "cpu.pm_qos.unheld")] == [] and .facts.pm_qos.hold_expected_by == null' "$OUT/stdout"

# --- hold: the test build holds a file instead of the device -------------
expect_usage_error "hold --latency-us below 0" "latency-us" hold --latency-us -1
expect_usage_error "hold with an operand" "unexpected argument" hold now
dma=$T/dma
: >"$dma"
LATDOC_TEST_DMA_LATENCY=$dma "$LATDOC" hold --latency-us 7 >"$T/hold.out" 2>&1 &
pid=$!
i=0
while [ "$i" -lt 100 ] && ! grep -q holding "$T/hold.out" 2>/dev/null; do
	sleep 0.05
	i=$((i + 1))
done
check "hold writes the limit as a binary 32-bit value" test "$(od -An -td4 "$dma" | tr -d ' ')" = 7
check "hold says what it holds" grep -q 'holding 7 us' "$T/hold.out"
check "hold stays until told" kill -0 "$pid"
kill -TERM "$pid"
wait "$pid"
st=$?
check "hold ends on SIGTERM with exit 0" test "$st" -eq 0
check "hold says it released the limit" grep -q 'released' "$T/hold.out"

# under systemd (Type=notify) it says when the hold is in place
if command -v python3 >/dev/null 2>&1; then
	sock=$T/notify.sock
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1]); s.settimeout(20)
print(s.recv(512).decode(), flush=True)' "$sock" >"$T/notify.out" 2>&1 &
	lpid=$!
	i=0
	while [ "$i" -lt 100 ] && [ ! -S "$sock" ]; do sleep 0.05; i=$((i + 1)); done
	NOTIFY_SOCKET=$sock LATDOC_TEST_DMA_LATENCY=$dma "$LATDOC" hold >"$T/hold2.out" 2>&1 &
	pid=$!
	wait "$lpid"
	kill -TERM "$pid"
	wait "$pid"
	check "hold tells systemd it is ready, and what it holds" \
		sh -c "grep -q '^READY=1' '$T/notify.out' && grep -q 'STATUS=holding 20 us' '$T/notify.out'"
	# a notify socket that never reads and is full: hold still ends on SIGTERM
	sock=$T/full.sock
	python3 -c '
import os, socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
w = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
w.setblocking(False)
try:
    for _ in range(100000):
        w.sendto(b"x" * 200, sys.argv[1])
except BlockingIOError:
    pass
print("full", flush=True)
time.sleep(20)' "$sock" >"$T/full.out" 2>&1 &
	lpid=$!
	i=0
	while [ "$i" -lt 100 ] && ! grep -q full "$T/full.out" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
	NOTIFY_SOCKET=$sock LATDOC_TEST_DMA_LATENCY=$dma "$LATDOC" hold >"$T/hold3.out" 2>&1 &
	pid=$!
	i=0
	while [ "$i" -lt 100 ] && ! grep -q holding "$T/hold3.out" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
	kill -TERM "$pid"
	i=0
	while [ "$i" -lt 100 ] && kill -0 "$pid" 2>/dev/null; do sleep 0.05; i=$((i + 1)); done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid"
		fail "hold with a notify socket that is full: ends on SIGTERM within 5 s" "still running; killed"
	else
		check "hold with a notify socket that is full: ends on SIGTERM within 5 s, limit released" \
			grep -q released "$T/hold3.out"
	fi
	wait "$pid" 2>/dev/null
	kill "$lpid" 2>/dev/null
	wait "$lpid" 2>/dev/null
else
	skip "hold's notification to systemd" "no python3 to listen"
fi

rm -rf "$T"
