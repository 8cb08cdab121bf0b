# Snapshots that travel: a root may be a tar archive (gzip, xz, zstd,
# bzip2 or none), read under a directory's rules. Every fixture gives the
# same facts and findings from an archive of it, made by tar or by
# `snapshot -o FILE.tar.gz`, as from its directory; hostile archives are
# refused or bounded with a clear error (tests/tools/mktar_hostile.c).
ARC=$OUT/archive
rm -rf "$ARC" && mkdir -p "$ARC"
view='del(.host.root) | {findings, facts, problems}'

same_as_dir() { # NAME DIR ARCHIVE: the archive audits as the directory does
	rm -f "$ARC/a.json"
	check_json "$ARC/a.raw" --root "$2" && jq -S "$view" "$ARC/a.raw" >"$ARC/a.json"
	run "$LATDOC" check --root "$3" --json
	if [ -s "$ARC/a.json" ] && [ "$STATUS" -le 1 ] && sanitizer_clean && jq -S "$view" "$OUT/stdout" >"$ARC/b.json" 2>/dev/null &&
		diff -u "$ARC/a.json" "$ARC/b.json" >"$ARC/diff"; then
		pass "$1"
	else
		fail "$1: exit $STATUS, or facts and findings differ" "$(cat "$OUT/stderr"; head -20 "$ARC/diff")"
	fi
}

for dir in "$ROOTS"/*/; do
	name=$(basename "$dir")
	tar -C "$dir" -czf "$ARC/$name.tar.gz" .
	same_as_dir "tar archive of $name: the same facts and findings" "$dir" "$ARC/$name.tar.gz"
	run "$LATDOC" snapshot --root "$dir" -o "$ARC/$name-snap.tgz"
	if [ "$STATUS" -eq 0 ] && sanitizer_clean; then
		same_as_dir "snapshot -o $name.tgz: the same facts and findings" "$dir" "$ARC/$name-snap.tgz"
	else
		fail "snapshot -o $name.tgz: exit $STATUS" "$(head -5 "$OUT/stderr")"
	fi
done

# the other compressions, and none
for z in J:xz zstd:zst j:bz2 :plain; do
	flag=${z%%:*} ext=${z#*:}
	case $flag in zstd) command -v zstd >/dev/null || { skip "tar.$ext" "no zstd"; continue; }; flag=--zstd ;;
		"") ;; *) flag=-$flag ;; esac
	tar -C "$ROOTS/kvm-host" $flag -cf "$ARC/kvm-host.$ext" . 2>/dev/null || { skip "tar.$ext" "tar cannot"; continue; }
	same_as_dir "a $ext archive reads as the directory" "$ROOTS/kvm-host" "$ARC/kvm-host.$ext"
done

# standard output, through a pipe, into check reading standard input
"$LATDOC" snapshot --root "$ROOTS/guest-emulated" -o - 2>"$ARC/snap-err" | "$LATDOC" check --root /dev/stdin --json >"$ARC/piped.json" 2>"$ARC/check-err"
rm -f "$ARC/a.json"
check_json "$ARC/a.raw" --root "$ROOTS/guest-emulated" && jq -S "$view" "$ARC/a.raw" >"$ARC/a.json"
if [ -s "$ARC/a.json" ] && jq -S "$view" "$ARC/piped.json" >"$ARC/b.json" 2>/dev/null && diff -q "$ARC/a.json" "$ARC/b.json" >/dev/null; then
	pass "snapshot -o - | check --root /dev/stdin: the same facts and findings"
else
	fail "snapshot -o - piped into check" "$(cat "$ARC/snap-err" "$ARC/check-err")"
fi
if command -v script >/dev/null; then
	script -qec "'$LATDOC' snapshot -o - --root '$ROOTS/kvm-host'" /dev/null >"$ARC/tty" 2>&1
	check "snapshot -o - to a terminal is refused" grep -q "standard output is a terminal" "$ARC/tty"
else
	skip "snapshot -o - to a terminal" "no script(1)"
fi
run sh -c "'$LATDOC' snapshot -o '$ARC/kvm-host-snap.tgz' --root '$ROOTS/kvm-host'"
check "snapshot will not overwrite an archive" sh -c "[ $STATUS -eq 2 ] && grep -q 'exists (give a new name)' '$OUT/stderr'"
check "a snapshot archive is 0600" sh -c "[ \$(stat -c %a '$ARC/guest-emulated-snap.tgz') = 600 ]"

# hostile archives: refused with what and where, or bounded
MKTAR=$TOP/$SAN/mktar_hostile
if [ ! -x "$MKTAR" ]; then
	skip "hostile archives" "no $MKTAR"
else
	refused() { # KIND PATTERN
		"$MKTAR" "$1" | gzip -1 >"$ARC/h-$1.tgz"
		start=$(date +%s)
		run "$LATDOC" check --root "$ARC/h-$1.tgz"
		secs=$(($(date +%s) - start))
		if [ "$STATUS" -eq 2 ] && grep -q -- "$2" "$OUT/stderr" && sanitizer_clean && [ "$secs" -lt 30 ]; then
			pass "hostile archive ($1): refused, in ${secs}s"
		else
			fail "hostile archive ($1): exit $STATUS in ${secs}s" "$(head -5 "$OUT/stderr")"
		fi
	}
	refused absolute "refused at member 5 ('/etc/latdoc-evil'): an absolute path"
	refused climb "refused at member 5 ('a/../../latdoc-evil'): a path that climbs out"
	refused through "refused at member 6 ('etc/latdoc-evil'): a path through a member that is not a directory"
	refused liar "the contents expand beyond 128 MiB"
	refused bomb "the contents expand beyond 128 MiB"
	refused many "more than 200000 members"

	"$MKTAR" linkout | gzip -1 >"$ARC/h-linkout.tgz"
	run "$LATDOC" check --root "$ARC/h-linkout.tgz" --json
	check "links that lead out of an archive lead nowhere: this machine's hostname is not read" \
		sh -c "[ $STATUS -le 1 ] && jq -e '.host.hostname == null' '$OUT/stdout'"
	"$MKTAR" huge | gzip -1 >"$ARC/h-huge.tgz"
	run "$LATDOC" check --root "$ARC/h-huge.tgz" --json
	check "a member over 16 MiB is a problem, not read" \
		sh -c "[ $STATUS -le 1 ] && jq -e '.problems | index(\"proc/stat: larger than 16 MiB, not read\")' '$OUT/stdout'"
	if [ -x /usr/bin/time ] && [ -x "$TOP/build/latdoc" ]; then
		/usr/bin/time -o "$ARC/peak" -f %M "$TOP/build/latdoc" check --root "$ARC/h-bomb.tgz" >/dev/null 2>&1
		kb=$(tail -1 "$ARC/peak")
		check "a bomb peaks under 160 MB: the 128 MiB it may expand to, and no more ($kb KiB)" test "$kb" -lt 163840
	fi
	rm -f "$ARC"/h-bomb.tgz "$ARC"/h-many.tgz
fi

# a stream cut short, early and late: a damaged archive, with where
tar -C "$ROOTS/kvm-host" -cf - . | gzip -1 >"$ARC/whole.tgz"
size=$(wc -c <"$ARC/whole.tgz")
for cut in 100 $((size * 2 / 3)); do
	head -c "$cut" "$ARC/whole.tgz" >"$ARC/cut.tgz"
	run "$LATDOC" check --root "$ARC/cut.tgz"
	if [ "$STATUS" -eq 2 ] && grep -q "a damaged or truncated archive" "$OUT/stderr" && sanitizer_clean; then
		pass "an archive cut at $cut of $size bytes: a damaged or truncated archive"
	else
		fail "an archive cut at $cut bytes: exit $STATUS" "$(head -5 "$OUT/stderr")"
	fi
done
expect_usage_error "a file that is no archive" "not a directory, nor a tar archive" check --root "$TOP/README.md"

# a snapshot of an archive: the archive backend records what it read too
rm -rf "$ARC/from-archive"
run "$LATDOC" snapshot --root "$ARC/kvm-host-snap.tgz" -o "$ARC/from-archive"
if [ "$STATUS" -eq 0 ] && sanitizer_clean; then
	same_as_dir "a snapshot of an archive audits as the directory" "$ROOTS/kvm-host" "$ARC/from-archive"
else
	fail "snapshot --root ARCHIVE: exit $STATUS" "$(head -5 "$OUT/stderr")"
fi
