#!/bin/sh
# What the composite action's "Download the released dynamo" step promises
# (make check runs this): the step's own script, taken out of
# .github/actions/dynamo/action.yml, is run with fakes of 'gh' (a release
# with assets in a directory) and 'git ls-remote' (a list of tags):
#   - a tagged ref on Linux x86_64 whose release holds the binary and its
#     sum: ok=true, the binary installed as dir/dynamo, executable;
#   - the binary altered after its sum was taken, or no line for it in
#     SHA256SUMS: the step fails with an ::error:: line, ok stays false;
#   - a branch or commit (not a tag), a tag with no release, another
#     runner (ARM64, macOS), no ref at all: ok=false, build from source,
#     and 'gh' is not even asked unless the ref is a tag.
# Prints one line per broken promise and exits 1 if there is any.
#
# Usage: sh tests/build/test_action_release.sh
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/dynamo-test-action.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM
fails=0
fail() {
    echo "test_action_release: $*" >&2
    fails=$((fails + 1))
}

python3 - "$root/.github/actions/dynamo/action.yml" > "$tmp/step.sh" <<'EOF' ||
import sys, yaml
for st in yaml.safe_load(open(sys.argv[1]))["runs"]["steps"]:
    if st.get("id") == "release":
        sys.stdout.write(st["run"])
        break
else:
    sys.exit("no step with id 'release'")
EOF
    { echo "test_action_release: cannot read the release step of action.yml" >&2; exit 1; }

# The fakes. git: 'ls-remote ... refs/tags/REF' succeeds when REF is in
# $tmp/tags. gh: 'release download TAG ... --dir D' copies $tmp/releases/TAG/*
# into D, or fails like gh does when the release does not exist.
mkdir -p "$tmp/bin" "$tmp/releases"
cat > "$tmp/bin/git" <<EOF
#!/bin/sh
for a; do last=\$a; done
echo "git \$*" >> "$tmp/calls.log"
grep -qx "\${last#refs/tags/}" "$tmp/tags"
EOF
cat > "$tmp/bin/gh" <<EOF
#!/bin/sh
echo "gh \$*" >> "$tmp/calls.log"
tag=\$3 dir=
while [ \$# -gt 0 ]; do [ "\$1" = --dir ] && dir=\$2; shift; done
[ -d "$tmp/releases/\$tag" ] || { echo "release not found" >&2; exit 1; }
cp "$tmp/releases/\$tag/"* "\$dir/"
EOF
chmod +x "$tmp/bin/"*
printf 'v1.0\nv1.1\nv1.2\n' > "$tmp/tags"
release() {    # release TAG [tamper|nosum]
    d=$tmp/releases/$1
    mkdir -p "$d"
    printf '#!/bin/sh\necho "dynamo %s"\n' "$1" > "$d/dynamo-linux-x86_64"
    (cd "$d" && sha256sum dynamo-linux-x86_64 > SHA256SUMS && echo "0000  dynamo_1.0-1_amd64.deb" >> SHA256SUMS)
    case ${2:-} in
    tamper) echo "# changed" >> "$d/dynamo-linux-x86_64" ;;
    nosum) sed -i '/dynamo-linux-x86_64/d' "$d/SHA256SUMS" ;;
    esac
}
release v1.0
release v1.1 tamper
release v1.2 nosum

# run NAME REF [OS ARCH]: runs the step; sets rc, out (its GITHUB_OUTPUT) and log.
run() {
    home=$tmp/home-$1
    mkdir -p "$home"
    : > "$tmp/calls.log"
    out=$home/output
    : > "$out"
    env -i PATH="$tmp/bin:/usr/bin:/bin" HOME="$home" GITHUB_OUTPUT="$out" \
        GITHUB_REPOSITORY=owner/dynamo SERVER_URL=https://github.example \
        REF="$2" ACTION_REF= TOKEN=t0ken ACTION_REPOSITORY= \
        RUNNER_OS="${3:-Linux}" RUNNER_ARCH="${4:-X64}" \
        bash -e "$tmp/step.sh" > "$home/log" 2>&1
    rc=$?
    log=$(cat "$home/log")
}
last_ok() {
    sed -n 's/^ok=//p' "$out" | tail -n 1
}

run good v1.0
[ "$rc" = 0 ] || fail "a released tag: exit $rc: $log"
[ "$(last_ok)" = true ] || fail "a released tag: ok is '$(last_ok)', wanted true"
dir=$(sed -n 's/^dir=//p' "$out")
[ -x "$dir/dynamo" ] && [ "$("$dir/dynamo")" = "dynamo v1.0" ] ||
    fail "a released tag: no working binary in dir='$dir'"

run tamper v1.1
[ "$rc" != 0 ] || fail "a binary that does not match its sum was accepted: $log"
[ "$(last_ok)" = false ] || fail "a binary that does not match its sum: ok is '$(last_ok)'"
printf '%s\n' "$log" | grep -q '^::error::.*SHA-256' || fail "a binary that does not match its sum: no ::error:: line: $log"

run nosum v1.2
[ "$rc" != 0 ] || fail "a binary with no line in SHA256SUMS was accepted: $log"
[ "$(last_ok)" = false ] || fail "a binary with no sum: ok is '$(last_ok)'"

printf 'v1.3\n' >> "$tmp/tags"
run unreleased v1.3
[ "$rc" = 0 ] && [ "$(last_ok)" = false ] || fail "a tag with no release: exit $rc, ok '$(last_ok)' (wanted 0, false): $log"
printf '%s\n' "$log" | grep -q '::notice::.*building it from source' || fail "a tag with no release: no notice: $log"

for case in "branch main" "commit 0123456789abcdef0123456789abcdef01234567" "none ''"; do
    set -- $case
    eval "run $1 $2"
    [ "$rc" = 0 ] && [ "$(last_ok)" = false ] || fail "$1: exit $rc, ok '$(last_ok)' (wanted 0, false): $log"
    grep -q '^gh ' "$tmp/calls.log" && fail "$1: gh was asked for a release of a ref that is not a tag"
done
run arm v1.0 Linux ARM64
[ "$rc" = 0 ] && [ "$(last_ok)" = false ] || fail "an ARM64 runner: exit $rc, ok '$(last_ok)' (wanted 0, false)"
run mac v1.0 macOS X64
[ "$rc" = 0 ] && [ "$(last_ok)" = false ] || fail "a macOS runner: exit $rc, ok '$(last_ok)' (wanted 0, false)"
[ -s "$tmp/calls.log" ] && fail "a macOS runner: the step asked git or gh: $(cat "$tmp/calls.log")"

if [ "$fails" -gt 0 ]; then
    echo "test_action_release: $fails failed" >&2
    exit 1
fi
echo "test_action_release: ok"
