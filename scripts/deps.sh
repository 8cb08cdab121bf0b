#!/bin/sh
# Install the Debian/Ubuntu packages latdoc needs to build and test, only the
# missing ones, so `make run` on a machine that has them costs one dpkg query.
set -eu

build_pkgs="gcc make meson ninja-build pkg-config libjson-c-dev libxml2-dev libvirt-dev libcurl4-openssl-dev libssl-dev libmicrohttpd-dev libarchive-dev"
# prometheus (and its promtool) scrapes and checks serve; ansible-core runs
# contrib/ansible; systemd-analyze verifies contrib/systemd; chromium renders
# report's HTML
test_pkgs="libcmocka-dev jq util-linux clang libclang-rt-dev zsh time prometheus ansible-core systemd chromium"
# the peers bench/ runs beside latdoc (make bench): node_exporter for serve;
# cyclictest, sockperf, perf and curl for measure, rtt and ttfb
bench_pkgs="time prometheus-node-exporter rt-tests sockperf linux-perf curl openssl jq"

want="$build_pkgs"
case "${1:-}" in
--test) want="$want $test_pkgs" ;;
--bench) want="$want $bench_pkgs" ;;
esac

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
