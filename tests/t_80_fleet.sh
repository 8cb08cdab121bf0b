# latdoc fleet on reports made from every fixture root and corpus dump, on
# reports that are stale, broken or hostile, on measurements with an
# outlier; and the Ansible playbook in contrib/ansible run against this
# machine (connection local), writing only under $OUT.
F=$OUT/fleet
rm -rf "$F" && mkdir -p "$F/all"

# --- every fixture and dump -----------------------------------------------
n=0
for root in "$ROOTS"/* "$CORPUS"/sysroots/*; do
	[ -d "$root" ] || continue
	name=$(basename "$root")
	mkdir -p "$F/all/$name"
	"$LATDOC" check --root "$root" --json >"$F/all/$name/check.json" 2>/dev/null
	n=$((n + 1))
done
run "$LATDOC" fleet "$F/all" --json
if [ "$STATUS" -ne 0 ] || ! sanitizer_clean; then
	fail "fleet of $n reports: exit $STATUS" "$(head -20 "$OUT/stderr")"
else
	cp "$OUT/stdout" "$F/all.json"
	check "fleet reads all $n reports: as many hosts, none failed, none stale" \
		jq -e --argjson n "$n" '.fleet | (.hosts | length) == $n and (.failed | length) == 0 and (.stale | length) == 0' "$F/all.json"
	# the same grouping, worked out by jq from the reports themselves: a
	# report's host is its hostname, else its directory's name
	for d in "$F"/all/*/; do
		jq -c --arg dir "$(basename "$d")" '{host: (.host.hostname // $dir), findings: [.findings[] | {id, severity}]}' "$d/check.json"
	done | jq -s -S '[.[] | .host as $h | .findings[] | {id, host: $h}] | group_by(.id)
		| map({id: .[0].id, hosts: ([.[].host] | unique)}) | sort_by(.id)' >"$F/expected-groups.json"
	jq -S '[.fleet.findings[] | {id, hosts: (.hosts | sort)}] | sort_by(.id)' "$F/all.json" >"$F/groups.json"
	if diff -u "$F/expected-groups.json" "$F/groups.json" >"$F/groups.diff"; then
		pass "fleet: each finding's hosts are those whose report has it"
	else
		fail "fleet: findings grouped wrongly" "$(head -30 "$F/groups.diff")"
	fi
	check "fleet: per host, the findings of its report" jq -e --slurpfile r "$F/all/acpi-powersave-pinned/check.json" \
		'.fleet.hosts[] | select(.name == "dc-web12") | [.findings[].id] == [$r[0].findings[].id]' "$F/all.json"
	check "fleet: the checks ranked by worst severity, then by hosts" jq -e '[.fleet.findings[] |
		{s: ({"critical": 3, "warning": 2, "info": 1}[.worst]), n: (.hosts | length)}] as $g |
		[range(1; $g | length) | select($g[. - 1].s < $g[.].s or ($g[. - 1].s == $g[.].s and $g[. - 1].n < $g[.].n))] | length == 0' "$F/all.json"
	run "$LATDOC" fleet "$F/all"
	governed=$(jq '.fleet.findings[] | select(.id == "cpu.governor") | .hosts | length' "$F/all.json")
	check "fleet text: the count of hosts, and of those with cpu.governor" sh -c "head -1 '$OUT/stdout' | grep -qx '$n hosts' &&
		grep -q '^  critical cpu.governor  *$governed hosts' '$OUT/stdout'"
	check "fleet text: lines of 80 columns at most" sh -c "! awk 'length > 80' '$OUT/stdout' | grep -q ."
fi

# --- stale, failed, duplicated --------------------------------------------
mkdir -p "$F/mixed/fresh" "$F/mixed/old" "$F/mixed/down" "$F/mixed/broken" "$F/mixed/dup"
cp "$F/all/kvm-host/check.json" "$F/mixed/fresh/check.json"
jq --arg t "$(date -u -d '2 days ago' +%Y-%m-%dT%H:%M:%SZ)" '.generated = $t' "$F/all/tuned-clean/check.json" >"$F/mixed/old/check.json"
printf 'exit 2: latdoc check: cannot use / as the root: Permission denied\n' >"$F/mixed/down/check.err"
head -c 300 "$F/all/kvm-host/check.json" >"$F/mixed/broken/check.json"
jq '.generated = "2021-06-01T00:00:00Z"' "$F/all/kvm-host/check.json" >"$F/mixed/dup/check.json"
run "$LATDOC" fleet "$F/mixed" --json
check "a stale report and a failed run: exit 1" test "$STATUS" -eq 1
check "a report of two days ago is stale (by default after a day), the fresh one is not" jq -e '.fleet | .stale == ["api05"] and
	([.hosts[] | select(.name == "kvmhost01") | .stale] == [false])' "$OUT/stdout"
check "the playbook's check.err is a failed host, with its reason" jq -e '.fleet.failed | any(.report | endswith("down/check.err")) and
	any(.why | contains("Permission denied"))' "$OUT/stdout"
check "a cut report is a failed one: where it ends" jq -e '.fleet.failed | any(.report | endswith("broken/check.json")) and
	any(.why | test("not JSON: it ends early at byte 30[01]"))' "$OUT/stdout"
check "two reports of one host: the newer is used, the older named" jq -e '.fleet.duplicates | length == 1 and
	(.[0] | .host == "kvmhost01" and (.used | endswith("fresh/check.json")) and (.ignored | endswith("dup/check.json")))' "$OUT/stdout"
run "$LATDOC" fleet "$F/mixed/fresh" "$F/mixed/old" --stale 72h
check "--stale 72h: no report is stale, exit 0" sh -c "[ $STATUS -eq 0 ] && ! grep -q stale '$OUT/stdout'"
expect_usage_error "fleet without a directory" "name the directories" fleet
expect_usage_error "fleet of a directory that is not there" "'/nonexistent/reports'" fleet /nonexistent/reports

# --- hostile reports ------------------------------------------------------
H=$F/hostile
mkdir -p "$H/esc" "$H/schema" "$H/notutf8" "$H/deep" "$H/wide" "$H/nofindings" "$H/sev" "$H/loop"
jq '.host.hostname = "evil\u001b]0;owned\u0007\u001b[2J"' "$F/all/kvm-host/check.json" >"$H/esc/check.json"
jq '.schema = 99' "$F/all/kvm-host/check.json" >"$H/schema/check.json"
printf '{"schema": 1, "host": {"hostname": "a\377b"}, "findings": []}' >"$H/notutf8/check.json"
awk 'BEGIN { for (i = 0; i < 200; i++) printf "["; for (i = 0; i < 200; i++) printf "]" }' >"$H/deep/check.json"
awk 'BEGIN { printf "["; for (i = 0; i < 1100000; i++) printf "1,"; printf "1]" }' >"$H/wide/check.json"
printf '{"schema": 1, "host": {"hostname": "m"}}' >"$H/nofindings/check.json"
printf '{"schema": 1, "host": {"hostname": "s"}, "findings": [{"id": "x", "severity": "fatal", "subject": "y"}]}' >"$H/sev/check.json"
ln -s .. "$H/loop/up"
run "$LATDOC" fleet "$H"
if [ "$STATUS" -gt 1 ] || ! sanitizer_clean; then
	fail "fleet of hostile reports: exit $STATUS" "$(head -20 "$OUT/stderr")"
else
	pass "fleet of hostile reports: no crash, no sanitizer report"
	check "an escape sequence in a hostname is printed escaped, not sent to the terminal" sh -c "
		! grep -q \"\$(printf '\\033')\" '$OUT/stdout' && grep -qF 'evil\\x1b]0;owned\\x07\\x1b[2J' '$OUT/stdout'"
	for why in "schema 99; this latdoc reads schema 1" "not JSON: invalid utf-8" "more than 1000000 JSON values" \
		"no findings array" "finding 1 has no id, severity" "not JSON: nesting too deep"; do
		check "refused, with the reason: $why" grep -qF "$why" "$OUT/stdout"
	done
	check "a link in the tree is not followed" sh -c "! grep -q 'loop/up' '$OUT/stdout'"
	run "$LATDOC" fleet "$H" --json
	check "fleet --json of hostile reports is valid JSON" jq -e '.fleet.failed | length == 6' "$OUT/stdout"
fi

# --- outliers -------------------------------------------------------------
# six hosts measured alike but one: its timer wake-up p99 is twenty times
# the others', its clock half theirs
O=$F/outliers
i=0
for p99 in 40 42 41 39 43 900; do
	i=$((i + 1))
	mhz=2400
	[ "$p99" = 900 ] && mhz=1200
	mkdir -p "$O/h$i"
	jq --arg h "h$i" --argjson p "$p99" --argjson mhz "$mhz" '.host.hostname = $h | .measurements = {
		freq: {cpus: [{cpu: 0, mhz: $mhz}, {cpu: 1, mhz: $mhz}], rated_mhz: 2400, max_mhz: 3000},
		wake: {timer: {allowed: {p99_us: $p}, held: {p99_us: 12}}, cross_cpu: [{allowed: {p99_us: 30}}]}}' \
		"$F/all/tuned-clean/check.json" >"$O/h$i/check.json"
done
run "$LATDOC" fleet "$O" --json
check "outliers: h6's wake-up above and its clock below the fleet, nothing else" jq -e '.fleet.outliers |
	map("\(.host) \(.measure) \(.side)") | sort == ["h6 clock_mhz below", "h6 clock_ratio below", "h6 timer_wakeup_p99_us above"]' "$OUT/stdout"
check "outliers: the median they are judged against" jq -e '.fleet.outliers[] | select(.measure == "timer_wakeup_p99_us") |
	.value == 900 and .median == 41.5' "$OUT/stdout"
# a real measured report has the shape fleet reads
if "$LATDOC" check --measure --json >"$O/h1/check.json" 2>"$OUT/stderr"; [ $? -le 1 ]; then
	jq '.host.hostname = "measured"' "$O/h1/check.json" >"$O/h1/c" && mv "$O/h1/c" "$O/h1/check.json"
	run "$LATDOC" fleet "$O/h1" --json
	check "fleet reads the measurements of a real check --measure report" jq -e '.fleet.hosts[0].measurements |
		.clock_mhz > 0 and .timer_wakeup_p99_us > 0' "$OUT/stdout"
else
	fail "check --measure --json for fleet" "$(head -5 "$OUT/stderr")"
fi

# --- the Ansible playbook, against this machine ---------------------------
if command -v ansible-playbook >/dev/null; then
	A=$OUT/ansible
	rm -rf "$A" && mkdir -p "$A/tmp" && : >"$A/ansible.cfg"
	# the playbook's variables: latdoc copied to and run from under $A,
	# auditing a fixture; no package is installed
	playbook() { # EXTRA-VARS-JSON
		ANSIBLE_LOCAL_TEMP=$A/tmp ANSIBLE_REMOTE_TEMP=$A/tmp ANSIBLE_NOCOLOR=1 ANSIBLE_RETRY_FILES_ENABLED=0 \
			ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 \
			ANSIBLE_CONFIG=$A/ansible.cfg timeout 300 ansible-playbook -i localhost, -c local contrib/ansible/latdoc.yml \
			-e "{\"latdoc_binary\": \"$LATDOC\", \"latdoc_bindir\": \"$A/bin\", \"latdoc_packages\": [],
			     \"latdoc_workdir\": \"$A/work\", \"latdoc_results\": \"$A/results\", $1}" >"$A/log" 2>&1
	}
	if playbook "\"latdoc_root\": \"$ROOTS/acpi-powersave-pinned\""; then
		pass "ansible-playbook contrib/ansible/latdoc.yml against localhost"
		r=$A/results/localhost
		check "  latdoc installed where asked" test -x "$A/bin/latdoc"
		"$LATDOC" check --root "$ROOTS/acpi-powersave-pinned" --json 2>/dev/null |
			jq -r '.findings[] | "\(.id) \(.severity) \(.subject)"' | sort -u >"$A/want"
		jq -r '.findings[] | "\(.id) \(.severity) \(.subject)"' "$r/check.json" 2>/dev/null | sort -u >"$A/got"
		check "  the fetched report has check's findings" sh -c "[ -s '$A/got' ] && cmp -s '$A/want' '$A/got'"
		mkdir -p "$A/unpacked"
		if tar -C "$A/unpacked" -xzf "$r/snapshot.tar.gz" 2>/dev/null; then
			"$LATDOC" check --root "$A/unpacked/snapshot" --json | jq -r '.findings[] | "\(.id) \(.severity) \(.subject)"' |
				sort -u >"$A/snap"
			check "  the fetched snapshot audits to the same findings" cmp -s "$A/want" "$A/snap"
		else
			fail "  the fetched snapshot unpacks"
		fi
		run "$LATDOC" fleet "$A/results" --json
		check "  latdoc fleet reads what it fetched" jq -e '.fleet.hosts | length == 1 and .[0].name == "dc-web12"' "$OUT/stdout"
		if playbook "\"latdoc_root\": \"/nonexistent\", \"latdoc_install\": false, \"latdoc_snapshot\": false"; then
			check "  a run whose check fails leaves check.err, not the old report" sh -c "
				grep -q '^exit 2: latdoc check: cannot use' '$r/check.err' && [ ! -e '$r/check.json' ]"
			run "$LATDOC" fleet "$A/results" --json
			check "  and fleet counts that host as failed" jq -e '.fleet.failed | length == 1' "$OUT/stdout"
		else
			fail "ansible-playbook with a failing check still completes" "$(tail -20 "$A/log")"
		fi
	else
		fail "ansible-playbook contrib/ansible/latdoc.yml against localhost" "$(tail -30 "$A/log")"
	fi
else
	skip "the Ansible playbook" "no ansible-playbook (sh scripts/deps.sh --test)"
fi
