#!/bin/sh
# What plain 'make' promises (make check runs this):
#   - it never installs anything: apt-get, dnf, brew and sudo on PATH are
#     fakes that record being called, even when make runs as root;
#   - with a library missing it stops with one line naming the package to
#     install, before any compiler runs;
#   - pkg-config is asked once per build, not once per file.
# Builds two objects into a temporary directory; prints one line per broken
# promise and exits 1 if there is any.
#
# Usage: sh tests/build/test_make.sh
set -u
# Run from make check: not the caller's flags and variables (CC=, SAN=, -j).
unset MAKEFLAGS MFLAGS MAKELEVEL
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dynamo-test-make.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
fail() {
    echo "test_make: $*" >&2
    fails=$((fails + 1))
}

# Fakes that log their calls; pkg-config logs and runs the real one.
mkdir -p "$tmp/bin"
for cmd in apt-get apt dnf brew sudo; do
    printf '#!/bin/sh\necho "%s $*" >> "%s/installers.log"\nexit 1\n' "$cmd" "$tmp" > "$tmp/bin/$cmd"
done
real_pkg_config=$(command -v pkg-config) || { echo "test_make: pkg-config is not installed" >&2; exit 1; }
printf '#!/bin/sh\necho "$*" >> "%s/pkg-config.log"\nexec "%s" "$@"\n' "$tmp" "$real_pkg_config" > "$tmp/bin/pkg-config"
chmod +x "$tmp/bin/"*
objs="$tmp/build/src/util/buf.o $tmp/build/src/util/msg.o"

# 1. Everything there: two objects, pkg-config asked once for the cflags.
PATH="$tmp/bin:$PATH" make -s -C "$root" BUILD="$tmp/build" $objs >"$tmp/ok.out" 2>&1 ||
    fail "make of two objects failed: $(cat "$tmp/ok.out")"
n=$(grep -c -- '--cflags' "$tmp/pkg-config.log" 2>/dev/null || echo 0)
[ "$n" = 1 ] || fail "pkg-config --cflags ran $n times for two objects (wanted once)"

# 2. Plain 'make' with the libraries missing (pkg-config finds nothing): one
#    line, no compiler run, no installer called.
rm -rf "$tmp/build"
PATH="$tmp/bin:$PATH" PKG_CONFIG_LIBDIR="$tmp/none" PKG_CONFIG_PATH= \
    make -C "$root" --no-print-directory BUILD="$tmp/build" CC="$tmp/bin/no-compiler" \
    >"$tmp/missing.out" 2>&1 && fail "make succeeded without the libraries"
lines=$(grep -c . "$tmp/missing.out")
[ "$lines" = 1 ] || fail "wanted one line without the libraries, got $lines: $(cat "$tmp/missing.out")"
grep -q "dynamo: missing libcurl, libcrypto, libcjson, zlib: run 'apt-get install libcurl4-openssl-dev" \
    "$tmp/missing.out" || fail "the line does not name the packages: $(cat "$tmp/missing.out")"
[ -e "$tmp/build/src/util/buf.o" ] && fail "an object was built without the libraries"

[ -s "$tmp/installers.log" ] && fail "make called an installer: $(cat "$tmp/installers.log")"
[ "$fails" = 0 ] || exit 1
echo "test_make: ok"
