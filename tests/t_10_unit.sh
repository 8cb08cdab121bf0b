# Unit tests: each cmocka test is one check, read from its TAP output.
for exe in "$TOP/$SAN"/test_*; do
	[ -f "$exe" ] && [ -x "$exe" ] || continue
	name=$(basename "$exe")
	CMOCKA_MESSAGE_OUTPUT=TAP timeout 60 "$exe" >"$OUT/$name.tap" 2>"$OUT/stderr"
	status=$?
	oks=$(grep -c '^ok ' "$OUT/$name.tap")
	bad=$(grep '^not ok ' "$OUT/$name.tap")
	i=0
	while [ "$i" -lt "$oks" ]; do pass "$name"; i=$((i + 1)); done
	if [ -n "$bad" ]; then
		printf '%s\n' "$bad" | while IFS= read -r line; do echo "FAIL - $name: $line"; done
		FAILED=$((FAILED + $(printf '%s\n' "$bad" | wc -l)))
	fi
	if [ "$status" -ne 0 ] && [ -z "$bad" ]; then
		fail "$name exited $status" "$(cat "$OUT/stderr" "$OUT/$name.tap" | tail -30)"
	elif [ "$oks" -eq 0 ]; then
		fail "$name ran no test"
	fi
done
