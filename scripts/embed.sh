#!/bin/sh
# embed.sh IN OUT NAME: OUT declares the text of IN as the C string NAME,
# so the binary carries a file it writes (the latdoc-hold unit).
set -eu
{
	echo "/* Made from $(basename "$1") by scripts/embed.sh: do not edit. */"
	echo "static const char $3[] ="
	sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/\t"/' -e 's/$/\\n"/' "$1"
	echo "\t;"
} >"$2"
