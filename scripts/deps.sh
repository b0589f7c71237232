#!/bin/sh
# Checks the dependencies of the build (build) or of the build and the tests
# (test); with --install, as root on Debian/Ubuntu, installs what is missing
# with apt-get first ('make deps', CI). Plain 'make' only checks.
#
# Usage: scripts/deps.sh [--install] build|test
# Prints one line naming every missing package for Debian/Ubuntu, Fedora and
# Homebrew, and exits 1 when something is still missing.
set -u
install=
if [ "${1:-}" = --install ]; then
    install=1
    shift
fi
mode=${1:-build}
case $mode in
build|test) ;;
*) echo "usage: scripts/deps.sh [--install] build|test" >&2; exit 2 ;;
esac

# pkg-config name | Debian package | Fedora package | Homebrew formula
# (a name starting with 'cmd:' is a command looked up on PATH)
build_pkgs='libcurl libcurl4-openssl-dev libcurl-devel curl
libcrypto libssl-dev openssl-devel openssl@3
libcjson libcjson-dev cjson-devel cjson
zlib zlib1g-dev zlib-devel zlib'
test_pkgs='cmocka libcmocka-dev libcmocka-devel cmocka
cmd:node nodejs nodejs node
cmd:npm npm npm node
cmd:mandoc mandoc mandoc mandoc'

pkgs=$build_pkgs
[ "$mode" = test ] && pkgs="$build_pkgs
$test_pkgs"

missing() {
    command -v pkg-config >/dev/null 2>&1 || { echo "pkg-config pkg-config pkgconf-pkg-config pkg-config"; }
    echo "$pkgs" | while read -r pc deb fed brew; do
        case $pc in
        cmd:*) command -v "${pc#cmd:}" >/dev/null 2>&1 || echo "${pc#cmd:} $deb $fed $brew" ;;
        *) pkg-config --exists "$pc" 2>/dev/null || echo "$pc $deb $fed $brew" ;;
        esac
    done
}

# The words in column $1 of the missing list, on one line.
column() {
    echo "$todo" | awk -v c="$1" '{ printf "%s%s", sep, $c; sep = " " }'
}

todo=$(missing)
[ -z "$todo" ] && exit 0

if [ -n "$install" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    debs=$(column 2)
    echo "dynamo: installing $debs" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -q && apt-get install -y -q --no-install-recommends $debs pkg-config; } >&2 || true
    todo=$(missing)
    [ -z "$todo" ] && exit 0
fi

target=deps
[ "$mode" = test ] && target=test-deps
echo "dynamo: missing $(column 1 | sed 's/ /, /g'): run 'apt-get install $(column 2)' (Debian/Ubuntu, or 'sudo make $target'), 'dnf install $(column 3)' (Fedora) or 'brew install $(column 4)' (macOS)" >&2
exit 1
