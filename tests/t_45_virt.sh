# Virtualization: VMs through libvirt's test driver, domain types, the real
# libvirt corpus (every domain XML audited; the XML and the QEMU command line
# libvirt made from it must agree), and hostile XML and command lines.
KVM=$ROOTS/kvm-host
LIBVIRT_CORPUS=$CORPUS/libvirt

# A root with nothing but one domain XML (or one process) on a one-CPU host.
xml_root() { # DIR FILE
	rm -rf "$1" && mkdir -p "$1/etc/libvirt/qemu" && cp "$2" "$1/etc/libvirt/qemu/"
	machine_skeleton "$1"
}

# /proc/PID/cmdline from libvirt's .args test files: shell words, one option
# per line, environment first. xargs undoes the shell quoting.
args_root() { # DIR ARGS-FILE
	rm -rf "$1" && mkdir -p "$1/proc/4242" && machine_skeleton "$1"
	sed 's/ \\$//' "$2" | xargs printf '%s\0' |
		awk 'BEGIN { RS = "\0"; ORS = "\0" } p || /^\// { p = 1; print }' >"$1/proc/4242/cmdline"
	echo qemu-system-x86 >"$1/proc/4242/comm"
}

# --- libvirt's API, through its test driver: no daemon needed -----------
node="$PWD/tests/fixtures/libvirt/node.xml"
run "$LATDOC" check --root "$KVM" --connect "test://$node" --json
if [ "$STATUS" -gt 1 ] || ! sanitizer_clean; then
	fail "libvirt test driver: exit $STATUS" "$(head -20 "$OUT/stderr")"
else
	pass "libvirt test driver: check ran"
	check "libvirt test driver: its three domains and the two of the files are listed" \
		jq -e '[.facts.virt.vms[].name] | sort == ["db01", "idle01", "shop01", "shop02", "web01"]' "$OUT/stdout"
	check "libvirt test driver: a running domain has its defined and its live XML" \
		jq -e '.facts.virt.vms[] | select(.name == "shop01") | .running and (.sources | keys == ["defined", "running"]) and (.sources.running | startswith("libvirt test://"))' "$OUT/stdout"
	check "libvirt test driver: a shut-off domain is only defined" \
		jq -e '.facts.virt.vms[] | select(.name == "idle01") | (.running | not) and (.sources | keys == ["defined"])' "$OUT/stdout"
	check "libvirt test driver: test domains are audited as kvm (shop01's findings name it)" \
		jq -e '[.findings[] | select(.subject == "domain:shop01") | .id] | sort == ["vm.balloon", "vm.cpu.mode", "vm.disk.bus", "vm.hpet", "vm.hugepages", "vm.nic.model", "vm.vcpu.pin"]' "$OUT/stdout"
	check "libvirt test driver: the well-configured domain gets no finding" \
		jq -e '[.findings[] | select(.subject == "domain:shop02")] == []' "$OUT/stdout"
	check "libvirt test driver: the sata disk and the rtl8139 default are seen" \
		jq -e '.findings[] | select(.id == "vm.disk.bus" and .subject == "domain:shop01") | .title | contains("sdb (sata)")' "$OUT/stdout"
fi

# A URI the user named and that does not answer is an error, not a note: a
# gate that passed on it would pass without the VMs it was asked about.
expect_usage_error "unreachable libvirt named with --connect: exit 2" \
	"check: --connect qemu+unix:///system?socket=$OUT/no-such-socket: no answer at qemu+unix" \
	check --root "$KVM" --connect "qemu+unix:///system?socket=$OUT/no-such-socket"
check "unreachable libvirt: no report on stdout" test ! -s "$OUT/stdout"
expect_usage_error "libvirt test driver with a missing node file: exit 2" \
	"--connect test:///$OUT/missing-node.xml: no answer at test:///" \
	check --root "$KVM" --connect "test:///$OUT/missing-node.xml" --json

# --- libvirt is loaded when needed, not linked ----------------------------
# a plain web server runs latdoc without libvirt's libraries installed
if ldd "$LATDOC" >"$OUT/ldd" 2>&1; then
	check "the binary does not link libvirt (it is loaded when a KVM host or --connect needs it)" \
		sh -c "! grep -q libvirt '$OUT/ldd'"
else
	skip "ldd of latdoc" "ldd failed: $(head -1 "$OUT/ldd")"
fi
LIBVIRT_SO=$(ldconfig -p 2>/dev/null | awk '/libvirt\.so\.0 / {print $NF; exit}')
if [ -n "$LIBVIRT_SO" ] && unshare -m true 2>/dev/null; then
	# a private mount namespace hides libvirt.so.0 from latdoc alone
	hide() { unshare -m sh -c "mount --bind /dev/null '$LIBVIRT_SO' && exec \"\$@\"" sh "$@"; }
	hide timeout 60 "$LATDOC" check --root "$KVM" --connect test:///default >"$OUT/stdout" 2>"$OUT/stderr"
	STATUS=$?
	check "libvirt missing, --connect named: exit 2 and says which library" \
		sh -c "[ $STATUS -eq 2 ] && grep -q 'connect test:///default: libvirt.so.0 is not installed (or did not load)' '$OUT/stderr'"
	hide timeout 60 "$LATDOC" check --root "$KVM" --json >"$OUT/stdout" 2>"$OUT/stderr"
	STATUS=$?
	check "libvirt missing, no --connect: the VMs come from the files and processes" \
		sh -c "[ $STATUS -le 1 ] && jq -e '[.facts.virt.vms[].name] == [\"db01\", \"web01\"]' '$OUT/stdout'"
else
	skip "libvirt missing" "no libvirt.so.0, or no private mount namespace here"
fi

# --- domain types -------------------------------------------------------
sed -e "s/type='kvm'/type='qemu'/" -e 's/db01/tcg01/' -e 's/9e3f6c11/9e3f6c12/' \
	"$KVM/etc/libvirt/qemu/db01.xml" >"$OUT/tcg01.xml"
xml_root "$OUT/tcg" "$OUT/tcg01.xml"
run "$LATDOC" check --root "$OUT/tcg" --json
check "a qemu (TCG) domain is critical: vm.accel" \
	jq -e '[.findings[] | select(.subject == "domain:tcg01") | .id] == ["vm.accel"]' "$OUT/stdout"
check "a qemu (TCG) domain exits 1" test "$STATUS" -eq 1
if [ -d "$LIBVIRT_CORPUS" ]; then
	xml_root "$OUT/xen" "$LIBVIRT_CORPUS/virt-install/virt-install-xen-hvm.xml"
	run "$LATDOC" check --root "$OUT/xen" --json
	check "a xen domain is listed and not audited" \
		jq -e '(.facts.virt.vms | length) == 1 and .facts.virt.vms[0].type == "xen" and ([.findings[] | select(.id | startswith("vm."))] == [])' "$OUT/stdout"
fi

# --- the real corpus ----------------------------------------------------
if [ ! -d "$LIBVIRT_CORPUS" ]; then
	skip "libvirt corpus" "no $LIBVIRT_CORPUS"
else
	domains=0 fragments=0 bad=0
	: >"$OUT/unknown-ids"
	for xml in "$LIBVIRT_CORPUS"/virt-install/*.xml "$LIBVIRT_CORPUS"/qemuxmlconf/*.xml; do
		name=$(basename "$xml")
		xml_root "$OUT/dom" "$xml"
		run "$LATDOC" check --root "$OUT/dom" --json
		if [ "$STATUS" -gt 1 ] || ! sanitizer_clean; then
			fail "libvirt corpus $name: exit $STATUS" "$(head -20 "$OUT/stderr")"
			bad=$((bad + 1))
		elif jq -e '.facts.virt.vms | length == 1' "$OUT/stdout" >/dev/null; then
			domains=$((domains + 1))
			unknown_ids | sed "s|^|$name: |" >>"$OUT/unknown-ids"
		elif jq -e '[.problems[] | select(test("qemu/.*\\.xml: not a domain: the document is a <[a-z]+>"))] | length == 1' "$OUT/stdout" >/dev/null; then
			fragments=$((fragments + 1))
		else
			fail "libvirt corpus $name: neither a domain nor a clear message" "$(jq -c .problems "$OUT/stdout")"
			bad=$((bad + 1))
		fi
	done
	echo "libvirt corpus: $domains domains audited, $fragments fragments refused by name, $bad bad"
	check "libvirt corpus: every file is a domain or a named fragment" test "$bad" -eq 0
	check "libvirt corpus: qemuxmlconf's 64 and virt-install's domains are all read" test "$domains" -ge 250
	if [ ! -s "$OUT/unknown-ids" ]; then
		pass "libvirt corpus: every finding id is a check id"
	else
		fail "libvirt corpus: finding ids that --list-checks does not name" "$(cat "$OUT/unknown-ids")"
	fi

	for xml in "$LIBVIRT_CORPUS"/malformed/*.xml; do
		name=$(basename "$xml")
		xml_root "$OUT/dom" "$xml"
		run "$LATDOC" check --root "$OUT/dom" --json
		if [ "$STATUS" -le 1 ] && sanitizer_clean &&
			jq -e '[.problems[] | select(test("\\.xml: not well-formed XML: line [0-9]+: "))] | length == 1' "$OUT/stdout" >/dev/null; then
			pass "malformed $name: a clear message with the line"
		else
			fail "malformed $name: exit $STATUS" "$(jq -c .problems "$OUT/stdout" 2>&1; head -5 "$OUT/stderr")"
		fi
	done

	# XML audit and command-line audit of the same VM must agree on CPU
	# mode (host or a model, and the model where the XML names one), disk
	# buses with their controllers, and NIC models. Passthrough NICs
	# (type='hostdev') are vfio-pci devices on the command line: left out.
	view='.facts.virt.vms[0] | {cpu: (if .cpu.mode == "host-passthrough" or .cpu.mode == "maximum" then "host" else "model" end),
		disks: ([.disks[] | .bus + "/" + (.controller // "")] | sort),
		nics: ([.nics[] | select(.type != "hostdev") | .model] | sort)}'
	agree=0 pairs=0
	for args in "$LIBVIRT_CORPUS"/qemuxmlconf/*.args; do
		pair=$(basename "$args"); pair=${pair%.*-latest.args}
		pairs=$((pairs + 1))
		xml_root "$OUT/ax" "$LIBVIRT_CORPUS/qemuxmlconf/$pair.xml"
		args_root "$OUT/aa" "$args"
		"$LATDOC" check --root "$OUT/ax" --json >"$OUT/ax.json" 2>"$OUT/stderr"
		"$LATDOC" check --root "$OUT/aa" --json >"$OUT/aa.json" 2>>"$OUT/stderr"
		from_xml=$(jq -c "$view" "$OUT/ax.json" 2>&1)
		from_args=$(jq -c "$view" "$OUT/aa.json" 2>&1)
		model_xml=$(jq -r '.facts.virt.vms[0] | select(.cpu.mode == "custom") | .cpu.model // empty' "$OUT/ax.json")
		model_args=$(jq -r '.facts.virt.vms[0].cpu.model // empty' "$OUT/aa.json")
		if sanitizer_clean && [ -n "$from_xml" ] && [ "$from_xml" = "$from_args" ] &&
			{ [ -z "$model_xml" ] || [ "$model_xml" = "$model_args" ]; }; then
			agree=$((agree + 1))
		else
			fail "qemuxmlconf $pair: XML and command line disagree" \
				"xml:  $from_xml $model_xml
args: $from_args $model_args
$(head -5 "$OUT/stderr")"
		fi
	done
	echo "qemuxmlconf: XML and QEMU command line agree on $agree of $pairs VMs"
	check "qemuxmlconf: all 64 pairs compared" test "$pairs" -eq 64
	check "qemuxmlconf: XML and command line agree on every VM" test "$agree" -eq "$pairs"
fi

# --- hostile XML: a clear message, and the rest of the audit goes on ----
hostile() { # NAME PATTERN: $OUT/hostile holds kvm-host plus one bad file
	run "$LATDOC" check --root "$OUT/hostile" --json
	if [ "$STATUS" -gt 1 ] || ! sanitizer_clean; then
		fail "$1: exit $STATUS" "$(head -20 "$OUT/stderr")"
	elif ! jq -e --arg p "$2" '[.problems[] | select(contains($p))] | length == 1' "$OUT/stdout" >/dev/null; then
		fail "$1: no problem saying '$2'" "$(jq -c .problems "$OUT/stdout")"
	elif ! jq -e '[.facts.virt.vms[].name] | index("web01") != null' "$OUT/stdout" >/dev/null; then
		fail "$1: the other domains were not audited"
	else
		pass "$1"
	fi
}
hostile_root() { rm -rf "$OUT/hostile" && cp -a "$KVM" "$OUT/hostile"; }
Q=etc/libvirt/qemu

hostile_root
cat >"$OUT/hostile/$Q/bomb.xml" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE domain [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
]>
<domain type='kvm'><name>&e;</name></domain>
EOF
hostile "entity expansion bomb" "bomb.xml: has a DOCTYPE or entity declaration"

hostile_root
cat >"$OUT/hostile/$Q/xxe.xml" <<'EOF'
<?xml version="1.0"?>
<!DOCTYPE domain [ <!ENTITY x SYSTEM "file:///etc/shadow"> ]>
<domain type='kvm'><name>&x;</name></domain>
EOF
hostile "external entity" "xxe.xml: has a DOCTYPE or entity declaration"
check "external entity: nothing of the file was read into a name" \
	jq -e '[.facts.virt.vms[].name | select(contains("root"))] == []' "$OUT/stdout"

# UTF-16 hid the DOCTYPE from a byte search; libxml2 then honoured its
# entities: the entity's text reached the report, and expansion the memory.
utf16() { printf '\377\376'; iconv -f UTF-8 -t UTF-16LE; } # a BOM, then the text
hostile_root
{ printf '%s\n' "<?xml version='1.0' encoding='UTF-16'?>" \
	"<!DOCTYPE domain [ <!ENTITY s 'LEAKEDENTITYTEXT'> ]>" \
	"<domain type='kvm'><name>u16&s;</name><vcpu>&s;</vcpu></domain>"; } | utf16 >"$OUT/hostile/$Q/u16.xml"
hostile "a UTF-16 document with a DTD" "u16.xml: has a DOCTYPE or entity declaration"
check "a UTF-16 document with a DTD: the entity's text is nowhere in the report" \
	sh -c "! grep -q LEAKEDENTITYTEXT '$OUT/stdout'"
# 160 kB per reference, 20,000 references: 3.2 GB if expanded. The plain
# build runs under a 300 MB address-space limit (ASan's cannot).
PLAIN=$TOP/${BUILD:-build}/latdoc
if [ -x "$PLAIN" ]; then
	hostile_root
	{ printf '%s\n' "<?xml version='1.0' encoding='UTF-16'?>" "<!DOCTYPE domain ["
		printf ' <!ENTITY a "%s">\n' "$(head -c 4000 /dev/zero | tr '\0' a)"
		printf ' <!ENTITY b "%s">\n' "$(for i in $(seq 40); do printf '&a;'; done)"
		printf "]>\n<domain type='kvm'><name>bomb16</name><vcpu>"
		for i in $(seq 20000); do printf '&b;'; done
		printf '</vcpu></domain>\n'; } | utf16 >"$OUT/hostile/$Q/bomb16.xml"
	(ulimit -v 300000; timeout 60 "$PLAIN" check --root "$OUT/hostile" --json >"$OUT/stdout" 2>"$OUT/stderr")
	STATUS=$?
	if [ "$STATUS" -le 1 ] && [ ! -s "$OUT/stderr" ] &&
		jq -e '[.problems[] | select(contains("bomb16.xml: has a DOCTYPE"))] | length == 1' "$OUT/stdout" >/dev/null; then
		pass "a UTF-16 entity bomb: refused within 300 MB"
	else
		fail "a UTF-16 entity bomb: exit $STATUS" "$(head -5 "$OUT/stderr")"
	fi
else
	skip "a UTF-16 entity bomb within 300 MB" "no $PLAIN"
fi

hostile_root
head -c 900 "$KVM/$Q/db01.xml" | sed 's/db01/cut01/; s/9e3f6c11/9e3f6c13/' >"$OUT/hostile/$Q/cut01.xml"
hostile "truncated XML" "cut01.xml: not well-formed XML: line"

hostile_root
head -c 3000 /dev/urandom >"$OUT/hostile/$Q/noise.xml"
hostile "binary XML" "noise.xml: not well-formed XML"

hostile_root
{ echo "<domain type='kvm'><name>big</name><description>"; head -c 17000000 /dev/zero | tr '\0' 'x'; echo "</description></domain>"; } >"$OUT/hostile/$Q/big.xml"
hostile "huge XML" "big.xml: larger than 16 MiB"

hostile_root
echo "<domain type='kvm'><vcpu>4</vcpu></domain>" >"$OUT/hostile/$Q/anon.xml"
hostile "a domain with no name or uuid" "anon.xml: a <domain> with neither <name> nor <uuid>"

hostile_root
cat >"$OUT/hostile/$Q/odd.xml" <<'EOF'
<domain type='kvm'><name>odd01</name><vcpu cpuset='0-999999'>-3</vcpu>
<cputune><vcpupin vcpu='99' cpuset='1'/><vcpupin cpuset='zz'/></cputune>
<devices><disk device='teleporter'><target bus='quantum'/></disk><interface type='carrier-pigeon'><model type='avian'/></interface><frobnicator/></devices></domain>
EOF
run "$LATDOC" check --root "$OUT/hostile" --json
check "unknown devices and nonsense values: audited without a crash" \
	sh -c "[ $STATUS -le 1 ] && jq -e '.facts.virt.vms[] | select(.name == \"odd01\") | .vcpus == 1 and .disks[0].bus == \"quantum\" and .nics[0].model == \"avian\"' '$OUT/stdout'"
check "an unknown NIC model is not virtio: vm.nic.model" \
	jq -e '[.findings[] | select(.subject == "domain:odd01" and .id == "vm.nic.model")] | length == 1' "$OUT/stdout"

# 50,000 disks: the per-VM summary took 42 s (quadratic), and under ASan a
# realloc per disk did too. Eight kinds of bus: six named, the rest counted.
awk 'BEGIN { split("virtio ide sata scsi usb fdc sd xen", b, " ");
	printf "<domain type=\"kvm\"><name>many</name><vcpu>2</vcpu><devices>";
	for (i = 0; i < 50000; i++) printf "<disk device=\"disk\"><target dev=\"vd%d\" bus=\"%s\"/></disk>", i, b[i % 8 + 1];
	print "</devices></domain>" }' >"$OUT/many.xml"
xml_root "$OUT/many" "$OUT/many.xml"
timeout 10 "$LATDOC" check --root "$OUT/many" >"$OUT/stdout" 2>"$OUT/stderr"
STATUS=$?
if [ "$STATUS" -le 1 ] && sanitizer_clean; then
	check "50,000 disks: the VM's summary in under 10 s, six kinds named and the rest counted" \
		sh -c "tr -s ' \n' '  ' <'$OUT/stdout' | grep -q 'disks: virtio x6250, ide x6250, sata x6250, scsi x6250, usb x6250, fdc x6250 and 12500 more of 2 other kinds;'"
else
	fail "50,000 disks: exit $STATUS (124: over 10 s)" "$(head -5 "$OUT/stderr")"
fi

# --- hostile QEMU command lines -----------------------------------------
P=proc/4242
hostile_root
head -c 5000 /dev/urandom >"$OUT/hostile/$P/cmdline"
run "$LATDOC" check --root "$OUT/hostile" --json
check "binary cmdline of a qemu-named process: a clear message" \
	jq -e '[.problems[] | select(startswith("proc/4242/cmdline: not a QEMU command line"))] | length == 1' "$OUT/stdout"

hostile_root
{ printf '/usr/bin/qemu-system-x86_64\0-name\0guest=huge\0'; head -c 17000000 /dev/zero | tr '\0' 'a'; } >"$OUT/hostile/$P/cmdline"
run "$LATDOC" check --root "$OUT/hostile" --json
check "huge cmdline: refused with its size" \
	jq -e '[.problems[] | select(. == "proc/4242/cmdline: larger than 16 MiB, not read")] | length == 1' "$OUT/stdout"

hostile_root
printf '/usr/bin/qemu-system-x86_64\0-name\0guest=bad\0-device\0{"driver":"e1000",\0' >"$OUT/hostile/$P/cmdline"
run "$LATDOC" check --root "$OUT/hostile" --json
check "malformed JSON -device: a clear message" \
	jq -e '[.problems[] | select(startswith("proc/4242/cmdline: -device: its JSON value is malformed"))] | length == 1' "$OUT/stdout"

hostile_root
printf '/usr/bin/qemu-system-x86_64\0-name\0guest=sec\0-object\0{"qom-type":"secret","id":"sec0","data":"SECRETVALUE\0' >"$OUT/hostile/$P/cmdline"
run "$LATDOC" check --root "$OUT/hostile" --json
check "a malformed JSON secret: where and what, not its bytes" \
	sh -c "jq -e '[.problems[] | select(. == \"proc/4242/cmdline: -object: its JSON value is malformed (word 4): it ends at byte 52, inside the object\")] | length == 1' '$OUT/stdout' && ! grep -q SECRET '$OUT/stdout'"

# any local user can start this; a JSON null member crashed root's audit
hostile_root
printf '/usr/bin/qemu-system-x86_64\0-name\0guest=nulls\0-accel\0kvm\0-device\0{"driver":null}\0-object\0{"qom-type":null,"id":null}\0-netdev\0{"type":"tap","id":"h0","vhost":null}\0-device\0{"driver":"e1000","netdev":"h0","id":null}\0' >"$OUT/hostile/$P/cmdline"
run "$LATDOC" check --root "$OUT/hostile" --json
check "JSON null members in -device, -object, -netdev: audited, no crash" \
	sh -c "[ $STATUS -le 1 ] && jq -e '.facts.virt.vms[] | select(.name == \"nulls\") | (.nics | length) == 1 and .nics[0].model == \"e1000\" and .nics[0].id == null' '$OUT/stdout'"

hostile_root
printf '/usr/bin/qemu-system-x86_64\0-name\0guest=short\0-cpu\0' >"$OUT/hostile/$P/cmdline"
run "$LATDOC" check --root "$OUT/hostile" --json
check "an option without its value: a clear message" \
	jq -e '[.problems[] | select(. == "proc/4242/cmdline: '"'"'-cpu'"'"' has no value")] | length == 1' "$OUT/stdout"

hostile_root
printf '/usr/bin/qemu-system-x86_64\0-name\0guest=weird\0-accel\0kvm\0-device\0teleporter,id=t0\0-device\0nonsense,netdev=n9\0-frobnicate\0x\0-cpu\0host\0' >"$OUT/hostile/$P/cmdline"
run "$LATDOC" check --root "$OUT/hostile" --json
check "unknown devices and options: audited, the NIC without a netdev kept" \
	jq -e '.facts.virt.vms[] | select(.name == "weird") | .cpu.mode == "host-passthrough" and (.disks | length) == 0 and .nics[0].model == "nonsense"' "$OUT/stdout"

# a process names itself: its name reaches the terminal escaped
hostile_root
printf '/usr/bin/qemu-system-x86_64\0-name\0guest=ev\033[31mRED\nfake line\0-accel\0kvm\0' >"$OUT/hostile/$P/cmdline"
run "$LATDOC" check --root "$OUT/hostile"
check "a VM name with ESC and a newline: escaped in the VM table, no forged line" \
	sh -c "[ $STATUS -le 1 ] && ! grep -q \"\$(printf '\\033')\" '$OUT/stdout' && ! grep -q '^  fake line' '$OUT/stdout' && grep -q 'ev\\\\x1b\\[31mRED\\\\x0afake line: running' '$OUT/stdout'"

# --- whose QEMU processes: any local user can start one ---------------
# alice's process calls itself db01, with db01's uuid: it stays apart, marked
hostile_root
mkdir -p "$OUT/hostile/proc/5555"
echo qemu-system-x86 >"$OUT/hostile/proc/5555/comm"
printf '/usr/bin/qemu-system-x86_64\0-name\0guest=db01\0-uuid\09e3f6c11-7d2a-4c55-8b1e-0f6a3d2c9b02\0-accel\0kvm\0-cpu\0host\0' >"$OUT/hostile/proc/5555/cmdline"
printf 'Name:\tqemu-system-x86\nPid:\t5555\nUid:\t1000\t1000\t1000\t1000\n' >"$OUT/hostile/proc/5555/status"
run "$LATDOC" check --root "$OUT/hostile" --json
check "a QEMU process of libvirt's service user: its owner, not marked" \
	jq -e '.facts.virt.vms[] | select(.name == "db01") | .pid == 4242 and .owner == {uid: 64055, user: "libvirt-qemu", ordinary_user: false}' "$OUT/stdout"
check "an ordinary user's QEMU process: marked, and not merged into the VM it names" \
	jq -e '[.facts.virt.vms[] | select(.owner.ordinary_user)] | length == 1 and .[0].name == "db01 (pid 5555)" and .[0].uuid == null and .[0].owner.user == "alice" and (.[0].sources | keys == ["process"])' "$OUT/stdout"
run "$LATDOC" check --root "$OUT/hostile"
check "an ordinary user's QEMU process: the VM table says so" \
	sh -c "tr -s ' \n' '  ' <'$OUT/stdout' | grep -q \"db01 (pid 5555): running, kvm, 1 vCPU, cpu host-passthrough; disks: none; nics: none; from process; QEMU pid 5555, run by alice (uid 1000): an ordinary user's process, not a VM that libvirt or root started\""
# snapshot keeps the names of the processes it keeps, no other
mkdir -p "$OUT/hostile/proc/6666"
echo bash >"$OUT/hostile/proc/6666/comm"
printf 'bash\0-c\0PGPASSWORD=s3cret psql\0' >"$OUT/hostile/proc/6666/cmdline"
rm -rf "$OUT/snap-procs"
run "$LATDOC" snapshot -o "$OUT/snap-procs" --root "$OUT/hostile"
check "snapshot: the comm and status of the QEMU processes, and etc/passwd, are kept" \
	test "$STATUS" -eq 0 -a -f "$OUT/snap-procs/proc/4242/comm" -a -f "$OUT/snap-procs/proc/5555/status" -a -f "$OUT/snap-procs/etc/passwd"
check "snapshot: nothing of another process, not even its name" test ! -e "$OUT/snap-procs/proc/6666"
check "snapshot: the VMs and their owners come out the same from the copy" \
	sh -c "'$LATDOC' check --root '$OUT/snap-procs' --json | jq -e '[.facts.virt.vms[] | {name, owner}] == [{name: \"db01\", owner: {uid: 64055, user: \"libvirt-qemu\", ordinary_user: false}}, {name: \"web01\", owner: null}, {name: \"db01 (pid 5555)\", owner: {uid: 1000, user: \"alice\", ordinary_user: true}}]'"

# --- this machine, inside a VM ------------------------------------------
run "$LATDOC" check --json
if jq -e '.host.platform.role == "guest"' "$OUT/stdout" >/dev/null; then
	check "live guest: its disks and NICs have drivers" \
		jq -e '(.facts.guest.disks + .facts.guest.nics) | length > 0 and all(.driver != null)' "$OUT/stdout"
else
	skip "live guest devices" "this machine is not a VM"
fi

# --- what runs beats what is written ------------------------------------
variant() { rm -rf "$OUT/variant" && cp -a "$KVM" "$OUT/variant"; }
findings_of() { # ROOT VM: the ids of VM's findings, sorted (nothing after a crash)
	check_json "$OUT/findings_of.json" --root "$1" &&
		jq -c --arg s "domain:$2" '[.findings[] | select(.subject == $s) | .id] | sort' "$OUT/findings_of.json"
}

variant
printf 'Name:\tCPU 0/KVM\nCpus_allowed_list:\t0-7\n' >"$OUT/variant/proc/4242/task/4250/status"
check_json "$OUT/variant.json" --root "$OUT/variant" &&
	check "pins in the XML, but a vCPU thread runs anywhere: vm.vcpu.pin" \
		jq -e '.findings[] | select(.id == "vm.vcpu.pin" and .subject == "domain:db01") | .title == "db01 has 1 of 2 vCPUs pinned" and (.evidence | map(.source) | index("/proc/4242/task") != null)' "$OUT/variant.json"

# A status file cut right after "Cpus_allowed_list:" (4095 bytes, so that
# the buffer ends with it; malloc_fill makes what lies past the NUL not a
# newline): the pinning of that thread is unknown, said as a problem.
variant
awk 'BEGIN { s = "Name:\tCPU 0/KVM\n"; t = "\nCpus_allowed_list:"; printf "%s", s;
	for (i = length(s) + length(t); i < 4095; i++) printf "X"; printf "%s", t }' \
	>"$OUT/variant/proc/4242/task/4250/status"
ASAN_OPTIONS="$ASAN_OPTIONS:max_malloc_fill_size=1048576" run "$LATDOC" check --root "$OUT/variant" --json
if [ "$STATUS" -le 1 ] && sanitizer_clean; then
	check "a status cut after Cpus_allowed_list: a problem, one vCPU thread counted" \
		jq -e '([.problems[] | select(. == "proc/4242/task/4250/status: no Cpus_allowed_list with a CPU in it; the thread'"'"'s pinning is not known")] | length == 1) and (.facts.virt.vms[] | select(.name == "db01") | .vcpu_threads == 1)' "$OUT/stdout"
else
	fail "a status cut after Cpus_allowed_list: exit $STATUS" "$(head -20 "$OUT/stderr")"
fi

variant
sed -i "s/nodeset='1'/nodeset='0'/" "$OUT/variant/run/libvirt/qemu/db01.xml"
check "memory bound to node 0, vCPUs pinned on node 1: vm.numa, and the pending restart" \
	test "$(findings_of "$OUT/variant" db01)" = '["vm.config.pending","vm.numa"]'

variant
sed -i "s/<driver name='vhost' queues='2'\/>/<driver name='qemu'\/>/" "$OUT/variant/run/libvirt/qemu/db01.xml" "$OUT/variant/etc/libvirt/qemu/db01.xml"
check "a virtio NIC on QEMU's userspace backend: vm.nic.vhost" \
	test "$(findings_of "$OUT/variant" db01)" = '["vm.nic.vhost"]'

variant
echo 0 >"$OUT/variant/sys/module/kvm/parameters/halt_poll_ns"
rm -r "$OUT/variant/sys/module/vhost_net"
check "halt polling off and no vhost-net on a host with VMs: kvm.halt_poll, kvm.vhost_net" \
	sh -c "'$LATDOC' check --root '$OUT/variant' --json | jq -e '[.findings[] | select(.id | startswith(\"kvm.\")) | .id] | sort == [\"kvm.halt_poll\", \"kvm.vhost_net\"]'"

# --- where vCPUs get pinned -----------------------------------------------
# a 2-CPU host: the fix said cpuset 2 and 3, CPUs it does not have
rm -rf "$OUT/twocpu" && mkdir -p "$OUT/twocpu/etc/libvirt/qemu" && machine_skeleton "$OUT/twocpu"
echo 0-1 >"$OUT/twocpu/sys/devices/system/cpu/online"
echo 0-1 >"$OUT/twocpu/sys/devices/system/cpu/present"
sed 's/^processor.*: 0/processor\t: 1/' "$OUT/twocpu/proc/cpuinfo" >>"$OUT/twocpu/proc/cpuinfo.1" &&
	cat "$OUT/twocpu/proc/cpuinfo.1" >>"$OUT/twocpu/proc/cpuinfo" && rm "$OUT/twocpu/proc/cpuinfo.1"
echo "<domain type='kvm'><name>pair</name><vcpu>2</vcpu></domain>" >"$OUT/twocpu/etc/libvirt/qemu/pair.xml"
echo "<domain type='kvm'><name>solo</name><vcpu>1</vcpu></domain>" >"$OUT/twocpu/etc/libvirt/qemu/solo.xml"
run "$LATDOC" check --root "$OUT/twocpu" --json
check "2-CPU host: a 2-vCPU VM gets no pin to a CPU the host lacks, and says why" \
	jq -e '.findings[] | select(.id == "vm.vcpu.pin" and .subject == "domain:pair") | (.fix.actions == []) and (.fix.persistent | contains("no pinning of a CPU to each vCPU fits: it has 2 vCPUs and 1 CPU is free for them: of 2 online, 0 is kept for the host (CPU 0 and its SMT siblings)"))' "$OUT/stdout"
check "2-CPU host: a 1-vCPU VM is pinned to CPU 1, its emulator to CPU 0" \
	jq -e '[.findings[] | select(.id == "vm.vcpu.pin" and .subject == "domain:solo") | .fix.actions[] | {key, want}] == [{key: "/domain/cputune/vcpupin[@vcpu='"'0'"']/@cpuset", want: "1"}, {key: "/domain/cputune/emulatorpin/@cpuset", want: "0"}]' "$OUT/stdout"
check "2-CPU host: no fix names a CPU above 1" \
	sh -c "! jq -r '.findings[].fix | .persistent, (.actions[] | .want)' '$OUT/stdout' | grep -qE \"cpuset='[2-9]|^[2-9]\$\""

# Proxmox's --affinity binds the whole process to one set: not a pin
variant_pve() { rm -rf "$OUT/pve" && cp -a "$ROOTS/proxmox-qemu" "$OUT/pve"; }
variant_pve
for t in 3140 3141; do
	sed -i 's/^Cpus_allowed_list:.*/Cpus_allowed_list:\t2-5/' "$OUT/pve/proc/3131/task/$t/status"
done
check "Proxmox --affinity 2-5 on every vCPU thread: still unpinned (vm.vcpu.pin)" \
	sh -c "'$LATDOC' check --root '$OUT/pve' --json | jq -e '.findings[] | select(.id == \"vm.vcpu.pin\") | .title == \"vm100 has 2 unpinned vCPUs\" and (.fix.persistent | contains(\"--affinity puts all of the VM\"))'"
variant_pve
sed -i 's/^Cpus_allowed_list:.*/Cpus_allowed_list:\t2/' "$OUT/pve/proc/3131/task/3140/status"
sed -i 's/^Cpus_allowed_list:.*/Cpus_allowed_list:\t3/' "$OUT/pve/proc/3131/task/3141/status"
check "each vCPU thread on a CPU of its own: pinned, no vm.vcpu.pin" \
	sh -c "'$LATDOC' check --root '$OUT/pve' --json | jq -e '[.findings[] | select(.id == \"vm.vcpu.pin\")] == [] and .facts.virt.vms[0].vcpu_threads_pinned == 2'"

# --- a guest's sysfs, broken ----------------------------------------------
rm -rf "$OUT/gsys" && cp -a "$ROOTS/guest-emulated" "$OUT/gsys"
G=$OUT/gsys/sys
ln -sfn ../devices/pci0000:00/0000:00:09.0/nowhere/block/sdz "$G/block/sdz"   # dangling
ln -sfn ../../devices/loop/a "$G/class/net/loop0" && mkdir -p "$G/devices/loop" &&
	ln -sfn b "$G/devices/loop/a" && ln -sfn a "$G/devices/loop/b"               # a link loop
rm "$G/devices/pci0000:00/0000:00:03.0/driver"                                # a NIC with no driver
run "$LATDOC" check --root "$OUT/gsys" --json
check "broken guest sysfs: audited without a crash, the good disk still judged" \
	sh -c "[ $STATUS -le 1 ] && jq -e '([.facts.guest.disks[].name] == [\"sda\"]) and ([.findings[] | select(.id == \"guest.disk.driver\")] | length == 1)' '$OUT/stdout'"
check "broken guest sysfs: a NIC without a driver is listed, not judged" \
	jq -e '(.facts.guest.nics[] | select(.name == "ens3") | .driver == null) and ([.findings[] | select(.id == "guest.nic.driver")] == [])' "$OUT/stdout"

# --- the host against its VMs, hostile ------------------------------------
# a QEMU-named process that asks for vhost with 3,000 open files: a bounded
# look, said as a problem, and no verdict drawn from the part not looked at
hostile_root
printf '/usr/bin/qemu-system-x86_64\0-name\0guest=fds\0-accel\0kvm\0-netdev\0tap,id=n0,vhost=on\0-device\0virtio-net-pci,netdev=n0,mac=52:54:00:00:00:09\0' >"$OUT/hostile/$P/cmdline"
mkdir -p "$OUT/hostile/$P/fd"
i=0
while [ $i -lt 3000 ]; do ln -s /dev/null "$OUT/hostile/$P/fd/$i"; i=$((i + 1)); done
run "$LATDOC" check --root "$OUT/hostile" --json
check "3,000 open files of a QEMU process: a bounded look, said, no vhost verdict" \
	sh -c "[ $STATUS -le 1 ] && jq -e '([.problems[] | select(startswith(\"proc/4242/fd: more open files than are looked at\"))] | length == 1) and (.facts.virt.vms[] | select(.name == \"fds\") | .vhost_fds == null) and ([.findings[] | select(.id == \"vm.nic.vhost\" and .subject == \"domain:fds\")] == [])' '$OUT/stdout'"
# the same with its vhost descriptor among the first: in use
rm -rf "$OUT/hostile/$P/fd" && mkdir -p "$OUT/hostile/$P/fd"
ln -s /dev/net/tun "$OUT/hostile/$P/fd/3" && ln -s /dev/vhost-net "$OUT/hostile/$P/fd/4"
ln -s /dev/vhost-net/../../etc/shadow "$OUT/hostile/$P/fd/5"
run "$LATDOC" check --root "$OUT/hostile" --json
check "a vhost descriptor: counted by its link's text, the odd one not" \
	jq -e '(.facts.virt.vms[] | select(.name == "fds") | .vhost_fds == 1) and ([.findings[] | select(.id == "vm.nic.vhost" and .subject == "domain:fds")] == [])' "$OUT/stdout"

# 10,000 VMs' worth of interrupts on one NIC, and a pinned VM: bounded
hostile_root
D=$OUT/hostile/sys/devices/pci0000:00/0000:00:03.0
mkdir -p "$D/msi_irqs" "$D/net/eno1" "$OUT/hostile/sys/class/net"
ln -s ../../../0000:00:03.0 "$D/net/eno1/device"
ln -s ../../devices/pci0000:00/0000:00:03.0/net/eno1 "$OUT/hostile/sys/class/net/eno1"
i=0
while [ $i -lt 5000 ]; do : >"$D/msi_irqs/$i"; i=$((i + 1)); done
mkdir -p "$OUT/hostile/proc/irq/7" && echo 0-7 >"$OUT/hostile/proc/irq/7/smp_affinity_list"
timeout 20 "$LATDOC" check --root "$OUT/hostile" --json >"$OUT/stdout" 2>"$OUT/stderr"
STATUS=$?
check "5,000 MSI vectors on one NIC: audited in seconds, the one with an affinity kept" \
	sh -c "[ $STATUS -le 1 ] && jq -e '[.facts.virt.irqs[].irq] == [7] and ([.findings[] | select(.id == \"vm.host.irq\")] | length == 1)' '$OUT/stdout'"
