# The test harness: each check calls pass, fail or skip; run.sh prints the
# totals as "N passed, N failed[, N skipped]".
PASSED=0
FAILED=0
SKIPPED=0

pass() { PASSED=$((PASSED + 1)); [ -n "${VERBOSE:-}" ] && echo "ok - $1"; return 0; }
fail() { FAILED=$((FAILED + 1)); echo "FAIL - $1"; [ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/    /' | head -40; return 0; }
skip() { SKIPPED=$((SKIPPED + 1)); echo "skip - $1: $2"; return 0; }

# check NAME CONDITION-COMMAND...: passes when the command succeeds
check() { local cname="$1"; shift; if "$@" >/dev/null 2>&1; then pass "$cname"; else fail "$cname"; fi; }

# Runs a command with a time limit, keeping stdout, stderr and status.
run() {
	timeout 60 "$@" >"$OUT/stdout" 2>"$OUT/stderr"
	STATUS=$?
}

# A sanitizer report or a crash in stderr fails whatever printed it.
sanitizer_clean() {
	! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: UndefinedBehavior' "$OUT/stderr"
}

# expect_usage_error NAME PATTERN ARGS...: latdoc ARGS exits 2 and says PATTERN
expect_usage_error() {
	name=$1 pattern=$2; shift 2
	run "$LATDOC" "$@"
	if [ "$STATUS" -eq 2 ] && grep -q -- "$pattern" "$OUT/stderr" && sanitizer_clean; then
		pass "$name"
	else
		fail "$name: exit $STATUS" "$(cat "$OUT/stderr")"
	fi
}

# a jq test on a latency summary: samples, and min <= p50 <= ... <= max
PERCENTILES_IN_ORDER='.samples > 0 and .min_us >= 0 and .min_us <= .p50_us and .p50_us <= .p90_us and .p90_us <= .p99_us and .p99_us <= .p999_us and .p999_us <= .max_us'

# machine_skeleton DIR: the least a directory needs to be a machine root
# (check refuses one without proc/cpuinfo and sys/devices/system/cpu): one
# CPU of a KVM host, nothing else.
machine_skeleton() {
	mkdir -p "$1/proc" "$1/sys/devices/system/cpu" "$1/dev"
	printf 'processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) Gold 6148 CPU @ 2.40GHz\nflags\t\t: fpu vmx constant_tsc\n\n' >"$1/proc/cpuinfo"
	echo 0 >"$1/sys/devices/system/cpu/online"
	: >"$1/dev/kvm"
}

# The check ids, as `check --list-checks` names them: $OUT/check-ids, sorted
check_ids() {
	[ -s "$OUT/check-ids" ] || "$LATDOC" check --list-checks 2>/dev/null | awk '{print $1}' | sort >"$OUT/check-ids"
	echo "$OUT/check-ids"
}

# unknown_ids [REPORT]: finding ids of a `check --json` report ($OUT/stdout by
# default) that are not check ids, one a line; nothing when all are
unknown_ids() {
	jq -r '.findings[].id' "${1:-$OUT/stdout}" | sort -u | comm -23 - "$(check_ids)"
}

# ids_known WHAT: every finding id of $OUT/stdout is a check id
ids_known() {
	unknown=$(unknown_ids)
	if [ -z "$unknown" ]; then
		pass "$1: every finding id is a check id"
	else
		fail "$1: finding ids that --list-checks does not name" "$unknown"
	fi
}

# latdoc_json FILE ARGS...: `latdoc ARGS` into FILE. A crash, an error exit
# (over 1) or a sanitizer report fails the test and returns 1, so that a jq
# over FILE can never pass on the empty output of a crash.
latdoc_json() {
	json_out=$1; shift
	timeout 60 "$LATDOC" "$@" >"$json_out" 2>"$OUT/stderr"
	STATUS=$?
	if [ "$STATUS" -gt 1 ] || ! sanitizer_clean; then
		fail "latdoc $*: exit $STATUS" "$(head -20 "$OUT/stderr")"
		return 1
	fi
}

# check_json FILE ARGS...: `latdoc check ARGS --json` into FILE, as latdoc_json
check_json() {
	json_out=$1; shift
	latdoc_json "$json_out" check "$@" --json
}
