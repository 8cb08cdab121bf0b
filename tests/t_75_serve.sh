# latdoc serve, checked by the real tools: promtool on the exposition of
# every fixture root and corpus dump, a real Prometheus scraping it on
# loopback (its storage under $OUT), the alert rules under `promtool test
# rules`, the systemd units under systemd-analyze. Every server is started
# here, on 127.0.0.1, stopped by its pid, and every wait is bounded.
SPORT=$((10000 + $$ % 9000))
PROMPORT=$((SPORT + 1))
SERVE_PID=""

# serve_start PORT ARGS...: latdoc serve on 127.0.0.1:PORT, answering, or 1
serve_start() {
	port=$1; shift
	"$LATDOC" serve --listen "127.0.0.1:$port" "$@" 2>"$OUT/serve-$port.log" &
	SERVE_PID=$!
	for _ in $(seq 100); do
		curl -sf -o /dev/null --max-time 1 "http://127.0.0.1:$port/metrics" && return 0
		kill -0 "$SERVE_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# stop_pid PID: SIGTERM, at most 10 s for it to go, then SIGKILL; the exit
# status in STATUS
stop_pid() {
	kill "$1" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	STATUS=$?
}

# log_clean FILE: no sanitizer report in a server's log
log_clean() {
	! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|SUMMARY: UndefinedBehavior' "$1"
}

# metric FILE NAME{LABELS}: the value of one sample of an exposition
metric() {
	awk -v want="$2" '$1 == want { print $2; exit }' "$1"
}

# findings_of_metrics FILE / findings_of_json FILE: "id severity subject" lines, sorted
findings_of_metrics() {
	sed -n 's/^latdoc_finding{id="\([^"]*\)",severity="\([^"]*\)",subject="\([^"]*\)"} 1$/\1 \2 \3/p' "$1" | sort
}
findings_of_json() {
	jq -r '.findings[] | "\(.id) \(.severity) \(.subject)"' "$1" | sort -u
}

if ! command -v promtool >/dev/null || ! command -v prometheus >/dev/null || ! command -v curl >/dev/null; then
	skip "latdoc serve" "needs promtool, prometheus and curl (sh scripts/deps.sh --test)"
	return 0 2>/dev/null || exit 0
fi

# --- the exposition of every fixture and dump passes promtool ----------
bad="" n=0
for root in "$ROOTS"/* "$CORPUS"/sysroots/*; do
	[ -d "$root" ] || continue
	name=$(basename "$root")
	n=$((n + 1))
	run "$LATDOC" serve --once --root "$root"
	if [ "$STATUS" -ne 0 ] || ! sanitizer_clean || ! grep -q '^latdoc_build_info{' "$OUT/stdout"; then
		bad="$bad $name(exit $STATUS)"
		continue
	fi
	cp "$OUT/stdout" "$OUT/metrics-$name.prom"
	promtool check metrics <"$OUT/stdout" >"$OUT/promtool.out" 2>&1 || bad="$bad $name($(head -1 "$OUT/promtool.out"))"
done
check "promtool check metrics passes on all $n fixture roots and corpus dumps${bad:+ (not:$bad)}" test -z "$bad"

# the metrics say what check says: the same findings, counted alike
bad=""
for root in "$ROOTS"/*; do
	name=$(basename "$root")
	"$LATDOC" check --root "$root" --json >"$OUT/check-$name.json" 2>/dev/null
	findings_of_json "$OUT/check-$name.json" >"$OUT/f.json"
	findings_of_metrics "$OUT/metrics-$name.prom" >"$OUT/f.prom"
	crit=$(jq '[.findings[] | select(.severity == "critical")] | length' "$OUT/check-$name.json")
	cmp -s "$OUT/f.json" "$OUT/f.prom" &&
		[ "$(metric "$OUT/metrics-$name.prom" 'latdoc_findings{severity="critical"}')" = "$crit" ] ||
		bad="$bad $name"
done
check "latdoc_finding and latdoc_findings agree with check --json on every fixture${bad:+ (not:$bad)}" test -z "$bad"
m=$OUT/metrics-acpi-powersave-pinned.prom
check "the generic powersave policy: driver and governor labelled" \
	grep -q '^latdoc_cpufreq_policy_info{policy="policy0",driver="acpi-cpufreq",governor="powersave"} 1$' "$m"
check "a policy's clock in hertz" test "$(metric "$m" 'latdoc_cpufreq_policy_min_hertz{policy="policy0"}')" = 1200000000
m=$OUT/metrics-kvm-host.prom
check "a KVM host's VMs: CPU mode, pins, disk bus and NIC model" sh -c "
	grep -q '^latdoc_vm_disks{vm=\"web01\",bus=\"ide\"} 1$' '$m' &&
	grep -q '^latdoc_vm_nics{vm=\"web01\",model=\"e1000\"} 1$' '$m' &&
	grep -q '^latdoc_vm_vcpus_pinned{vm=\"db01\"} 2$' '$m' &&
	grep -q '^latdoc_vm_info{vm=\"web01\",type=\"kvm\",cpu_mode=\"custom\"} 1$' '$m'"
m=$OUT/metrics-pmqos-held.prom
check "a held PM QoS limit: latdoc_pm_qos_held 1, its value in seconds" sh -c "
	[ \"\$(awk '\$1 == \"latdoc_pm_qos_held\" {print \$2}' '$m')\" = 1 ] &&
	grep -q '^latdoc_pm_qos_cpu_dma_latency_seconds ' '$m'"
check "a held PM QoS limit: who holds it, by command" grep -q '^latdoc_pm_qos_holders{command="tuned"} 1$' "$m"
check "idle states by name with exit latency and CPUs enabled" \
	grep -q '^latdoc_cpuidle_state_enabled_cpus{state="C6"} 8$' "$OUT/metrics-intel-pstate-powersave.prom"

# unprivileged, /dev/cpu_dma_latency cannot be read: the global limit is
# left out, and "no limit held" is not claimed from the per-CPU ones alone
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	setpriv --reuid=65534 --regid=65534 --clear-groups "$LATDOC" serve --once >"$OUT/stdout" 2>"$OUT/stderr"
	STATUS=$?
	check "serve as nobody: exit 0, the global PM QoS limit left out, not called unheld" sh -c "
		[ $STATUS -eq 0 ] && ! grep -q '^latdoc_pm_qos_cpu_dma_latency_seconds' '$OUT/stdout' &&
		! grep -q '^latdoc_pm_qos_held 0' '$OUT/stdout' && grep -q '^latdoc_pm_qos_resume_latency_limited_cpus' '$OUT/stdout'"
else
	skip "serve as nobody" "needs root and setpriv"
fi

# --- bad command lines ---------------------------------------------------
expect_usage_error "serve --measure-every with a dump" "cannot be used with --root" \
	serve --measure-every 1m --root "$ROOTS/kvm-host"
expect_usage_error "serve --listen with a bare IPv6 address" "goes in brackets" serve --listen ::1:80 --root "$ROOTS/kvm-host"
expect_usage_error "serve --interval without a unit" "--interval" serve --interval 5
expect_usage_error "serve --once of a root that is not there" "cannot use '/nonexistent'" serve --once --root /nonexistent

# --- the server -----------------------------------------------------------
ROOT=$ROOTS/acpi-powersave-pinned
URL=http://127.0.0.1:$SPORT
if ! serve_start "$SPORT" --root "$ROOT" --interval 1s; then
	fail "serve starts on 127.0.0.1:$SPORT" "$(cat "$OUT/serve-$SPORT.log")"
else
	pass "serve starts on 127.0.0.1:$SPORT"
	# an idle connection, and one that sends half a request, are closed
	# within the idle timeout (5 s); timed in the background meanwhile
	bash -c 'start=$(date +%s%N); exec 3<>/dev/tcp/127.0.0.1/'"$SPORT"'; timeout 15 cat <&3 >/dev/null;
		echo $((($(date +%s%N) - start) / 1000000))' >"$OUT/idle.ms" 2>&1 &
	IDLE=$!
	bash -c 'start=$(date +%s%N); exec 3<>/dev/tcp/127.0.0.1/'"$SPORT"'; printf "GET /metrics HTTP/1.1\r\nHost: x\r\n" >&3;
		timeout 15 cat <&3 >/dev/null; echo $((($(date +%s%N) - start) / 1000000))' >"$OUT/slow.ms" 2>&1 &
	SLOW=$!

	curl -s -D "$OUT/h" -o "$OUT/body" "$URL/metrics"
	check "GET /metrics: 200, the text format 0.0.4" grep -qi '^content-type: text/plain; version=0.0.4' "$OUT/h"
	check "the served exposition passes promtool" sh -c "promtool check metrics <'$OUT/body'"
	findings_of_metrics "$OUT/body" >"$OUT/f.served"
	findings_of_json "$OUT/check-acpi-powersave-pinned.json" >"$OUT/f.json"
	check "the served findings are check's" cmp -s "$OUT/f.served" "$OUT/f.json"
	size=$(wc -c <"$OUT/body")
	curl -s -I "$URL/metrics" >"$OUT/h"
	check "HEAD /metrics: the GET's length, no body" grep -qi "^content-length: $size" "$OUT/h"
	curl -s -H 'Accept: application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5,*/*;q=0.1' \
		-D "$OUT/h" -o "$OUT/om" "$URL/metrics"
	check "OpenMetrics when asked: its type, info and counter families, # EOF at the end" sh -c "
		grep -qi '^content-type: application/openmetrics-text; version=1.0.0' '$OUT/h' &&
		grep -q '^# TYPE latdoc_build info$' '$OUT/om' && grep -q '^# TYPE latdoc_audits counter$' '$OUT/om' &&
		grep -q '^latdoc_audits_total ' '$OUT/om' && [ \"\$(tail -1 '$OUT/om')\" = '# EOF' ]"
	for method in POST PUT DELETE OPTIONS; do
		curl -s -X "$method" -D "$OUT/h" -o /dev/null "$URL/metrics"
		check "$method /metrics: 405, Allow: GET, HEAD" sh -c "grep -q '^HTTP/1.1 405' '$OUT/h' && grep -qi '^allow: GET, HEAD' '$OUT/h'"
	done
	check "a GET with a body: 400, unread" sh -c "curl -s -X GET -d 'x=1' -o /dev/null -w '%{http_code}' '$URL/metrics' | grep -qx 400"
	check "an unknown path: 404" sh -c "curl -s -o /dev/null -w '%{http_code}' '$URL/etc/passwd' | grep -qx 404"
	check "/: a page that links /metrics" sh -c "curl -s '$URL/' | grep -q 'href=\"/metrics\"'"
	big=$(head -c 20000 /dev/zero | tr '\0' a)
	code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$URL/metrics")
	check "a 20 kB header is refused ($code), not read whole" test "$code" = 431 -o "$code" = 413 -o "$code" = 400 -o "$code" = 000
	code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/$big")
	check "a 20 kB request line is refused ($code)" test "$code" = 414 -o "$code" = 431 -o "$code" = 400 -o "$code" = 000

	wait "$IDLE" "$SLOW"
	idle=$(cat "$OUT/idle.ms") slow=$(cat "$OUT/slow.ms")
	check "an idle connection is closed after the 5 s timeout (${idle} ms)" test "$idle" -ge 4000 -a "$idle" -le 9000
	check "half a request is not waited on beyond it (${slow} ms)" test "$slow" -ge 4000 -a "$slow" -le 9000

	# (after the idle ones above are gone: they would be the first to make
	# room) more connections from one address than it may hold, none asking:
	# the one that has waited longest makes room, so a 13th that asks is
	# served while the 12 are open, and 5 of them have been closed (for
	# the 9th to the 12th and for the 13th)
	bash -c 'fds=(); for i in $(seq 12); do exec {fd}<>/dev/tcp/127.0.0.1/'"$SPORT"'; fds+=("$fd"); done
		sleep 3; n=0
		for fd in "${fds[@]}"; do timeout 0.2 cat <&"$fd" >/dev/null 2>&1 && n=$((n + 1)); done
		echo "$n"' >"$OUT/flood.closed" 2>/dev/null &
	FLOOD=$!
	sleep 1
	code=$(curl -s -o /dev/null --max-time 1 -w '%{http_code}' "$URL/metrics")
	check "a 13th connection from one address is served ($code) while 12 idle ones are open" test "$code" = 200
	wait "$FLOOD"
	check "  the 5 that waited longest made room: closed by the server ($(cat "$OUT/flood.closed"))" \
		test "$(cat "$OUT/flood.closed")" = 5
	check "still auditing every second: latdoc_audits_total >= 3" sh -c "
		curl -s '$URL/metrics' >'$OUT/body' && [ \"\$(awk '\$1 == \"latdoc_audits_total\" {print \$2}' '$OUT/body')\" -ge 3 ]"

	# a second server on the same port says why it cannot start
	run "$LATDOC" serve --listen "127.0.0.1:$SPORT" --root "$ROOT"
	check "a port in use: exit 2, and says so" sh -c "[ $STATUS -eq 2 ] && grep -q 'cannot listen on 127.0.0.1:$SPORT: Address already in use' '$OUT/stderr'"

	# --- a real Prometheus scrapes it, with the alert rules loaded ------
	P=$OUT/prometheus
	rm -rf "$P" && mkdir -p "$P/data"
	cp contrib/prometheus/latdoc-alerts.yml "$P/"
	cat >"$P/prometheus.yml" <<-EOF
	global:
	  scrape_interval: 1s
	  evaluation_interval: 1s
	rule_files: [latdoc-alerts.yml]
	scrape_configs:
	  - job_name: latdoc
	    static_configs:
	      - targets: ['127.0.0.1:$SPORT']
	        labels: {latency_host: "true"}
	EOF
	(cd "$P" && exec prometheus --config.file=prometheus.yml --storage.tsdb.path="$P/data" \
		--web.listen-address="127.0.0.1:$PROMPORT" --log.level=warn >"$P/log" 2>&1) &
	PROM=$!
	API=http://127.0.0.1:$PROMPORT/api/v1
	q='latdoc_finding{id="cpu.governor"}'
	found=""
	for _ in $(seq 150); do
		curl -sf -G --data-urlencode "query=$q" "$API/query" >"$P/answer" 2>/dev/null &&
			[ "$(jq '.data.result | length' "$P/answer")" -gt 0 ] && found=1 && break
		kill -0 "$PROM" 2>/dev/null || break
		sleep 0.2
	done
	if [ -n "$found" ]; then
		pass "Prometheus scrapes latdoc serve: $q is there"
		check "  with the finding's labels and the target's" jq -e '.data.result[0].metric |
			.severity == "critical" and .subject == "cpus 0-3" and .job == "latdoc" and .latency_host == "true"' "$P/answer"
		curl -sf "$API/targets" >"$P/targets"
		check "  the target is up, no scrape error" jq -e '.data.activeTargets[0] | .health == "up" and .lastError == ""' "$P/targets"
		curl -sf "$API/rules" >"$P/rules"
		check "  the alert rules load and evaluate without error" jq -e '[.data.groups[].rules[]] |
			length == 7 and all(.health == "ok")' "$P/rules"
		# this host: the generic powersave (critical), deep C-states open
		WANT_PENDING="LatdocClockHeldLow LatdocCriticalFinding LatdocDeepCStatesOpen"
		pending=""
		for _ in $(seq 50); do
			curl -sf "$API/alerts" >"$P/alerts"
			pending=$(jq -r '[.data.alerts[] | select(.state == "pending") | .labels.alertname] | unique | join(" ")' "$P/alerts")
			[ "$pending" = "$WANT_PENDING" ] && break
			sleep 0.2
		done
		check "  its alerts are pending, and no other: $pending" test "$pending" = "$WANT_PENDING"
	else
		fail "Prometheus scrapes latdoc serve: no $q within 30 s" "$(tail -5 "$P/log"; cat "$P/answer" 2>/dev/null)"
	fi
	stop_pid "$PROM"
	check "Prometheus kept its storage under the test's directory" test -d "$P/data/wal"

	stop_pid "$SERVE_PID"
	check "serve stops on SIGTERM: exit 0, nothing leaked ($STATUS)" sh -c "[ $STATUS -eq 0 ] && grep -q 'stopping after' '$OUT/serve-$SPORT.log'"
	check "serve's log has no sanitizer report" log_clean "$OUT/serve-$SPORT.log"
fi

# --- measurements within the duty cycle ----------------------------------
if serve_start "$SPORT" --interval 1s --measure-every 1s; then
	got=""
	for _ in $(seq 120); do
		curl -s "$URL/metrics" >"$OUT/body"
		[ "$(metric "$OUT/body" latdoc_measurements_total)" = 1 ] && [ -n "$(metric "$OUT/body" latdoc_audits_total)" ] &&
			grep -q '^latdoc_measured_' "$OUT/body" && got=1 && break
		sleep 0.5
	done
	if [ -n "$got" ]; then
		pass "serve --measure-every: a measurement, and its metrics"
		check "  the measured clock per CPU, the timer wake-up by percentile" sh -c "
			grep -q '^latdoc_measured_clock_hertz{cpu=\"0\"} ' '$OUT/body' &&
			grep -q '^latdoc_measured_timer_wakeup_seconds{cstates=\"allowed\",percentile=\"99\"} ' '$OUT/body'"
		start=$(metric "$OUT/body" process_start_time_seconds)
		cpu=$(metric "$OUT/body" latdoc_measurement_cpu_seconds_total)
		next=$(metric "$OUT/body" latdoc_measurement_next_timestamp_seconds)
		check "  the next one waits until its CPU time is 1% of the exporter's life (cpu ${cpu} s)" \
			awk -v s="$start" -v c="$cpu" -v n="$next" 'BEGIN { exit !(c > 0 && n >= s + c / 0.01 - 0.01) }'
		sleep 2
		curl -s "$URL/metrics" >"$OUT/body"
		check "  and no second measurement comes before (--measure-every 1s asks for one a second)" \
			test "$(metric "$OUT/body" latdoc_measurements_total)" = 1
	else
		fail "serve --measure-every: no measurement within 60 s" "$(cat "$OUT/serve-$SPORT.log")"
	fi
	stop_pid "$SERVE_PID"
	check "serve --measure-every stops cleanly ($STATUS)" sh -c "[ $STATUS -eq 0 ] && ! grep -qE 'Sanitizer|runtime error' '$OUT/serve-$SPORT.log'"
else
	fail "serve --measure-every starts" "$(cat "$OUT/serve-$SPORT.log")"
fi

# --- hostile scrapers ----------------------------------------------------
# 32 connections from four addresses (127.0.0.10-13) hold every slot, as
# slowloris (a header byte a second, never a whole request) and as readers
# that ask and never read; each is opened again as soon as it is closed.
# A scraper on 127.0.0.1 asks every 250 ms meanwhile. libmicrohttpd's own
# timeout counted from the last byte, so the slowloris held every slot for
# as long as it went on and one scrape in five was served.
if serve_start "$SPORT" --root "$ROOTS/acpi-powersave-pinned" --interval 5s; then
	for mode in slowloris noread; do
		"$TOP/$SAN/http_hostile" "$mode" "$SPORT" 4 8 8 >"$OUT/hostile-$mode.txt" 2>&1
		read -r _ _ opened _ closed _ longest _ tried _ served _ slowest <<-EOF
		$(tr '\n' ' ' <"$OUT/hostile-$mode.txt")
		EOF
		check "$mode: every scrape is served while 32 connections attack ($served of $tried, slowest $slowest ms)" \
			sh -c "[ '${tried:-0}' -ge 20 ] && [ '$served' = '$tried' ]"
		check "$mode: no attacking connection is held beyond the deadline ($longest ms, $closed of $opened closed)" \
			sh -c "[ '${closed:-0}' -ge 32 ] && [ '$longest' -le 8000 ]"
	done
	stop_pid "$SERVE_PID"
	check "serve under attack stops on SIGTERM: exit 0 ($STATUS)" test "$STATUS" -eq 0
	check "  its log has no sanitizer report" log_clean "$OUT/serve-$SPORT.log"
else
	fail "serve starts for the hostile scrapers" "$(cat "$OUT/serve-$SPORT.log")"
fi

# --- the alert rules ------------------------------------------------------
run promtool check rules contrib/prometheus/latdoc-alerts.yml
check "promtool check rules: the alert rules are valid" test "$STATUS" -eq 0
(cd contrib/prometheus && timeout 60 promtool test rules latdoc-alerts.test.yml) >"$OUT/stdout" 2>&1
if [ $? -eq 0 ]; then pass "promtool test rules: every alert fires where it should, and only there"
else fail "promtool test rules" "$(cat "$OUT/stdout")"; fi

# --- the systemd units ----------------------------------------------------
if command -v systemd-analyze >/dev/null; then
	stage=$OUT/stage-units
	rm -rf "$stage"
	meson install -C "$TOP/$SAN" --no-rebuild --destdir "$stage" >"$OUT/install.log" 2>&1
	prefix=$stage$(meson introspect "$TOP/$SAN" --buildoptions | jq -r '.[] | select(.name == "prefix") | .value')
	for unit in latdoc-exporter latdoc-rtt; do
		installed=$prefix/lib/systemd/system/$unit.service
		if [ ! -f "$installed" ]; then
			fail "$unit.service is installed under the prefix"
			continue
		fi
		# the installed unit, but with ExecStart on the latdoc under test
		sed "s|^ExecStart=[^ ]*/latdoc |ExecStart=$LATDOC |" "$installed" >"$OUT/$unit.service"
		(cd "$OUT" && MANPATH=$prefix/share/man timeout 60 systemd-analyze verify "$OUT/$unit.service") >"$OUT/verify.out" 2>&1
		st=$?
		if [ "$st" -eq 0 ] && [ ! -s "$OUT/verify.out" ]; then
			pass "systemd-analyze verify $unit.service: no error, no warning"
		else
			fail "systemd-analyze verify $unit.service (exit $st)" "$(cat "$OUT/verify.out")"
		fi
		score=$(timeout 60 systemd-analyze security --offline=yes "$OUT/$unit.service" 2>/dev/null |
			sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
		echo "systemd-analyze security $unit.service: exposure $score"
		check "$unit.service is hardened: exposure ${score:-?} of 10, at most 2.0" \
			awk -v s="${score:-99}" 'BEGIN { exit !(s <= 2.0) }'
	done
	check "the exporter's unit runs serve as a dynamic user without capabilities" sh -c "
		grep -qx 'DynamicUser=yes' '$OUT/latdoc-exporter.service' && grep -qx 'CapabilityBoundingSet=' '$OUT/latdoc-exporter.service' &&
		grep -q '^ExecStart=.* serve$' '$OUT/latdoc-exporter.service'"
	check "the rtt unit takes its key as a credential" grep -qx 'LoadCredential=rtt.key:/etc/latdoc/rtt.key' "$OUT/latdoc-rtt.service"
else
	skip "systemd units" "no systemd-analyze"
fi
