# latdoc report: one self-contained HTML page per fixture, a diff of two,
# and one with measurements; nothing external, everything escaped; then a
# real browser (Debian's chromium, headless) loads each page with no
# console error (the page's Content-Security-Policy would report any script
# or fetch there), finds its charts, renders one to PNG and prints one.
REP=$OUT/report
rm -rf "$REP" && mkdir -p "$REP"

# report NAME FILE ARGS...: latdoc report -o FILE ARGS, exit 0, and static checks
report() {
	name=$1 file=$2; shift 2
	run "$LATDOC" report -o "$file" "$@"
	if [ "$STATUS" -ne 0 ] || ! sanitizer_clean || [ ! -s "$file" ]; then
		fail "report of $name: exit $STATUS" "$(head -5 "$OUT/stderr")"
		return 1
	fi
	# nothing to fetch or run: no script, no src or href, no url(); the SVG
	# namespace is a name, not a fetch
	if grep -qiE '<(script|iframe|link|img|object|embed)|<[a-z]+[^>]* (src|href|xlink:href)=|url\(|@import' "$file" ||
		[ "$(grep -o 'https\{0,1\}://[^"]*' "$file" | sort -u)" != "http://www.w3.org/2000/svg" ]; then
		fail "report of $name: something external" "$(grep -oiE '<script|src=|href=|url\(|https?://[^"]*' "$file" | sort -u | head)"
		return 1
	fi
	pass "report of $name: one page, nothing external"
}

for dir in "$ROOTS"/*/; do
	name=$(basename "$dir")
	report "$name" "$REP/$name.html" "$dir" || continue
	# every fixture has CPUs with a clock and idle states, but one without cpuidle
	charts=$(grep -o '<svg' "$REP/$name.html" | wc -l)
	check "report of $name: charts ($charts)" test "$charts" -ge 1
done
check "a fixture's page shows its findings with evidence, why and fix" \
	sh -c "grep -q 'cpufreq governor powersave' '$REP/dc-host.html' && grep -q '<strong>Why</strong>' '$REP/dc-host.html' && grep -q '<strong>Fix now</strong>' '$REP/dc-host.html'"

# two inputs: the diff side by side
report "dc-host against aws-nitro" "$REP/diff.html" "$ROOTS/dc-host" "$ROOTS/aws-nitro" &&
	check "the diff page has the diff, then both machines" sh -c "grep -q 'What differs that matters' '$REP/diff.html' && grep -q 'class=sides' '$REP/diff.html' && [ \$(grep -o '<section class=side>' '$REP/diff.html' | wc -l) -eq 2 ]"

# measurements: the wake-up histograms, allowed against held
hist() { # the histogram of a summary: counts in buckets <1, <2 ... us
	jq -n --argjson c "$1" '[range(0; 16) as $i | {below_us: (if $i < 15 then pow(2; $i) else null end), count: ($c[$i] // 0)}]'
}
jq -n --argjson a "$(hist '[0,0,0,0,40,900,30,9,3,1]')" --argjson h "$(hist '[0,0,700,250,20,5]')" '{schema: 1, version: "0.1.0",
	host: {hostname: "measured", platform: {role: "bare-metal"}},
	measurements: {freq: {cpus: [{cpu: 0, mhz: 2390}, {cpu: 1, mhz: 1210}], rated_mhz: 2400},
		wake: {timer: {allowed: {samples: 983, p50_us: 24, p99_us: 180, histogram: $a},
			held: {samples: 975, p50_us: 5, p99_us: 20, histogram: $h}}, cross_cpu: []}}}' >"$REP/measured.json"
report "a measurement report" "$REP/measured.html" "$REP/measured.json" &&
	check "a measurement report: the timer histogram, both runs" \
		sh -c "grep -q 'Timer wake-up latency histogram' '$REP/measured.html' && grep -q '<title>allowed: 900 wake-ups</title>' '$REP/measured.html' && grep -q '<title>held: 700 wake-ups</title>' '$REP/measured.html'"

# below 1,000 samples a p99 is not given (null): the caption says so, never "nan"
jq '.measurements.wake.timer.allowed.p99_us = null | .measurements.wake.timer.held.p99_us = null' \
	"$REP/measured.json" >"$REP/few.json"
report "a measurement with too few samples for a p99" "$REP/few.html" "$REP/few.json" &&
	check "too few samples: the p99 said to be missing, no nan" \
		sh -c "grep -q 'p99 not given (too few samples)' '$REP/few.html' && ! grep -qi 'nan us' '$REP/few.html'"

# a hostile report: markup and terminal bytes in its strings stay text
jq '.host.hostname = "<img src=x onerror=alert(1)>" | .findings = [{id: "cpu.governor", severity: "critical", subject: "x\u001b[2J",
	title: "</title><script>alert(1)</script>", why: "a & b", evidence: [{source: "\"><svg onload=alert(1)>", value: "v"}]}]' \
	"$REP/measured.json" >"$REP/evil.json"
if report "a hostile report" "$REP/evil.html" "$REP/evil.json"; then
	check "a hostile report's markup is text" sh -c "grep -q '&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;' '$REP/evil.html' && grep -q '&lt;img src=x' '$REP/evil.html' && ! grep -q \"\$(printf '\\033')\" '$REP/evil.html'"
fi
expect_usage_error "report of three inputs" "at most two inputs" report a b c
expect_usage_error "report of a missing input" "cannot read '/nonexistent'" report /nonexistent

# The browser. Each run is bounded and has a profile of its own.
if ! command -v chromium >/dev/null 2>&1; then
	skip "report in a browser" "no chromium (sh scripts/deps.sh --test installs it)"
else
	browse() { # FILE FLAGS...: chromium headless on FILE; its log in $REP/log
		f=$1; shift
		rm -rf "$REP/profile"
		timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
			--disable-component-update --disable-sync --no-first-run --user-data-dir="$REP/profile" \
			--enable-logging=stderr --v=0 "$@" "file://$f" 2>"$REP/log"
	}
	for f in "$REP"/dc-host.html "$REP"/guest-emulated.html "$REP"/firmware-pm.html "$REP"/diff.html \
		"$REP"/measured.html "$REP"/evil.html; do
		name=$(basename "$f" .html)
		browse "$f" --dump-dom >"$REP/$name.dom"
		errors=$(grep -a 'CONSOLE' "$REP/log" | head -3)
		svgs=$(grep -o '<svg' "$REP/$name.dom" | wc -l)
		bars=$(grep -o 'class="bar"' "$REP/$name.dom" | wc -l)
		if [ -z "$errors" ] && [ "$svgs" -ge 1 ] && [ "$bars" -ge 1 ]; then
			pass "chromium loads the report of $name: no console error, $svgs charts, $bars bars"
		else
			fail "chromium and the report of $name: $svgs charts, $bars bars" "$errors"
		fi
	done
	check "chromium: the hostile report ran no script" sh -c "! grep -q '<script' '$REP/evil.dom'"
	browse "$REP/diff.html" --screenshot="$REP/diff.png" --window-size=1200,1600 >/dev/null
	check "chromium renders the diff page to PNG" sh -c "[ \"\$(head -c 4 '$REP/diff.png' | od -An -tx1 | tr -d ' ')\" = 89504e47 ] && [ \$(wc -c <'$REP/diff.png') -gt 20000 ]"
	browse "$REP/diff.html" --screenshot="$REP/phone.png" --window-size=390,1600 >/dev/null
	check "chromium renders it as a phone shows it" test -s "$REP/phone.png"
	browse "$REP/diff.html" --no-pdf-header-footer --print-to-pdf="$REP/diff.pdf" >/dev/null
	check "chromium prints it" sh -c "head -c 5 '$REP/diff.pdf' | grep -q '%PDF-' && [ \$(grep -ac '/Type /Page\$\\|/Type/Page\$\\|/Type /Page[^s]' '$REP/diff.pdf') -ge 1 ]"
fi
