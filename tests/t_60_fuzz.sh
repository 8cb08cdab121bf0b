# A short libFuzzer run of every parser target, seeded from fuzz/corpus
# (with fuzz/TARGET.dict, the syntax's tokens, where there is one).
# New inputs go to a scratch directory; the kept corpus is not changed.
FUZZ_SECONDS=${FUZZ_SECONDS:-8}
for target in cpuinfo cpulist cmdline choice domain_xml qemu_args packet fleet_report accept journal domain_edit; do
	exe=$TOP/$FUZZ/fuzz_$target
	if [ ! -x "$exe" ]; then
		fail "fuzz $target: no $exe (make test builds it with clang)"
		continue
	fi
	scratch=$OUT/fuzz-$target
	mkdir -p "$scratch"
	dict=
	[ -f "$TOP/fuzz/$target.dict" ] && dict=-dict=$TOP/fuzz/$target.dict
	timeout $((FUZZ_SECONDS + 60)) "$exe" -max_total_time="$FUZZ_SECONDS" -max_len=65536 $dict \
		-artifact_prefix="$scratch/" "$scratch" "$TOP/fuzz/corpus/$target" >"$OUT/fuzz-$target.log" 2>&1
	if [ $? -eq 0 ]; then
		pass "fuzz $target"
	else
		fail "fuzz $target" "$(tail -30 "$OUT/fuzz-$target.log")"
	fi
done
