# The house: data flows one way, root -> facts -> rules -> output (README.md,
# "Layout"). Each folder of src/ has a rank; a file may include only its own
# folder's headers and those of folders ranked below it. An arrow that runs
# back up fails here, with the file and the include that runs it.
LAYER_RANKS='
lib 0
model 1
root 1
findings 1
parse 2
facts 3
measure 4
net 5
rules 5
audit 6
tune 7
output 8
snapshot 8
serve 9
diff 9
fleet 9
report 10
cmd 11
'
rank_of() { printf '%s' "$LAYER_RANKS" | awk -v d="$1" '$1 == d { print $2 }'; }

layer_faults=""
unranked=""
for file in $(cd "$TOP" && find src -name '*.[ch]' | sort); do
	dir=$(dirname "$file")
	[ "$dir" = src ] && continue # main.c: the top, the command table
	from=${dir#src/}
	from=${from%%/*}
	from_rank=$(rank_of "$from")
	if [ -z "$from_rank" ]; then
		unranked="$unranked $from"
		continue
	fi
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$TOP/$file"); do
		target=$(realpath -m --relative-to="$TOP/src" "$TOP/$dir/$inc")
		# version.h, generated at the top of the build: below everything
		case "$target" in */*) ;; *) continue ;; esac
		to=${target%%/*}
		[ "$to" = "$from" ] && continue
		to_rank=$(rank_of "$to")
		if [ -z "$to_rank" ] || [ "$to_rank" -ge "$from_rank" ]; then
			layer_faults="$layer_faults
$file includes $inc ($from, rank $from_rank -> $to, rank ${to_rank:-none})"
		fi
	done
done
check "every folder of src/ has a rank in the layer table${unranked:+ (not:$unranked)}" test -z "$unranked"
if [ -z "$layer_faults" ]; then
	pass "no include runs back up the layers"
else
	fail "includes that run back up the layers" "$layer_faults"
fi

# Sources are cited where a reader can find them: a kernel document, a
# repository's file, an issue. KNOWLEDGE.md and DESIGN.md live outside this
# repository.
for doc in KNOWLEDGE DESIGN; do
	cited=$(cd "$TOP" && grep -rln "$doc\.md" src docs tests/unit tests/*.sh README.md contrib bench 2>/dev/null | grep -v '^tests/t_05_layers.sh$')
	check "no file cites $doc.md, which is not in this repository${cited:+ ($cited)}" test -z "$cited"
done
