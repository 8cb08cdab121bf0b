# rtt and ttfb, on loopback only, against servers this test starts and
# stops itself (each bounded by --duration or its own timer). Where the
# kernel has netem, a second accuracy test runs between two network
# namespaces made for it; otherwise it says it is skipped.
TOOLS=$TOP/$SAN
PORT=$((20000 + $$ % 20000))
printf 'a shared secret\n' >"$OUT/key"
printf 'another secret\n' >"$OUT/otherkey"

start_server() { # PORT ARGS...: a bounded rtt server in the background
	port=$1; shift
	"$LATDOC" rtt --serve --listen "127.0.0.1:$port" --duration 60s "$@" 2>"$OUT/server-$port.log" &
	SERVERS="${SERVERS:-} $!"
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		"$LATDOC" rtt "127.0.0.1:$port" --count 1 --timeout 200ms "$@" >/dev/null 2>&1 && return 0
		[ "$*" != "${*#--key}" ] && sleep 0.1 && return 0 # a keyed server: the probe above needs the key
		sleep 0.1
	done
}
# by pid: in sh, $(jobs -p) runs in a subshell that has no jobs
stop_servers() {
	[ -n "${SERVERS:-}" ] && kill $SERVERS 2>/dev/null && wait $SERVERS 2>/dev/null
	SERVERS=""
}

# --- rtt ----------------------------------------------------------------
start_server "$PORT"
run "$LATDOC" rtt "127.0.0.1:$PORT" --count 500 --json
if [ "$STATUS" -ne 0 ] || ! sanitizer_clean; then
	fail "rtt over UDP: exit $STATUS" "$(head -20 "$OUT/stderr")"
else
	check "rtt over UDP: 500 sent, 500 received, none lost, duplicated or reordered" \
		jq -e '.rtt | .sent == 500 and .received == 500 and .lost == 0 and .duplicates == 0 and .reordered == 0' "$OUT/stdout"
	check "rtt over UDP: percentiles in order" jq -e ".rtt.rtt | $PERCENTILES_IN_ORDER" "$OUT/stdout"
	check "rtt over UDP: the kernel's receive stamp comes before the client has the reply" \
		jq -e '.rtt.to_kernel_receive.p50_us <= .rtt.rtt.p50_us' "$OUT/stdout"
	base=$(jq '.rtt.rtt.p50_us' "$OUT/stdout")
fi
run "$LATDOC" rtt "127.0.0.1:$PORT" --count 200 --tcp --json
check "rtt over TCP: 200 of 200, in order" sh -c "[ $STATUS -eq 0 ] && jq -e '.rtt | .protocol == \"tcp\" and .received == 200 and (.rtt | $PERCENTILES_IN_ORDER)' '$OUT/stdout'"
run "$LATDOC" rtt "127.0.0.1:$PORT" --count 200 --interval 1ms --json
check "rtt paced: 200 of 200, timed from when each was due, send lateness kept" \
	sh -c "[ $STATUS -eq 0 ] && jq -e '.rtt | .mode == \"paced\" and .received == 200 and .send_lateness.samples == 200 and .elapsed_s > 0.15' '$OUT/stdout'"
run "$LATDOC" rtt "127.0.0.1:$PORT" --duration 300ms --interval 2ms --json
check "rtt --duration: about 150 probes in 0.3 s at 2 ms" \
	sh -c "[ $STATUS -eq 0 ] && jq -e '.rtt.sent >= 120 and .rtt.sent <= 170' '$OUT/stdout'"

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
start_server "$KEYED_PORT" --key "$OUT/key"
"$TOOLS/rtt_hostile" 127.0.0.1 "$KEYED_PORT" "$OUT/key" >"$OUT/hostile.txt" 2>&1
answered() { awk -v c="$1" '$1 == c { print $3 }' "$OUT/hostile.txt"; }
for c in replayed truncated wrong-magic length-claims-more reply-type wrong-key unsigned oversized garbage empty; do
	check "rtt --key server: no reply to a $c packet" test "$(answered $c)" = 0
done
check "rtt --key server: a signed probe is answered, at its own size" test "$(answered valid)" = 64
check "rtt --key server: still answering after the garbage flood, never more than asked" test "$(answered valid-large)" = 1000
check "no reply anywhere is larger than its request" awk '$3 > $2 { exit 1 }' "$OUT/hostile.txt"
run "$LATDOC" rtt "127.0.0.1:$KEYED_PORT" --count 50 --key "$OUT/key" --json
check "rtt --key: a client with the key gets its 50 replies" jq -e '.rtt.received == 50' "$OUT/stdout"
run "$LATDOC" rtt "127.0.0.1:$KEYED_PORT" --count 5 --timeout 100ms --key "$OUT/otherkey"
check "rtt --key: a client with another key gets nothing, and exit 1" \
	sh -c "[ $STATUS -eq 1 ] && grep -q '5 sent, 0 received, 5 lost' '$OUT/stdout'"
stop_servers
check "rtt servers: no sanitizer report over their whole life" \
	sh -c "! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:' '$OUT'/server-*.log"

# --- ttfb against a server with a known delay -----------------------------
HTTP_PORT=$((PORT + 3))
"$TOOLS/http_delay" "$HTTP_PORT" 3000 60 &
SERVERS="$!"
sleep 0.3
URL=http://127.0.0.1:$HTTP_PORT
run "$LATDOC" ttfb "$URL/" --count 30 --json
if [ "$STATUS" -ne 0 ] || ! sanitizer_clean; then
	fail "ttfb: exit $STATUS" "$(head -20 "$OUT/stderr")"
else
	check "ttfb: 30 of 30 answered" jq -e '.ttfb.ok == 30' "$OUT/stdout"
	server=$(jq '.ttfb.server.p50_us' "$OUT/stdout")
	echo "ttfb against a 3000 us server: sent to first byte p50 ${server} us"
	check "ttfb: the server's 3000 us read within 5% (${server} us)" \
		awk -v a="$server" 'BEGIN { exit !(a >= 3000 && a <= 3150) }'
	check "ttfb: phases add up: first byte after connect and the server's time" \
		jq -e '.ttfb.ttfb.p50_us >= .ttfb.server.p50_us and .ttfb.connect.samples == 30' "$OUT/stdout"
fi
run "$LATDOC" ttfb "$URL/" --count 10 --reuse --json
check "ttfb --reuse: the connection is kept (connect 0 at p50)" jq -e '.ttfb.ok == 10 and .ttfb.connect.p50_us == 0' "$OUT/stdout"
run "$LATDOC" ttfb "$URL/" --count 20 --rate 50 --json
check "ttfb --rate 50: 20 requests over about 0.4 s, lateness against the schedule kept" \
	jq -e '.ttfb.scheduled and .ttfb.elapsed_s >= 0.37 and .ttfb.start_lateness.samples == 20' "$OUT/stdout"
run "$LATDOC" ttfb "$URL/status/503" --count 3 --json
check "ttfb: HTTP errors are counted, with the status, and exit 1" \
	sh -c "[ $STATUS -eq 1 ] && jq -e '.ttfb.failures[\"http error\"] == {\"count\": 3, \"first\": \"HTTP 503\"}' '$OUT/stdout'"
run "$LATDOC" ttfb "$URL/redirect" --count 2 --json
check "ttfb: redirects are counted, not followed" jq -e '.ttfb.failures.redirect.count == 2 and .ttfb.ok == 0' "$OUT/stdout"
run "$LATDOC" ttfb "$URL/hang" --count 1 --timeout 300ms --json
check "ttfb: a timeout is counted" jq -e '.ttfb.failures.timeout.count == 1' "$OUT/stdout"
stop_servers
run "$LATDOC" ttfb "$URL/" --count 2 --json
check "ttfb: a refused connection is counted" jq -e '.ttfb.failures.connect.count == 2' "$OUT/stdout"
run "$LATDOC" ttfb "https://127.0.0.1:$HTTP_PORT/" --count 1 --timeout 2s --json
check "ttfb: TLS to a closed port fails cleanly" sh -c "[ $STATUS -eq 1 ] && jq -e '.ttfb.ok == 0' '$OUT/stdout'"

# --- bad options ----------------------------------------------------------
expect_usage_error "rtt without a host" "to probe, or --serve" rtt
expect_usage_error "rtt --count 0" "--count takes a whole number from 1 to 500000, not '0'" rtt localhost --count 0
expect_usage_error "rtt --size too small" "--size takes a whole number from 64 to 9000, not '10'" rtt localhost --size 10
expect_usage_error "rtt --interval too short" "--interval takes 0 or 10us to 1h, not '5us'" rtt localhost --interval 5us
expect_usage_error "rtt --interval nonsense" "--interval takes a time with its unit, ns, us, ms, s, m or h" rtt localhost --interval soon
expect_usage_error "rtt --interval without a unit" "--interval takes a time with its unit" rtt localhost --interval 1000
expect_usage_error "rtt --count and --duration" "--count or --duration, not both" rtt localhost --count 5 --duration 1s
expect_usage_error "rtt --serve with a host" "--serve takes --listen" rtt --serve localhost
expect_usage_error "rtt --listen without --serve" "are for --serve" rtt localhost --listen :9
expect_usage_error "rtt --key of a missing file" "--key $OUT/nokey: No such file or directory" rtt localhost --key "$OUT/nokey"
: >"$OUT/emptykey"
expect_usage_error "rtt --key of an empty file" "a key must be 1 to 256 bytes" rtt localhost --key "$OUT/emptykey"
expect_usage_error "rtt to a port out of range" "the port must be 1 to 65535" rtt localhost:70000
expect_usage_error "rtt to a name that does not resolve" "latdoc rtt: 'no-such-host.invalid'" rtt no-such-host.invalid --count 1
start_server "$PORT"
expect_usage_error "rtt --serve on a port in use" "cannot listen on 127.0.0.1:$PORT" rtt --serve --listen "127.0.0.1:$PORT" --duration 1s --quiet
stop_servers
expect_usage_error "ttfb without a URL" "give one URL" ttfb
expect_usage_error "ttfb of something that is not a URL" "is not a URL" ttfb 'ht!tp://x'
expect_usage_error "ttfb --count 0" "--count takes a whole number from 1 to 1000000, not '0'" ttfb http://127.0.0.1/ --count 0
expect_usage_error "ttfb --rate -1" "--rate takes a number from 0.001 to 100000, not '-1'" ttfb http://127.0.0.1/ --rate -1
expect_usage_error "ttfb --timeout 0" "--timeout takes 1ms to 10m, not '0'" ttfb http://127.0.0.1/ --timeout 0
head -c 300 /dev/zero | tr '\0' 'k' >"$OUT/bigkey"
expect_usage_error "rtt --key of a file too large" "a key must be 1 to 256 bytes" rtt localhost --key "$OUT/bigkey"
