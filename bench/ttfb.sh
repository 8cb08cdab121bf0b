#!/bin/bash
# Time to first byte: curl -w and latdoc ttfb on the same local URL, side by
# side in one run, a fresh connection each request for both. The server is
# tests/tools/http_delay (built with the tests) holding each answer DELAY_US.
# Target: latdoc's phases within 5% of curl's. Then TLS: the handshake
# phase against openssl s_server, latdoc's default (a full handshake every
# time) beside --reuse and curl, which both resume the TLS session on each
# new connection.
set -eu
cd "$(dirname "$0")/.."
LATDOC=${LATDOC:-build/latdoc}
SERVER=${SERVER:-build/http_delay}
COUNT=${COUNT:-300}
DELAY_US=${DELAY_US:-1000}
PORT=${PORT:-18181}
for tool in curl jq; do
	command -v $tool >/dev/null || { echo "bench: needs $tool" >&2; exit 2; }
done
[ -x "$LATDOC" ] || { echo "bench: needs $LATDOC; run make build" >&2; exit 2; }
# the test tools are built only with cmocka: make test-deps first
[ -x "$SERVER" ] || { echo "bench: needs $SERVER, built with the tests: make test-deps build" >&2; exit 2; }
"$SERVER" "$PORT" "$DELAY_US" 600 &
trap 'kill $(jobs -p) 2>/dev/null' EXIT
sleep 0.3
URL=http://127.0.0.1:$PORT/

# curl: one process for all requests, like latdoc; the server closes each
# connection ("close" in the path), so each request connects anew
curl_run() {
	# shellcheck disable=SC2046
	# -o applies to one URL: one for each, or the bodies land in the -w lines
	curl -s -w '%{time_namelookup} %{time_connect} %{time_pretransfer} %{time_starttransfer} %{time_total}\n' \
		$(for _ in $(seq "$COUNT"); do echo "-o /dev/null ${URL}close"; done) | awk '{ printf "%.0f %.0f %.0f %.0f\n", ($2 - $1) * 1e6, ($4 - $3) * 1e6, $4 * 1e6, $5 * 1e6 }' |
		sort -n -k2,2 | awk '{ c[NR] = $1; s[NR] = $2; f[NR] = $3; t[NR] = $4 } END {
			# medians of each column
			n = NR; m = int((n + 1) / 2)
			asort_num(c, n); asort_num(f, n); asort_num(t, n)
			printf "%d %d %d %d\n", c[m], s[m], f[m], t[m] }
		function asort_num(a, n,   i, j, x) { for (i = 2; i <= n; i++) { x = a[i]; for (j = i - 1; j >= 1 && a[j] > x; j--) a[j + 1] = a[j]; a[j + 1] = x } }'
}
latdoc_run() {
	"$LATDOC" ttfb "${URL}close" --count "$COUNT" --json |
		jq -r '.ttfb | "\(.connect.p50_us) \(.server.p50_us) \(.ttfb.p50_us) \(.total.p50_us)"' |
		awk '{ printf "%d %d %d %d\n", $1, $2, $3, $4 }'
}
row() { printf '%-12s %12s %16s %12s %10s\n' "$@"; }
echo "== $URL, server holds each answer $DELAY_US us, $COUNT requests, a new connection each, medians"
c1=$(curl_run); l1=$(latdoc_run); c2=$(curl_run); l2=$(latdoc_run)
row "" "connect us" "sent->first us" "first byte" "total us"
# shellcheck disable=SC2086
{ row "curl -w" $c1; row "latdoc ttfb" $l1; row "curl -w" $c2; row "latdoc ttfb" $l2; }
paste <(echo "$l1 $l2" | tr ' ' '\n') <(echo "$c1 $c2" | tr ' ' '\n') | awk '
	{ l[NR] = $1; c[NR] = $2 }
	END { split("connect sent-to-first-byte first-byte total", name, " ")
		for (i = 1; i <= 4; i++) printf "ratio latdoc / curl, %s: %.3f\n", name[i], (l[i] + l[i + 4]) / (c[i] + c[i + 4]) }'

# --- TLS ----------------------------------------------------------------------
command -v openssl >/dev/null || { echo "bench: no openssl, TLS skipped"; exit 0; }
TLS_PORT=$((PORT + 1))
tmp=$(mktemp -d)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/k" -out "$tmp/c" -days 1 -subj /CN=latdoc.test \
	-addext subjectAltName=DNS:latdoc.test >/dev/null 2>&1
openssl s_server -accept "$TLS_PORT" -cert "$tmp/c" -key "$tmp/k" -www -quiet >/dev/null 2>&1 &
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
sleep 0.5
TLS=https://latdoc.test:$TLS_PORT/
RES="latdoc.test:$TLS_PORT:127.0.0.1"
N=$((COUNT / 3))
tls_latdoc() { # extra options
	"$LATDOC" ttfb "$TLS" --count "$N" --cacert "$tmp/c" --resolve "$RES" --json "$@" |
		jq -r '.ttfb | "\(.tls.p50_us) \(.ttfb.p50_us) \(.tls_full) \(.tls_resumed)"'
}
tls_curl() {
	# shellcheck disable=SC2046
	curl -s --cacert "$tmp/c" --resolve "$RES" -w '%{time_connect} %{time_appconnect} %{time_starttransfer}\n' \
		$(for _ in $(seq "$N"); do echo "-o /dev/null $TLS"; done) |
		awk '{ printf "%.0f %.0f\n", ($2 - $1) * 1e6, $3 * 1e6 }' >"$tmp/curl"
	printf '%s %s - -\n' "$(cut -d' ' -f1 "$tmp/curl" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')" \
		"$(cut -d' ' -f2 "$tmp/curl" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')"
}
echo
echo "== TLS against openssl s_server, $N requests, a new connection each, medians (us)"
printf '%-28s %10s %12s %6s %8s\n' "" "TLS" "first byte" full resumed
for run in 1 2; do
	printf '%-28s %10s %12s %6s %8s\n' "latdoc ttfb (full handshake)" $(tls_latdoc)
	printf '%-28s %10s %12s %6s %8s\n' "latdoc ttfb --reuse" $(tls_latdoc --reuse)
	printf '%-28s %10s %12s %6s %8s\n' "curl -w (session cache on)" $(tls_curl)
done
