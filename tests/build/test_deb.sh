#!/bin/sh
# What 'make deb' promises (make check runs this):
#   - the version is 'git describe' made a valid Debian version that sorts
#     the way releases do (a table of cases, checked with dpkg itself);
#   - the package holds the binary, the man page, the bash and zsh
#     completions, a DEP-5 copyright and a changelog whose version is the
#     package's, all owned by root with the usual modes, and depends on the
#     libraries the binary links;
#   - installed by dpkg into a fresh root (its own database, nothing of the
#     machine's), 'dynamo --version' runs and says the version it was built
#     from, 'man -l' renders the page, bash loads the completion; removed,
#     it leaves nothing behind;
#   - built twice from the same commit, it is the same file, byte for byte.
# Prints one line per broken promise and exits 1 if there is any.
#
# Usage: sh tests/build/test_deb.sh [BUILD-DIR]   (default: build)
set -u
unset MAKEFLAGS MFLAGS MAKELEVEL
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dynamo-test-deb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
fail() {
    echo "test_deb: $*" >&2
    fails=$((fails + 1))
}
for tool in dpkg dpkg-deb dpkg-parsechangelog man bash; do
    command -v "$tool" >/dev/null 2>&1 ||
        { echo "test_deb: $tool is not installed (apt-get install dpkg-dev man-db)" >&2; exit 1; }
done

# 1. Versions: the mapping, each valid, and in release order.
while read -r describe want; do
    got=$(sh "$root/scripts/deb.sh" --version "$describe")
    [ "$got" = "$want" ] || fail "version of '$describe' is '$got', wanted '$want'"
    dpkg --validate-version "$got" 2>/dev/null || fail "'$got' (from '$describe') is not a valid Debian version"
done <<'EOF'
v1.2.3 1.2.3-1
1.2.3 1.2.3-1
v1.2.3-4-gabc1234 1.2.3+4.gabc1234-1
v1.2.3-rc1 1.2.3~rc1-1
v1.2.3-rc1-2-gabc1234 1.2.3~rc1+2.gabc1234-1
v1.2.3-dirty 1.2.3+dirty-1
v1.2.3-4-gabc1234-dirty 1.2.3+4.gabc1234+dirty-1
a5477a2 0.0.0+ga5477a2-1
1234abc5-dirty 0.0.0+g1234abc5+dirty-1
v2.0_beta:1 2.0.beta.1-1
release-x 0.0.0+release~x-1
EOF
prev=
for v in v0.9 v1.0-rc1 v1.0-rc1-3-g1234567 v1.0 v1.0-2-gabcdef0 v1.0-2-gabcdef0-dirty v1.0.1; do
    cur=$(sh "$root/scripts/deb.sh" --version "$v")
    if [ -n "$prev" ] && ! dpkg --compare-versions "$prev" lt "$cur"; then
        fail "version order: '$prev' does not sort before '$cur' ($v)"
    fi
    prev=$cur
done

# 2. make deb (the binary is up to date: make check built it).
deb=$(make -s -C "$root" BUILD="$build" DEB_DIR="$tmp/out" deb 2>"$tmp/make.err" | tail -n 1)
if [ ! -f "$deb" ]; then
    echo "test_deb: make deb made no package: $(cat "$tmp/make.err")" >&2
    exit 1
fi
describe=$(git -C "$root" describe --tags --always --dirty 2>/dev/null || echo 0.1.0)
version=$(sh "$root/scripts/deb.sh" --version "$describe")
field() {
    dpkg-deb --field "$deb" "$1"
}
[ "$(field Package)" = dynamo ] || fail "Package is '$(field Package)'"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', wanted '$version' (from '$describe')"
[ "$(field Architecture)" = "$(dpkg --print-architecture)" ] || fail "Architecture is '$(field Architecture)'"
for lib in libc6 libcurl libcjson libssl zlib1g; do
    field Depends | grep -q "$lib" || fail "Depends has no $lib: $(field Depends)"
done
[ "$(basename "$deb")" = "dynamo_${version}_$(dpkg --print-architecture).deb" ] || fail "the file is named $(basename "$deb")"

# 3. What it holds, owned by root.
dpkg-deb --contents "$deb" > "$tmp/contents"
while read -r mode path; do
    grep -Eq "^$mode root/root .* \./$path\$" "$tmp/contents" || fail "no $mode root/root ./$path in the package"
done <<'EOF'
-rwxr-xr-x usr/bin/dynamo
-rw-r--r-- usr/share/man/man1/dynamo.1.gz
-rw-r--r-- usr/share/bash-completion/completions/dynamo
-rw-r--r-- usr/share/zsh/vendor-completions/_dynamo
-rw-r--r-- usr/share/doc/dynamo/copyright
-rw-r--r-- usr/share/doc/dynamo/changelog.Debian.gz
EOF
grep -v ' root/root ' "$tmp/contents" | grep -q . && fail "files not owned by root: $(grep -v ' root/root ' "$tmp/contents")"

# 4. Installed by dpkg into a fresh root with a database of its own.
r=$tmp/root
mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates" "$r/var/lib/dpkg/triggers"
: > "$r/var/lib/dpkg/status"
dpkg_root() {
    dpkg --root="$r" --force-not-root --log=/dev/null "$@"
}
# Its dependencies are the machine's, not this empty root's.
dpkg_root --force-depends -i "$deb" > "$tmp/install.log" 2>&1 || fail "dpkg -i failed: $(cat "$tmp/install.log")"
dpkg_root -s dynamo 2>/dev/null | grep -q '^Status: install ok installed' || fail "dpkg does not list dynamo as installed"
out=$("$r/usr/bin/dynamo" --version 2>&1) || fail "the installed dynamo --version failed: $out"
case $out in
"dynamo $describe "*) ;;
*) fail "the installed dynamo --version says '$out', wanted 'dynamo $describe ...'" ;;
esac
page=$(MANPAGER=cat MANWIDTH=80 LC_ALL=C man -l "$r/usr/share/man/man1/dynamo.1.gz" 2>"$tmp/man.err") ||
    fail "man -l failed: $(cat "$tmp/man.err")"
for s in NAME SYNOPSIS "EXIT STATUS" "dynamo copy"; do
    printf '%s\n' "$page" | grep -q "$s" || fail "the installed man page shows no '$s'"
done
bash -c ". '$r/usr/share/bash-completion/completions/dynamo' && complete -p dynamo" >/dev/null 2>&1 ||
    fail "bash does not load the installed completion"
head -n 1 "$r/usr/share/zsh/vendor-completions/_dynamo" | grep -q '^#compdef dynamo' ||
    fail "the zsh completion does not start with #compdef dynamo"
head -n 1 "$r/usr/share/doc/dynamo/copyright" |
    grep -q '^Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' ||
    fail "the copyright file is not in the machine-readable format"
cl=$(gzip -dc "$r/usr/share/doc/dynamo/changelog.Debian.gz" | dpkg-parsechangelog -l - -S Version 2>&1)
[ "$cl" = "$version" ] || fail "the changelog's version is '$cl', wanted '$version'"
dpkg_root -r dynamo > "$tmp/remove.log" 2>&1 || fail "dpkg -r failed: $(cat "$tmp/remove.log")"
left=$(cd "$r" && find usr -type f 2>/dev/null)
[ -z "$left" ] || fail "dpkg -r left files behind: $left"

# 5. The same commit, the same package.
again=$(make -s -C "$root" BUILD="$build" DEB_DIR="$tmp/again" deb 2>/dev/null | tail -n 1)
cmp -s "$deb" "$again" || fail "two builds of the same tree differ ($deb, $again)"

if [ "$fails" -gt 0 ]; then
    echo "test_deb: $fails failed" >&2
    exit 1
fi
echo "test_deb: ok ($(basename "$deb"))"
