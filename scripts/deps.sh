#!/bin/sh
# Install the Debian/Ubuntu packages latdoc needs to build and test, only the
# missing ones, so `make run` on a machine that has them costs one dpkg query.
set -eu

build_pkgs="gcc make meson ninja-build pkg-config libjson-c-dev libxml2-dev libvirt-dev libcurl4-openssl-dev libssl-dev"
test_pkgs="libcmocka-dev jq util-linux clang libclang-rt-dev zsh time"
# the peers bench/ runs latdoc beside (not needed by make test)
bench_pkgs="rt-tests sockperf linux-perf curl openssl jq"

want="$build_pkgs"
[ "${1:-}" = "--test" ] && want="$want $test_pkgs"
[ "${1:-}" = "--bench" ] && want="$want $bench_pkgs"

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
	echo "latdoc: missing packages:$missing; install them with your package manager" >&2
	exit 1
fi
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
echo "latdoc: installing$missing" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
