#!/bin/sh
# Check the build dependencies; on Debian as root, install what is missing.
# Usage: scripts/deps.sh build|test
# Prints one line per missing package naming it for Debian/Ubuntu, Fedora and
# Homebrew, and exits 1 when something is still missing.
set -u
mode=${1:-build}

# pkg-config name | Debian package | Fedora package | Homebrew formula
build_pkgs='libcurl libcurl4-openssl-dev libcurl-devel curl
libcrypto libssl-dev openssl-devel openssl@3
libcjson libcjson-dev cjson-devel cjson
zlib zlib1g-dev zlib-devel zlib'
test_pkgs='cmocka libcmocka-dev libcmocka-devel cmocka'

pkgs=$build_pkgs
[ "$mode" = test ] && pkgs="$build_pkgs
$test_pkgs"

missing() {
    command -v pkg-config >/dev/null 2>&1 || { echo "pkg-config pkg-config pkgconf-pkg-config pkg-config"; }
    echo "$pkgs" | while read -r pc deb fed brew; do
        pkg-config --exists "$pc" 2>/dev/null || echo "$pc $deb $fed $brew"
    done
}

todo=$(missing)
[ -z "$todo" ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    debs=$(echo "$todo" | awk '{print $2}' | tr '\n' ' ')
    echo "dynamo: installing build dependencies: $debs" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -q && apt-get install -y -q --no-install-recommends $debs pkg-config; } >&2 || true
    todo=$(missing)
    [ -z "$todo" ] && exit 0
fi

echo "$todo" | while read -r pc deb fed brew; do
    echo "dynamo: missing '$pc': install it with 'apt-get install $deb' (Debian/Ubuntu), 'dnf install $fed' (Fedora) or 'brew install $brew' (macOS)" >&2
done
exit 1
