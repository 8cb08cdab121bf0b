# Bad input: broken files are reported with what and where, the audit goes
# on, nothing crashes or hangs; bad flags exit 2 with a message.
BASE=$ROOTS/intel-pstate-powersave

# A writable copy of a fixture root with one file replaced.
broken_root() {
	rm -rf "$OUT/broken" && cp -a "$BASE" "$OUT/broken"
}

# expect_problem NAME PATTERN: the audit of $OUT/broken ran clean (exit 0 or
# 1), without sanitizer reports, and its problems mention PATTERN.
expect_problem() {
	run "$LATDOC" check --root "$OUT/broken" --json
	if [ "$STATUS" -gt 1 ] || ! sanitizer_clean; then
		fail "$1: exit $STATUS" "$(head -20 "$OUT/stderr")"
	elif jq -e --arg p "$2" '[.problems[] | select(contains($p))] | length > 0' "$OUT/stdout" >/dev/null; then
		pass "$1"
	else
		fail "$1: no problem matching '$2'" "$(jq -c .problems "$OUT/stdout")"
	fi
}

broken_root; : >"$OUT/broken/proc/cpuinfo"
expect_problem "empty cpuinfo" "proc/cpuinfo: empty file"
check "empty cpuinfo: the rest of the audit still runs" jq -e '[.findings[].id] | index("cpu.governor") != null' "$OUT/stdout"

broken_root; printf 'processor\t: 0\nvendor\0_id : x\n' >"$OUT/broken/proc/cpuinfo"
expect_problem "binary cpuinfo" "proc/cpuinfo: binary data (a NUL byte at offset"

broken_root; head -c 300 "$BASE/proc/cpuinfo" >"$OUT/broken/proc/cpuinfo"
run "$LATDOC" check --root "$OUT/broken" --json
check "truncated cpuinfo still gives the model" jq -e '.facts.cpu.model_name == "Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz" and .problems == []' "$OUT/stdout"

broken_root; head -c 4000 /dev/urandom | tr -d '\000:' >"$OUT/broken/proc/cpuinfo"
expect_problem "garbage cpuinfo" "proc/cpuinfo: no 'key : value' lines"

broken_root; truncate -s 17M "$OUT/broken/proc/cpuinfo"
expect_problem "huge cpuinfo" "proc/cpuinfo: larger than 16 MiB"

broken_root; echo abc >"$OUT/broken/sys/devices/system/cpu/cpufreq/policy3/scaling_cur_freq"
expect_problem "garbage number" "policy3/scaling_cur_freq: 'abc' is not a number"

broken_root; echo "0-3,x" >"$OUT/broken/sys/devices/system/cpu/present"
expect_problem "garbage CPU list" "sys/devices/system/cpu/present: '0-3,x' is not a CPU list"
check "garbage CPU list: CPUs found from the cpuN directories" jq -e '.facts.cpu.count == 8' "$OUT/stdout"

broken_root; echo "always madvise never" >"$OUT/broken/sys/kernel/mm/transparent_hugepage/enabled"
expect_problem "THP without brackets" "transparent_hugepage/enabled: 'always madvise never' has no [selected] value"

broken_root; echo "lots" >"$OUT/broken/sys/devices/system/cpu/cpu1/power/pm_qos_resume_latency_us"
expect_problem "bad resume latency" "cpu1/power/pm_qos_resume_latency_us: 'lots' is neither a number nor n/a"

broken_root; printf 'abc' >"$OUT/broken/dev/cpu_dma_latency"
expect_problem "short cpu_dma_latency" "dev/cpu_dma_latency: 3 bytes where a 4-byte value was expected"

broken_root; printf 'root=/dev/sda "unterminated\n' >"$OUT/broken/proc/cmdline"
expect_problem "unbalanced quote in cmdline" "proc/cmdline: unbalanced quotes"

broken_root; echo "foo bar" >"$OUT/broken/proc/stat"
expect_problem "garbage /proc/stat" "proc/stat: no 'cpu' line"

broken_root; rm "$OUT/broken/proc/cpuinfo"; ln -s loop "$OUT/broken/proc/loop2"; ln -s loop2 "$OUT/broken/proc/loop"; ln -s loop "$OUT/broken/proc/cpuinfo"
expect_problem "symlink loop" "proc/cpuinfo: too many symbolic links"

broken_root; rm "$OUT/broken/proc/cpuinfo"; mkfifo "$OUT/broken/proc/cpuinfo"
expect_problem "FIFO instead of a file" "proc/cpuinfo: not a regular text file"

# Links that try to leave the root: one climbs, one is absolute. Neither may
# reach the file beside the root that says "always".
rm -rf "$OUT/escape" && mkdir -p "$OUT/escape" && cp -a "$BASE" "$OUT/escape/root"
echo "[always] madvise never" >"$OUT/escape/secret"
thp=$OUT/escape/root/sys/kernel/mm/transparent_hugepage
rm "$thp/enabled" "$thp/defrag"
ln -s ../../../../../../secret "$thp/enabled"
ln -s "$OUT/escape/secret" "$thp/defrag"
run "$LATDOC" check --root "$OUT/escape/root" --json
check "links cannot leave the root" jq -e '.facts.memory.thp_enabled == null and .facts.memory.thp_defrag == null and ([.findings[].id] | index("mem.thp") == null)' "$OUT/stdout"

# An unreadable file, seen by a user who is not root. The root and the binary
# are copied where that user can reach them: a clone may sit under a 0700
# directory (root cloning into /root), which nobody else can traverse.
if command -v setpriv >/dev/null 2>&1 && [ "$(id -u)" -eq 0 ]; then
	nobody_dir=$(mktemp -d /tmp/latdoc-unreadable.XXXXXX)
	chmod 755 "$nobody_dir"
	cp -a "$BASE" "$nobody_dir/root" && cp "$LATDOC" "$nobody_dir/latdoc"
	chmod -R a+rX "$nobody_dir/root"
	chmod 000 "$nobody_dir/root/proc/cpuinfo"
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$nobody_dir/latdoc" check --root "$nobody_dir/root" --json
	if [ "$STATUS" -le 1 ] && jq -e '[.problems[] | select(contains("proc/cpuinfo: Permission denied"))] | length == 1' "$OUT/stdout" >/dev/null; then
		pass "unreadable file reported"
	else
		fail "unreadable file reported" "$(cat "$OUT/stderr"; jq -c .problems "$OUT/stdout")"
	fi
	rm -rf "$nobody_dir"
else
	skip "unreadable file" "needs root and setpriv to drop privileges"
fi

# The root itself
run "$LATDOC" check --root /nonexistent/latdoc
check "missing root: exit 2" test "$STATUS" -eq 2
check "missing root: says what and where" grep -q "cannot use '/nonexistent/latdoc' as the root: No such file or directory" "$OUT/stderr"
run "$LATDOC" check --root "$BASE/proc/cpuinfo"
check "root is a file: exit 2 and says so" sh -c "[ $STATUS -eq 2 ] && grep -q 'not a directory' '$OUT/stderr'"
# A directory that is no machine must not pass for a clean one: a CI gate
# on "check --root WRONG" would pass
mkdir -p "$OUT/emptyroot"
expect_usage_error "an empty root: exit 2" "'$OUT/emptyroot' is not a machine root: it has neither proc/cpuinfo nor sys/devices/system/cpu" \
	check --root "$OUT/emptyroot" --json
check "an empty root: no report" test ! -s "$OUT/stdout"
rm -rf "$OUT/unpacked" && mkdir -p "$OUT/unpacked" && cp -a "$BASE" "$OUT/unpacked/web01"
expect_usage_error "a snapshot unpacked a level too high: names the one below" \
	"'$OUT/unpacked/web01' looks like one" check --root "$OUT/unpacked"
expect_usage_error "snapshot of a directory that is no machine: exit 2" "is not a machine root" \
	snapshot --root "$OUT/emptyroot" -o "$OUT/snap-of-nothing"

# Flags
expect_usage_error "unknown option" "unknown option '--bogus'" check --bogus
expect_usage_error "missing value" "--root needs a value (DIR)" check --root
expect_usage_error "a flag given a value" "--json takes no value" check --json=yes
expect_usage_error "an empty value" "--root needs a value (DIR), not ''" check --root ""
expect_usage_error "bad --fail-on" "--fail-on takes critical, warning or info, not 'severe'" check --fail-on severe
expect_usage_error "bad --only" "no check id starts with 'nosuch'" check --only nosuch
expect_usage_error "bad --color" "--color takes auto, always or never" check --color sometimes
expect_usage_error "stray argument" "unexpected argument 'extra'" check extra
expect_usage_error "unknown command" "'frobnicate' is not a command" frobnicate
expect_usage_error "snapshot without -o" "say where to write it: -o DIR" snapshot
expect_usage_error "snapshot into a non-empty directory" "not empty" snapshot -o "$BASE"
run "$LATDOC" help check
check "help check lists --fail-on" grep -q -- "--fail-on LEVEL" "$OUT/stdout"
run "$LATDOC" check --list-checks
# every id the code has is documented in docs/CHECKS.md, and no other
awk '{print $1}' "$OUT/stdout" | sort >"$OUT/ids.code"
sed -n 's/^## \([a-z_.]*\) — .*/\1/p' docs/CHECKS.md | sort >"$OUT/ids.docs"
check "--list-checks lists every id of docs/CHECKS.md, and only those" diff "$OUT/ids.code" "$OUT/ids.docs"
check "--list-checks has the VM checks" grep -q '^vm.cpu.mode' "$OUT/stdout"
run "$LATDOC" --version
check "--version" grep -qE '^latdoc [0-9]+\.[0-9]+\.[0-9]+$' "$OUT/stdout"

# A hostile dump: control bytes, a right-to-left override and bytes that are
# not UTF-8 in the strings latdoc prints, and a directory whose name tries to
# forge a report line. On a terminal nothing may act; JSON stays UTF-8.
broken_root
printf 'ev\033[31mil\007host\n' >"$OUT/broken/proc/sys/kernel/hostname"
printf '6.1\033]0;pwned\007-amd64\n' >"$OUT/broken/proc/sys/kernel/osrelease"
printf 'pow\342\200\256ersave\n' >"$OUT/broken/sys/devices/system/cpu/cpufreq/policy0/scaling_governor"
sed -i 's/^model name.*/model name\t: Intel(R) \xff\xfe Xeon(R) Gold 6148 CPU @ 2.40GHz/' "$OUT/broken/proc/cpuinfo"
printf 'C\0336\n' >"$OUT/broken/sys/devices/system/cpu/cpu0/cpuidle/state3/name"
forged=$(printf 'policy9\nNo finding: nothing here is known to cost latency.')
mkdir -p "$OUT/broken/sys/devices/system/cpu/cpufreq/$forged"
echo 0 >"$OUT/broken/sys/devices/system/cpu/cpufreq/$forged/related_cpus"
echo abc >"$OUT/broken/sys/devices/system/cpu/cpufreq/$forged/scaling_cur_freq"
run "$LATDOC" check --root "$OUT/broken" --color never
check "hostile strings: the audit runs" sh -c "[ $STATUS -le 1 ]"
# only newlines and printable bytes: no ESC, no BEL, no other control byte
check "hostile strings: no control byte reaches the terminal" sh -c \
	"! LC_ALL=C grep -q '[[:cntrl:]]' '$OUT/stdout'"
check "hostile strings: shown escaped, not dropped" sh -c \
	"grep -qF 'ev\\x1b[31mil\\x07host' '$OUT/stdout' && grep -qF 'pow\\u{202e}ersave' '$OUT/stdout' && grep -qF 'Intel(R) \\xff\\xfe Xeon' '$OUT/stdout'"
check "a file name cannot forge a report line" sh -c \
	"! grep -q '^No finding' '$OUT/stdout' && grep -qF 'policy9\\x0aNo finding' '$OUT/stdout'"
check "hostile strings: every line within 80 columns but unbreakable words" sh -c \
	"! awk 'length > 80 { sub(/^ +/, \"\"); if (/ /) print }' '$OUT/stdout' | grep -q ."
run "$LATDOC" check --root "$OUT/broken" --json
check "hostile strings: the JSON is valid UTF-8" sh -c "iconv -f UTF-8 -t UTF-8 '$OUT/stdout' >/dev/null"
check "hostile strings: the JSON parses, bytes that are not UTF-8 replaced" \
	jq -e '.facts.cpu.model_name | contains("Intel(R) \ufffd\ufffd Xeon")' "$OUT/stdout"
check "hostile strings: JSON keeps the machine's value, escaped by JSON itself" \
	jq -e '.host.hostname == "ev\u001b[31mil\u0007host"' "$OUT/stdout"
