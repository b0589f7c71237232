#!/bin/sh
# Builds the Debian package of dynamo ('make deb') with dpkg-deb: the binary,
# the man page, the bash and zsh completions, and the copyright and
# changelog files Debian policy asks for, owned by root, with the
# dependencies dpkg-shlibdeps finds for the binary (so the package is for
# the distribution it was built on, as Debian's own are).
#
#   scripts/deb.sh BINARY VERSION OUTDIR   writes OUTDIR/dynamo_DEBVERSION_ARCH.deb
#                                          and prints its path
#   scripts/deb.sh --version VERSION       prints the Debian version of a
#                                          'git describe' string, and nothing else
#
# The version: 'git describe --tags --always --dirty' made a valid Debian
# version that sorts the way releases do, with Debian revision 1:
#   v1.2.3                  1.2.3-1
#   v1.2.3-4-gabc1234       1.2.3+4.gabc1234-1      (after 1.2.3, before 1.2.4)
#   v1.2.3-rc1              1.2.3~rc1-1             (before 1.2.3)
#   v1.2.3-rc1-2-gabc1234   1.2.3~rc1+2.gabc1234-1
#   ...-dirty               ...+dirty-1             (an uncommitted tree)
#   abc1234 (no tag yet)    0.0.0+gabc1234-1
# A tag that does not start with a digit goes after "0.0.0+"; anything else
# a Debian version cannot hold becomes '.'.
#
# Reproducible: every file's time is the last commit's (SOURCE_DATE_EPOCH
# when set), gzip stores no name or time. Maintainer: $DEB_MAINTAINER, else
# the last commit's author.
set -eu

debian_version() {
    v=${1#v}
    dirty=
    case $v in *-dirty) dirty=1; v=${v%-dirty} ;; esac
    # Commits since the tag: "-N-gHASH" at the end.
    since=$(printf '%s\n' "$v" | sed -n 's/^\(.*\)-\([0-9][0-9]*\)-g\([0-9a-f][0-9a-f]*\)$/\2.g\3/p')
    [ -n "$since" ] && v=$(printf '%s\n' "$v" | sed 's/-[0-9][0-9]*-g[0-9a-f][0-9a-f]*$//')
    # No tag yet: the abbreviated commit alone (hex, no dot).
    if printf '%s\n' "$v" | grep -Eq '^[0-9a-f]{7,40}$'; then
        since="g$v"
        v=0.0.0
    fi
    case $v in
    [0-9]*) ;;
    *) v="0.0.0+$v" ;;     # a tag that is not a version ("release-x")
    esac
    # A pre-release ("1.2.3-rc1") sorts before its release.
    v=$(printf '%s\n' "$v" | sed 's/-/~/g; s/[^A-Za-z0-9.+~]/./g')
    [ -n "$since" ] && v="$v+$since"
    [ -n "$dirty" ] && v="$v+dirty"
    printf '%s-1\n' "$v"
}

if [ "${1:-}" = --version ]; then
    [ $# -eq 2 ] || { echo "usage: scripts/deb.sh --version GIT-DESCRIBE" >&2; exit 2; }
    debian_version "$2"
    exit 0
fi
if [ $# -ne 3 ]; then
    echo "usage: scripts/deb.sh BINARY VERSION OUTDIR | scripts/deb.sh --version GIT-DESCRIBE" >&2
    exit 2
fi
bin=$1 describe=$2 out=$3
root=$(cd "$(dirname "$0")/.." && pwd)
for tool in dpkg-deb dpkg-shlibdeps dpkg-architecture gzip; do
    command -v "$tool" >/dev/null 2>&1 ||
        { echo "dynamo: make deb needs $tool: run 'apt-get install dpkg-dev'" >&2; exit 1; }
done
[ -x "$bin" ] || { echo "dynamo: no binary '$bin' to package (run make first)" >&2; exit 1; }

out=$(mkdir -p "$out" && cd "$out" && pwd)
version=$(debian_version "$describe")
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$root" log -1 --format=%ct 2>/dev/null || date +%s)}
maintainer=${DEB_MAINTAINER:-$(git -C "$root" log -1 --format='%an <%ae>' 2>/dev/null || echo 'dynamo maintainers <dynamo@localhost>')}
work=$(mktemp -d "$out/deb.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
pkg=$work/dynamo
doc=$pkg/usr/share/doc/dynamo

install -d "$pkg/DEBIAN" "$pkg/usr/bin" "$pkg/usr/share/man/man1" \
    "$pkg/usr/share/bash-completion/completions" "$pkg/usr/share/zsh/vendor-completions" "$doc"
install -m 755 "$bin" "$pkg/usr/bin/dynamo"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$pkg/usr/bin/dynamo" 2>/dev/null || true
gzip -9n < "$root/man/dynamo.1" > "$pkg/usr/share/man/man1/dynamo.1.gz"
install -m 644 "$root/completion/dynamo.bash" "$pkg/usr/share/bash-completion/completions/dynamo"
install -m 644 "$root/completion/_dynamo" "$pkg/usr/share/zsh/vendor-completions/_dynamo"

# debian/copyright in the machine-readable format (DEP-5). The project
# states no license yet: the file says so rather than make one up.
{
    echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
    echo "Upstream-Name: dynamo"
    echo "Source: built from $describe"
    echo
    echo "Files: *"
    echo "Copyright: the dynamo maintainers"
    if [ -f "$root/LICENSE" ]; then
        echo "License: see below"
        sed 's/^$/./; s/^/ /' "$root/LICENSE"
    else
        echo "License: unspecified"
        echo " The dynamo source tree does not state a license yet."
    fi
} > "$doc/copyright"
chmod 644 "$doc/copyright"

date_rfc=$(LC_ALL=C date -u -R -d "@$epoch")
{
    printf 'dynamo (%s) unstable; urgency=medium\n\n' "$version"
    printf '  * Built from %s (git describe).\n\n' "$describe"
    printf ' -- %s  %s\n' "$maintainer" "$date_rfc"
} | gzip -9n > "$doc/changelog.Debian.gz"

# The shared libraries the binary links, as package dependencies.
mkdir -p "$work/shlibs/debian"
printf 'Source: dynamo\n\nPackage: dynamo\nArchitecture: any\n' > "$work/shlibs/debian/control"
depends=$(cd "$work/shlibs" && dpkg-shlibdeps -O -e"$pkg/usr/bin/dynamo" 2>/dev/null |
          sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "dynamo: dpkg-shlibdeps found no dependencies for $bin" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$pkg" | cut -f1)

cat > "$pkg/DEBIAN/control" <<EOF
Package: dynamo
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Depends: $depends
Section: utils
Priority: optional
Description: copy, truncate, restore, export and query DynamoDB tables
 dynamo moves DynamoDB data: it copies whole tables or selected items
 between AWS accounts and environments, truncates, restores, exports,
 imports and queries tables and their indexes, from a terminal or a
 GitHub Actions step. It streams in constant memory, runs requests in
 parallel on libcurl, resumes interrupted runs and does not lose items
 quietly.
EOF
(cd "$pkg" && find usr -type f | LC_ALL=C sort | xargs md5sum) > "$pkg/DEBIAN/md5sums"
chmod 644 "$pkg/DEBIAN/control" "$pkg/DEBIAN/md5sums"
find "$pkg" -type d -exec chmod 755 {} +
find "$pkg" -exec touch -h -d "@$epoch" {} +

deb=$out/dynamo_${version}_$arch.deb
SOURCE_DATE_EPOCH=$epoch dpkg-deb --root-owner-group -Zxz --build "$pkg" "$deb.tmp" >/dev/null
mv "$deb.tmp" "$deb"
echo "$deb"
