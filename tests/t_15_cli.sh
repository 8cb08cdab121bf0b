# The command line: each option is declared once, in its command's table.
# The help and the completions are written from the tables; the man page is
# written by hand, so it is held to them here, option by option.

# help_options CMD: the long options `latdoc help CMD` lists, sorted
help_options() {
	"$LATDOC" help "$1" | sed -n 's/^  \(-., \)\{0,1\}--\([a-z-]*\).*/\2/p' | grep -vx help | sort
}

# man_options CMD: the long options of the man page's OPTIONS subsection CMD
man_options() {
	awk -v cmd="$1" '
		/^\.SS / { on = ($2 == cmd); next }
		/^\.SH / { on = 0 }
		on && prev == ".TP" && match($0, /\\-\\-[a-z]([a-z]|\\-)*/) {
			name = substr($0, RSTART, RLENGTH)
			gsub(/\\/, "", name)
			print substr(name, 3)
		}
		{ prev = $0 }' docs/latdoc.1 | sort
}

for cmd in $("$LATDOC" help | sed -n 's/^  \([a-z]*\) .*/\1/p'); do
	help_options "$cmd" >"$OUT/help.opts"
	[ -s "$OUT/help.opts" ] || continue
	man_options "$cmd" >"$OUT/man.opts"
	if diff "$OUT/help.opts" "$OUT/man.opts" >"$OUT/opts.diff"; then
		pass "man page lists every option of $cmd, and no other"
	else
		fail "man page and the options of $cmd differ (< help, > man)" "$(cat "$OUT/opts.diff")"
	fi
done

run "$LATDOC" help rtt
check "help wraps its lines to 80 columns" sh -c "! awk 'length > 80' '$OUT/stdout' | grep -q ."
check "help of a duration names its range" grep -q -- '--interval TIME' "$OUT/stdout"
expect_usage_error "help of no such command" "'bogus' is not a command" help bogus
run "$LATDOC" check --help
check "--help after a command shows its options" grep -q -- '--fail-on LEVEL' "$OUT/stdout"
run "$LATDOC" check --root=/nonexistent/x
check "--name=value is taken" grep -q "cannot use '/nonexistent/x' as the root" "$OUT/stderr"
run "$LATDOC" snapshot -o
check "a short option without its value: exit 2, and says which" sh -c "[ $STATUS -eq 2 ] && grep -q -- '--output needs a value (DIR|FILE)' '$OUT/stderr'"
expect_usage_error "completion for another shell" "say which shell: bash or zsh" completion fish

# bash completion, as bash runs it: COMP_WORDS and COMP_CWORD in, COMPREPLY out
"$LATDOC" completion bash >"$OUT/latdoc.bash"
complete_bash() { # WORDS...: what bash offers for the last word
	bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _latdoc; echo "${COMPREPLY[*]}"' \
		_ "$OUT/latdoc.bash" "$@"
}
# expect_completion NAME EXPECTED WORDS...
expect_completion() {
	name=$1 want=$2; shift 2
	got=$(complete_bash "$@")
	if [ "$got" = "$want" ]; then pass "$name"; else fail "$name: '$got', not '$want'"; fi
}
expect_completion "bash completes the commands" snapshot latdoc sn
expect_completion "bash completes a command's options" "--connect --color" latdoc check --co
expect_completion "bash completes an option's choices" warning latdoc check --fail-on w
expect_completion "bash completes an operand" "freq wake" latdoc measure ""
expect_completion "bash completes help's operand with the commands" check latdoc help ch
expect_completion "bash completes a directory for --root" tests/fixtures/overlays latdoc check --root tests/fixtures/ove
expect_completion "bash offers no file where a number goes" "" latdoc rtt --count ""

"$LATDOC" completion zsh >"$OUT/_latdoc"
if command -v zsh >/dev/null 2>&1; then
	check "the zsh completion parses" zsh -n "$OUT/_latdoc"
else
	skip "zsh completion syntax" "no zsh"
fi
missing=""
for o in $(help_options check); do grep -q -- "--$o\[" "$OUT/_latdoc" || missing="$missing $o"; done
check "the zsh completion has every option of check${missing:+ (missing:$missing)}" test -z "$missing"

# make install: the binary, the man page and both completions under the
# prefix (staged here with DESTDIR, as a package build does)
rm -rf "$OUT/stage"
if meson install -C "$TOP/$SAN" --no-rebuild --destdir "$OUT/stage" >"$OUT/install.log" 2>&1; then
	prefix=$OUT/stage$(meson introspect "$TOP/$SAN" --buildoptions | jq -r '.[] | select(.name == "prefix") | .value')
	missing=""
	for f in bin/latdoc share/man/man1/latdoc.1 share/bash-completion/completions/latdoc \
		share/zsh/site-functions/_latdoc lib/systemd/system/latdoc-exporter.service \
		lib/systemd/system/latdoc-rtt.service share/latdoc/prometheus/latdoc-alerts.yml \
		share/latdoc/prometheus/latdoc-alerts.test.yml share/latdoc/ansible/latdoc.yml; do
		[ -e "$prefix/$f" ] || missing="$missing $f"
	done
	check "install puts everything under the prefix${missing:+ (missing:$missing)}" test -z "$missing"
	check "the installed units start the installed latdoc" grep -q "^ExecStart=${prefix#"$OUT/stage"}/bin/latdoc serve$" \
		"$prefix/lib/systemd/system/latdoc-exporter.service"
	if command -v man >/dev/null 2>&1; then
		check "man latdoc finds the installed page" sh -c "MANPATH='$prefix/share/man' man latdoc 2>/dev/null | grep -q 'latdoc rtt'"
	else
		skip "man latdoc" "no man(1)"
	fi
else
	fail "meson install" "$(tail -5 "$OUT/install.log")"
fi
