# rtt and ttfb, on loopback only, against servers this test starts and
# stops itself (each bounded by --duration or its own timer). Where the
# kernel has netem, a second accuracy test runs between two network
# namespaces made for it; otherwise it says it is skipped. Timing checks
# assert properties (order, bounds a late wake-up cannot reach), not tight
# figures: the machine is shared.
TOOLS=$TOP/$SAN
PORT=$((20000 + $$ % 20000))
printf 'a shared secret\n' >"$OUT/key"
printf 'another secret\n' >"$OUT/otherkey"
# a summary in order; p99 and p99.9 are null below 1,000 and 10,000 samples
PCT='.samples > 0 and .min_us >= 0 and .min_us <= .p50_us and .p50_us <= .p90_us and .p90_us <= .max_us and (.p99_us == null or (.p90_us <= .p99_us and .p99_us <= .max_us)) and (.p999_us == null or (.p99_us <= .p999_us and .p999_us <= .max_us))'
HEAD='.schema == 1 and (.version | type == "string") and .host.live == true and (.host.kernel | type == "string")'

start_server() { # PORT ARGS...: a bounded rtt server in the background, up once it says so
	port=$1; shift
	"$LATDOC" rtt --serve --listen "127.0.0.1:$port" --duration 60s "$@" 2>"$OUT/server-$port.log" &
	SERVERS="${SERVERS:-} $!"
	for _ in $(seq 30); do
		grep -q "serving" "$OUT/server-$port.log" 2>/dev/null && return 0
		sleep 0.1
	done
}
# by pid: in sh, $(jobs -p) runs in a subshell that has no jobs
stop_servers() {
	[ -n "${SERVERS:-}" ] && kill $SERVERS 2>/dev/null && wait $SERVERS 2>/dev/null
	SERVERS=""
}
# ctrl_c SECONDS ARGS...: latdoc ARGS, SIGINT after SECONDS; its output in
# $OUT/stdout, status in STATUS
ctrl_c() {
	after=$1; shift
	"$LATDOC" "$@" >"$OUT/stdout" 2>"$OUT/stderr" &
	pid=$!
	sleep "$after"
	kill -INT "$pid"
	wait "$pid"
	STATUS=$?
}

# --- rtt ----------------------------------------------------------------
start_server "$PORT"
run "$LATDOC" rtt "127.0.0.1:$PORT" --count 500 --json
if [ "$STATUS" -ne 0 ] || ! sanitizer_clean; then
	fail "rtt over UDP: exit $STATUS" "$(head -20 "$OUT/stderr")"
else
	check "rtt over UDP: 500 sent, 500 received, none lost, duplicated or reordered" \
		jq -e '.rtt | .sent == 500 and .received == 500 and .lost == 0 and .duplicates == 0 and .reordered == 0' "$OUT/stdout"
	check "rtt: a warm-up first, not counted" jq -e '.rtt.warmup > 0' "$OUT/stdout"
	check "rtt over UDP: percentiles in order, p99 not given from 500 samples" \
		jq -e ".rtt.rtt | ($PCT) and .p99_us == null" "$OUT/stdout"
	check "rtt over UDP: the kernel's receive stamp comes before the client has the reply, never before the send" \
		jq -e '.rtt | .to_kernel_receive.min_us >= 0 and .to_kernel_receive.p50_us <= .rtt.p50_us and .stamps_negative == 0' "$OUT/stdout"
	check "rtt --json: the head of check's JSON (schema, version, host)" jq -e "$HEAD" "$OUT/stdout"
	base=$(jq '.rtt.rtt.p50_us' "$OUT/stdout")
fi
run "$LATDOC" rtt "127.0.0.1:$PORT" --count 200 --tcp --json
check "rtt over TCP: 200 of 200, in order" sh -c "[ $STATUS -eq 0 ] && jq -e '.rtt | .protocol == \"tcp\" and .received == 200 and (.rtt | $PCT)' '$OUT/stdout'"
run "$LATDOC" rtt "127.0.0.1:$PORT" --count 200 --interval 1ms --json
check "rtt paced: 200 of 200, from the send and from when due, send lateness kept" \
	sh -c "[ $STATUS -eq 0 ] && jq -e '.rtt | .mode == \"paced\" and .received == 200 and .send_lateness.samples == 200 and .rtt_from_due.p50_us >= .rtt.p50_us and .elapsed_s > 0.15' '$OUT/stdout'"
run "$LATDOC" rtt "127.0.0.1:$PORT" --duration 300ms --interval 2ms --json
check "rtt --duration: about 150 probes in 0.3 s at 2 ms" \
	sh -c "[ $STATUS -eq 0 ] && jq -e '.rtt.sent >= 120 and .rtt.sent <= 170' '$OUT/stdout'"
# a poll's timeout runs 0.1% of itself late (400 us at 400 ms); the timer
# rtt waits on does not: its median lateness stays that of a wake-up
run "$LATDOC" rtt "127.0.0.1:$PORT" --count 6 --interval 400ms --json
late=$(jq '.rtt.send_lateness.p50_us' "$OUT/stdout" 2>/dev/null)
echo "rtt --interval 400ms: send lateness p50 ${late} us"
check "rtt paced at 400 ms: probes leave well within the 400 us a poll would add (p50 ${late} us)" \
	awk -v a="$late" 'BEGIN { exit !(a != "" && a < 250) }'
# a TCP peer that sends 1000 probes of 9000 bytes and reads nothing: a
# reply the server could send only part of ends the connection (left open,
# the rest of that stream was read out of frame: 2990888 bytes, 332.3
# replies, and the connection still open)
"$TOOLS/rtt_hostile" stall 127.0.0.1 "$PORT" >"$OUT/stall.txt" 2>&1
read -r _ got state <"$OUT/stall.txt"
check "rtt --serve: a reply cut short ends the connection ($got bytes, $state)" \
	sh -c "[ '$state' = closed ] || [ \$(( ${got:-1} % 9000 )) -eq 0 -a '$state' = open ]"
stop_servers

# listening on IPv6 and IPv4 by default
DUAL_PORT=$((PORT + 9))
"$LATDOC" rtt --serve --listen ":$DUAL_PORT" --duration 20s 2>"$OUT/server-dual.log" &
SERVERS="$!"
for _ in $(seq 30); do grep -q serving "$OUT/server-dual.log" && break; sleep 0.1; done
check "rtt --serve: by default on every IPv6 and IPv4 address, said once bound" grep -q "on \[::\]:$DUAL_PORT (IPv6 and IPv4)" "$OUT/server-dual.log"
run "$LATDOC" rtt "[::1]:$DUAL_PORT" --count 20 --json
check "rtt to ::1 is answered" jq -e '.rtt.received == 20' "$OUT/stdout"
run "$LATDOC" rtt "127.0.0.1:$DUAL_PORT" --count 20 --json
check "rtt to 127.0.0.1 is answered by the same server" jq -e '.rtt.received == 20' "$OUT/stdout"
run "$LATDOC" rtt --serve --listen ":$DUAL_PORT" --duration 1s
check "rtt --serve on a port in use: an error, and no 'serving' before it" \
	sh -c "[ $STATUS -eq 2 ] && grep -q 'cannot listen on :$DUAL_PORT' '$OUT/stderr' && ! grep -q serving '$OUT/stderr'"
stop_servers

# accuracy: a server holding each reply 2000 us must read as 2000 us more
DELAY_PORT=$((PORT + 1))
start_server "$DELAY_PORT" --delay 2ms
run "$LATDOC" rtt "127.0.0.1:$DELAY_PORT" --count 300 --json
if [ -n "${base:-}" ] && [ "$STATUS" -eq 0 ]; then
	added=$(jq --argjson b "$base" '.rtt.rtt.p50_us - $b' "$OUT/stdout")
	echo "rtt --delay 2ms: the client sees ${added} us more at p50"
	check "rtt --delay 2ms: the added delay read within 5% (${added} us)" \
		awk -v a="$added" 'BEGIN { exit !(a >= 1900 && a <= 2100) }'
else
	fail "rtt --delay 2ms: no measurement" "$(head -5 "$OUT/stderr")"
fi
# a held reply belongs to its connection: a new one in the same slot gets nothing
"$TOOLS/rtt_hostile" slot 127.0.0.1 "$DELAY_PORT" >"$OUT/slot.txt" 2>&1
check "rtt --serve --delay: a reply held for a closed connection is not sent on the next" grep -qx 'slot 64 0' "$OUT/slot.txt"
stop_servers

# one source flooding within its rate does not take every held reply
QUEUE_PORT=$((PORT + 8))
start_server "$QUEUE_PORT" --delay 1s
"$TOOLS/rtt_hostile" queue 127.0.0.1 "$QUEUE_PORT" >"$OUT/queue.txt" 2>&1
check "rtt --serve --delay 1s: another source is answered while one floods (10 of 10: $(cat "$OUT/queue.txt"))" \
	grep -qx 'queue 640 640' "$OUT/queue.txt"
stop_servers

# netem between two namespaces, where the kernel has it
if command -v ip >/dev/null && command -v tc >/dev/null && [ "$(id -u)" -eq 0 ] &&
	ip netns add ldA$$ 2>/dev/null; then
	ip netns add ldB$$
	ip link add vA$$ netns ldA$$ type veth peer name vB$$ netns ldB$$ 2>/dev/null
	ip -n ldA$$ addr add 10.199.0.1/24 dev vA$$ && ip -n ldA$$ link set vA$$ up && ip -n ldA$$ link set lo up
	ip -n ldB$$ addr add 10.199.0.2/24 dev vB$$ && ip -n ldB$$ link set vB$$ up && ip -n ldB$$ link set lo up
	if ip netns exec ldA$$ tc qdisc add dev vA$$ root netem delay 5ms 2>/dev/null; then
		ip netns exec ldB$$ "$LATDOC" rtt --serve --listen 10.199.0.2:7478 --duration 20s --quiet &
		sleep 0.3
		run ip netns exec ldA$$ "$LATDOC" rtt 10.199.0.2 --count 100 --json
		check "rtt across a 5 ms netem link: 5000 us within 5%" \
			jq -e '.rtt.rtt.p50_us >= 4750 and .rtt.rtt.p50_us <= 5250 + 200' "$OUT/stdout"
	else
		skip "rtt across netem" "this kernel has no netem (tc qdisc ... netem failed)"
	fi
	ip netns del ldA$$ 2>/dev/null
	ip netns del ldB$$ 2>/dev/null
else
	skip "rtt across netem" "needs root, ip and tc, and network namespaces"
fi

# --- a hostile peer -------------------------------------------------------
KEYED_PORT=$((PORT + 2))
start_server "$KEYED_PORT" --key "$OUT/key" --rate-limit 10000000
"$TOOLS/rtt_hostile" 127.0.0.1 "$KEYED_PORT" "$OUT/key" >"$OUT/hostile.txt" 2>&1
answered() { awk -v c="$1" '$1 == c { print $3 }' "$OUT/hostile.txt"; }
for c in replayed truncated wrong-magic length-claims-more reply-type wrong-key unsigned oversized garbage empty; do
	check "rtt --key server: no reply to a $c packet" test "$(answered $c)" = 0
done
check "rtt --key server: a signed probe is answered, at its own size" test "$(answered valid)" = 64
check "rtt --key server: still answering after the garbage flood, never more than asked" test "$(answered valid-large)" = 1000
check "no reply anywhere is larger than its request" awk '$3 > $2 { exit 1 }' "$OUT/hostile.txt"
"$TOOLS/rtt_hostile" replay 127.0.0.1 "$KEYED_PORT" "$OUT/key" >"$OUT/replay.txt" 2>&1
answered() { awk -v c="$1" '$1 == c { print $3 }' "$OUT/replay.txt"; }
check "rtt --key: a signed probe is answered once" test "$(answered first)" = 64
check "rtt --key: played back from 50 new source ports, never answered" test "$(answered other-ports)" = 0
check "rtt --key: played back after 20,000 other sessions, not answered" test "$(answered after-eviction)" = 0
check "rtt --key over TCP: answered once" test "$(answered tcp-first)" = 64
check "rtt --key over TCP: played back on the same connection, not answered" test "$(answered tcp-same-connection)" = 0
check "rtt --key over TCP: played back on a new connection, not answered" test "$(answered tcp-new-connection)" = 0
check "rtt --key: a UDP probe played back over TCP, not answered" test "$(answered udp-probe-over-tcp)" = 0
check "rtt --key: a probe signed a minute ago, not answered" test "$(answered stale)" = 0
run "$LATDOC" rtt "127.0.0.1:$KEYED_PORT" --count 50 --key "$OUT/key" --json
check "rtt --key: a client with the key gets its 50 replies" jq -e '.rtt.received == 50' "$OUT/stdout"
run "$LATDOC" rtt "127.0.0.1:$KEYED_PORT" --count 5 --timeout 100ms --key "$OUT/otherkey"
check "rtt --key: a client with another key gets nothing, exit 1, and is told the likely causes" \
	sh -c "[ $STATUS -eq 1 ] && grep -q '5 sent, 0 received, 5 lost' '$OUT/stdout' && grep -q 'give --key' '$OUT/stdout'"
start=$(date +%s)
run "$LATDOC" rtt "127.0.0.1:$KEYED_PORT" --json
took=$(($(date +%s) - start))
check "rtt without the key a keyed server needs: stops early (${took} s, not 100), exit 1" \
	sh -c "[ $STATUS -eq 1 ] && [ $took -le 6 ] && jq -e '.rtt.gave_up and .rtt.silent and .rtt.sent < 10' '$OUT/stdout'"
stop_servers

# nothing listens on this port: the kernel's refusal ends the run at once,
# exit 2, and says what it likely means, over UDP as over TCP
CLOSED_PORT=$((PORT + 8))
for proto in udp tcp; do
	flag=""
	[ $proto = tcp ] && flag=--tcp
	run "$LATDOC" rtt "127.0.0.1:$CLOSED_PORT" --count 5 $flag
	if [ "$STATUS" -eq 2 ] && sanitizer_clean &&
		grep -q 'Connection refused (is latdoc rtt --serve running there?)' "$OUT/stderr"; then
		pass "rtt ($proto) to a port where nothing listens: exit 2, and the likely cause"
	else
		fail "rtt ($proto) to a port where nothing listens: exit 2, and the likely cause (exit $STATUS)" "$(cat "$OUT/stderr")"
	fi
done

# the rate per source holds while 4,000 other addresses flood the table
RATE_PORT=$((PORT + 4))
start_server "$RATE_PORT" --rate-limit 10
"$TOOLS/rtt_hostile" rate 127.0.0.1 "$RATE_PORT" >"$OUT/rate.txt" 2>&1
read -r _ _ got ms <"$OUT/rate.txt"
echo "rtt --rate-limit 10: $got of 200 answered to one source in $ms ms, among 4,000 others"
check "rtt --rate-limit 10: one source gets its burst of 2 and 10 a second, no more (${got:-?} in ${ms:-?} ms)" \
	awk -v g="${got:-999}" -v ms="${ms:-0}" 'BEGIN { exit !(g <= 2 + 10 * (ms + 200) / 1000 + 1) }'
stop_servers
# a signed probe played back from its sender's address does not spend the
# sender's rate (a burst of 11 at 100 a second)
start_server "$RATE_PORT" --key "$OUT/key" --rate-limit 100
"$TOOLS/rtt_hostile" drain 127.0.0.1 "$RATE_PORT" "$OUT/key" >"$OUT/drain.txt" 2>&1
check "rtt --key --rate-limit 100: 200 replays from the sender's address leave its 5 fresh probes answered ($(cat "$OUT/drain.txt"))" \
	grep -qx 'drain 320 320' "$OUT/drain.txt"
stop_servers

# 64 silent TCP connections do not lock the others out
TCP_PORT=$((PORT + 5))
start_server "$TCP_PORT"
"$TOOLS/rtt_hostile" hold 127.0.0.1 "$TCP_PORT" 64 8 >"$OUT/hold.txt" 2>&1 &
HOLDER=$!
sleep 1.5
run "$LATDOC" rtt "127.0.0.1:$TCP_PORT" --tcp --count 20 --json
check "rtt --tcp while 64 silent connections are held: answered (a silent one makes room)" \
	sh -c "[ $STATUS -eq 0 ] && jq -e '.rtt.received == 20' '$OUT/stdout'"
kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null
stop_servers
check "rtt --serve: it says it closed idle connections" grep -q 'TCP: [0-9]* closed, [1-9][0-9]* of them idle' "$OUT/server-$TCP_PORT.log"

# nor do 64 that send a byte now and then and never a whole probe (from four
# addresses, each its share): bytes are not a probe answered
start_server "$TCP_PORT"
"$TOOLS/rtt_hostile" dribble 127.0.0.1 "$TCP_PORT" 8 >"$OUT/dribble.txt" 2>&1 &
HOLDER=$!
sleep 2.5
run "$LATDOC" rtt "127.0.0.1:$TCP_PORT" --tcp --count 20 --json
check "rtt --tcp while 64 connections dribble bytes of probes never whole: answered" \
	sh -c "grep -qx 'dribbling 64' '$OUT/dribble.txt' && [ $STATUS -eq 0 ] && jq -e '.rtt.received == 20' '$OUT/stdout'"
kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null
stop_servers
# nor 64 silent ones each opened again before it is a second old: one
# that has had no probe answered makes room at any age
start_server "$TCP_PORT"
"$TOOLS/rtt_hostile" churn 127.0.0.1 "$TCP_PORT" 6 >"$OUT/churn.txt" 2>&1 &
HOLDER=$!
sleep 1
run "$LATDOC" rtt "127.0.0.1:$TCP_PORT" --tcp --count 20 --json
check "rtt --tcp while 64 silent connections are opened again and again: answered" \
	sh -c "[ $STATUS -eq 0 ] && jq -e '.rtt.received == 20' '$OUT/stdout'"
kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null
stop_servers

# a reply that trickles in is bounded by --timeout as a whole
TRICKLE_PORT=$((PORT + 6))
"$TOOLS/rtt_hostile" trickle "$TRICKLE_PORT" 20 &
SERVERS="$!"
sleep 0.2
start=$(date +%s)
run "$LATDOC" rtt "127.0.0.1:$TRICKLE_PORT" --tcp --timeout 500ms --json
took=$(($(date +%s) - start))
check "rtt --tcp --timeout 500ms against a reply that trickles: not a success, over in ${took} s" \
	sh -c "[ $STATUS -eq 1 ] && [ $took -le 6 ] && jq -e '.rtt.received == 0 and .rtt.trickled' '$OUT/stdout'"
stop_servers
check "rtt servers: no sanitizer report over their whole life" \
	sh -c "! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' '$OUT'/server-*.log"

# Ctrl-C: what was measured so far, then 130
start_server "$PORT"
ctrl_c 1.5 rtt "127.0.0.1:$PORT" --count 100000 --interval 1ms --json
check "rtt, Ctrl-C: exit 130 with the summary so far" \
	sh -c "[ $STATUS -eq 130 ] && jq -e '.rtt.interrupted and .rtt.sent > 100 and .rtt.received > 100' '$OUT/stdout'"
ctrl_c 1 rtt "127.0.0.1:$PORT" --count 100000 --interval 1ms
check "rtt, Ctrl-C: the text summary says it was interrupted" \
	sh -c "[ $STATUS -eq 130 ] && grep -q 'interrupted' '$OUT/stdout' && grep -q 'round trip' '$OUT/stdout'"
stop_servers

# --- ttfb against a server with a known delay -----------------------------
HTTP_PORT=$((PORT + 3))
"$TOOLS/http_delay" "$HTTP_PORT" 3000 90 &
SERVERS="$!"
sleep 0.3
URL=http://127.0.0.1:$HTTP_PORT
run "$LATDOC" ttfb "$URL/" --count 30 --json
if [ "$STATUS" -ne 0 ] || ! sanitizer_clean; then
	fail "ttfb: exit $STATUS" "$(head -20 "$OUT/stderr")"
else
	check "ttfb: 30 of 30 answered, all 200" jq -e '.ttfb.answered == 30 and .ttfb.status == {"200": 30}' "$OUT/stdout"
	server=$(jq '.ttfb.server.p50_us' "$OUT/stdout")
	echo "ttfb against a 3000 us server: sent to first byte p50 ${server} us"
	check "ttfb: the server's 3000 us read within 5% (${server} us)" \
		awk -v a="$server" 'BEGIN { exit !(a >= 3000 && a <= 3150) }'
	check "ttfb: phases add up: first byte after connect and the server's time" \
		jq -e '.ttfb.ttfb.p50_us >= .ttfb.server.p50_us and .ttfb.connect.samples == 30' "$OUT/stdout"
	check "ttfb: a new connection each request" jq -e '.ttfb.new_connections == 30 and .ttfb.reused_connections == 0' "$OUT/stdout"
	check "ttfb --json: the head of check's JSON (schema, version, host)" jq -e "$HEAD" "$OUT/stdout"
fi
run "$LATDOC" ttfb "$URL/" --count 10 --reuse --json
check "ttfb --reuse: the connection is kept (connect 0 at p50, none new)" \
	jq -e '.ttfb.answered == 10 and .ttfb.connect.p50_us == 0 and .ttfb.reused_connections == 10' "$OUT/stdout"
run "$LATDOC" ttfb "$URL/" --count 20 --rate 50 --json
check "ttfb --rate 50: 20 requests over about 0.4 s, lateness against the schedule kept" \
	jq -e '.ttfb.scheduled and .ttfb.elapsed_s >= 0.37 and .ttfb.start_lateness.samples == 20' "$OUT/stdout"
run "$LATDOC" ttfb "$URL/status/503" --count 3 --json
check "ttfb: a 503 is an answer, timed and counted by its status; exit 1" \
	sh -c "[ $STATUS -eq 1 ] && jq -e '.ttfb | .answered == 3 and .status == {\"503\": 3} and .error_answers == 3 and .ttfb.samples == 3' '$OUT/stdout'"
run "$LATDOC" ttfb "$URL/status/404" --count 2
check "ttfb: the text counts answers by status" grep -q '2 answered (404 x2)' "$OUT/stdout"
run "$LATDOC" ttfb "$URL/redirect" --count 2 --json
check "ttfb: a redirect is an answer, not followed without --location; exit 0" \
	sh -c "[ $STATUS -eq 0 ] && jq -e '.ttfb | .answered == 2 and .status == {\"302\": 2} and (.hops | length) == 1' '$OUT/stdout'"
run "$LATDOC" ttfb "$URL/redirect-chain" --count 2 -L --json
check "ttfb -L: each hop timed, and the first byte across them after each hop's" \
	sh -c "[ $STATUS -eq 0 ] && jq -e '.ttfb | .status == {\"200\": 2} and (.hops | length) == 3 and .hops[2].url == \"$URL/\" and .end_to_end_ttfb.p50_us >= .hops[0].total.p50_us + .hops[2].ttfb.p50_us' '$OUT/stdout'"
run "$LATDOC" ttfb "$URL/redirect-loop" --count 1 --location --json
check "ttfb -L: a redirect loop ends, counted as a failure" jq -e '.ttfb.failures.redirect.count == 1 and .ttfb.answered == 0' "$OUT/stdout"
run "$LATDOC" ttfb "$URL/redirect-file" --count 1 --location --json
check "ttfb -L: a redirect to file: is not followed" \
	jq -e '.ttfb.failures.redirect.first | test("another scheme")' "$OUT/stdout"
run "$LATDOC" ttfb "$URL/incomplete" --count 2 --json
check "ttfb: a header block cut short is a failure of its own kind, exit 1" \
	sh -c "[ $STATUS -eq 1 ] && jq -e '.ttfb.answered == 0 and .ttfb.failures[\"incomplete answer\"].count == 2' '$OUT/stdout'"
run "$LATDOC" ttfb "$URL/needs-header" --count 2 -H "X-Latdoc-Test: 1" --json
check "ttfb -H: the header is sent" jq -e '.ttfb.status == {"200": 2}' "$OUT/stdout"
run "$LATDOC" ttfb "http://latdoc.invalid:$HTTP_PORT/" --count 2 --resolve "latdoc.invalid:$HTTP_PORT:127.0.0.1" --json
check "ttfb --resolve: the name goes to the address given" jq -e '.ttfb.answered == 2' "$OUT/stdout"
run "$LATDOC" ttfb "127.0.0.1:$HTTP_PORT/" --count 2 --json
check "ttfb: a URL without a scheme is http" jq -e '.ttfb.answered == 2 and (.ttfb.url | startswith("http://"))' "$OUT/stdout"
run env http_proxy=http://127.0.0.1:1 HTTP_PROXY=http://127.0.0.1:1 "$LATDOC" ttfb "$URL/" --count 2 --json
check "ttfb: a proxy variable is not used, and said" jq -e '.ttfb.answered == 2 and (.ttfb.proxy | test("http_proxy|HTTP_PROXY"))' "$OUT/stdout"
run "$LATDOC" ttfb "$URL/" --count 1 --proxy http://127.0.0.1:1 --json
check "ttfb --proxy: used when asked" jq -e '.ttfb.answered == 0 and .ttfb.failures.connect.count == 1' "$OUT/stdout"
ctrl_c 1 ttfb "$URL/" --count 100000 --json
check "ttfb, Ctrl-C: exit 130 with the summary so far" \
	sh -c "[ $STATUS -eq 130 ] && jq -e '.ttfb.interrupted and .ttfb.answered > 10 and .ttfb.ttfb.samples == .ttfb.answered' '$OUT/stdout'"
# last: the test server answers one connection at a time, and this one hangs
run "$LATDOC" ttfb "$URL/hang" --count 1 --timeout 300ms --json
check "ttfb: a timeout is counted" jq -e '.ttfb.failures.timeout.count == 1' "$OUT/stdout"
stop_servers
run "$LATDOC" ttfb "$URL/" --count 2 --json
check "ttfb: a refused connection is counted" jq -e '.ttfb.failures.connect.count == 2' "$OUT/stdout"
run "$LATDOC" ttfb "https://127.0.0.1:$HTTP_PORT/" --count 1 --timeout 2s --json
check "ttfb: TLS to a closed port fails cleanly" sh -c "[ $STATUS -eq 1 ] && jq -e '.ttfb.answered == 0' '$OUT/stdout'"

# TLS against openssl's own test server, with a certificate made here
TLS_PORT=$((PORT + 7))
if command -v openssl >/dev/null 2>&1 &&
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$OUT/tls.key" -out "$OUT/tls.crt" -days 1 \
		-subj /CN=latdoc.test -addext subjectAltName=DNS:latdoc.test >/dev/null 2>&1; then
	timeout 60 openssl s_server -accept "$TLS_PORT" -cert "$OUT/tls.crt" -key "$OUT/tls.key" -www -quiet >/dev/null 2>&1 &
	SERVERS="$!"
	sleep 0.5
	TLS=https://127.0.0.1:$TLS_PORT/
	run "$LATDOC" ttfb "$TLS" --count 2 --json
	check "ttfb https: a certificate nobody vouches for fails as tls, exit 1" \
		sh -c "[ $STATUS -eq 1 ] && jq -e '.ttfb.failures.tls.count == 2' '$OUT/stdout'"
	run "$LATDOC" ttfb "$TLS" --count 5 --insecure --json
	check "ttfb --insecure: a full TLS handshake every request, none resumed" \
		jq -e '.ttfb.answered == 5 and .ttfb.tls_full == 5 and .ttfb.tls_resumed == 0 and .ttfb.tls.p50_us > 0' "$OUT/stdout"
	run "$LATDOC" ttfb "$TLS" --count 5 --insecure --reuse --json
	check "ttfb --reuse: TLS sessions resumed (the cache the default turns off)" jq -e '.ttfb.tls_resumed >= 1' "$OUT/stdout"
	run "$LATDOC" ttfb "https://latdoc.test:$TLS_PORT/" --count 2 --cacert "$OUT/tls.crt" --resolve "latdoc.test:$TLS_PORT:127.0.0.1" --json
	check "ttfb --cacert --resolve: verified against the CA given" jq -e '.ttfb.answered == 2' "$OUT/stdout"
	stop_servers
else
	skip "ttfb over TLS" "needs the openssl command"
fi

# --- bad options ----------------------------------------------------------
expect_usage_error "rtt without a host" "to probe, or --serve" rtt
expect_usage_error "rtt --count 0" "--count takes a whole number from 1 to 500000, not '0'" rtt localhost --count 0
expect_usage_error "rtt --size too small" "--size takes a whole number from 64 to 9000, not '10'" rtt localhost --size 10
expect_usage_error "rtt --interval too short" "--interval takes 0 or 10us to 1h, not '5us'" rtt localhost --interval 5us
expect_usage_error "rtt --interval too long" "--interval takes 0 or 10us to 1h, not '2h'" rtt localhost --interval 2h
expect_usage_error "rtt --interval nonsense" "--interval takes a time with its unit, ns, us, ms, s, m or h" rtt localhost --interval soon
# a bare number is seconds to ping and microseconds to cyclictest: refused
expect_usage_error "rtt --interval without a unit" "--interval takes a time with its unit" rtt localhost --interval 1000
expect_usage_error "rtt --timeout without a unit" "--timeout takes a time with its unit" rtt localhost --timeout 5
expect_usage_error "rtt --delay without a unit" "--delay takes a time with its unit" rtt --serve --delay 5
expect_usage_error "rtt --duration of a week" "--duration takes 1ms to 24h, not '168h'" rtt localhost --duration 168h
expect_usage_error "rtt --count at --interval for years" "would take 5787 days" rtt localhost --count 500000 --interval 1000s
expect_usage_error "rtt --interval longer than --duration" "--interval is not shorter than --duration" rtt localhost --duration 1s --interval 2s
expect_usage_error "rtt --count and --duration" "--count or --duration, not both" rtt localhost --count 5 --duration 1s
expect_usage_error "rtt --serve with a host" "--serve takes --listen" rtt --serve localhost
expect_usage_error "rtt --listen without --serve" "are for --serve" rtt localhost --listen :9
expect_usage_error "rtt --key of a missing file" "--key $OUT/nokey: No such file or directory" rtt localhost --key "$OUT/nokey"
: >"$OUT/emptykey"
expect_usage_error "rtt --key of an empty file" "a key must be 1 to 256 bytes" rtt localhost --key "$OUT/emptykey"
expect_usage_error "rtt to a port out of range" "the port must be 1 to 65535" rtt localhost:70000
expect_usage_error "rtt to a name that does not resolve" "latdoc rtt: 'no-such-host.invalid'" rtt no-such-host.invalid --count 1
expect_usage_error "ttfb without a URL" "give one URL" ttfb
expect_usage_error "ttfb of something that is not a URL" "is not a URL" ttfb 'ht!tp://x'
expect_usage_error "ttfb of a file: URL" "only http and https URLs are timed, not file" ttfb file:///etc/passwd
expect_usage_error "ttfb of an ftp: URL" "only http and https URLs are timed, not ftp" ttfb ftp://127.0.0.1/x
expect_usage_error "ttfb --count 0" "--count takes a whole number from 1 to 1000000, not '0'" ttfb http://127.0.0.1/ --count 0
expect_usage_error "ttfb --rate -1" "--rate takes a number from 0.001 to 100000, not '-1'" ttfb http://127.0.0.1/ --rate -1
expect_usage_error "ttfb --timeout 0" "--timeout takes 1ms to 10m, not '0'" ttfb http://127.0.0.1/ --timeout 0
expect_usage_error "ttfb --timeout without a unit" "--timeout takes a time with its unit" ttfb http://127.0.0.1/ --timeout 10
expect_usage_error "ttfb --count at --rate for months" "would take 116 days" ttfb http://127.0.0.1/ --count 1000000 --rate 0.1
expect_usage_error "ttfb --resolve without an address" "--resolve takes HOST:PORT:ADDR" ttfb http://127.0.0.1/ --resolve a:80
expect_usage_error "ttfb --header without a colon" "--header takes one line 'Name: value'" ttfb http://127.0.0.1/ -H nocolon
expect_usage_error "ttfb --http1.1 and --http2" "--http1.1 or --http2, not both" ttfb http://127.0.0.1/ --http1.1 --http2
head -c 300 /dev/zero | tr '\0' 'k' >"$OUT/bigkey"
expect_usage_error "rtt --key of a file too large" "a key must be 1 to 256 bytes" rtt localhost --key "$OUT/bigkey"
