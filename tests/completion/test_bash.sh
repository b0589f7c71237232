#!/bin/bash
# Sources completion/dynamo.bash and checks what it offers for a few command
# lines: commands, a command's flags, profile names from a temporary AWS
# config, file names, choices.
# When the bash-completion package is installed, runs a second time with it
# loaded (file names then come from its _filedir).
# Usage: bash tests/completion/test_bash.sh build/dynamo   (run by tests/lint-docs.sh)
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-$root/build/dynamo}
[[ $bin == /* ]] || bin=$PWD/$bin
with=${2:-}        # "bash-completion": the second run
bash_completion=/usr/share/bash-completion/bash_completion
fails=0

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-bash-completion.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

if [[ $with == bash-completion ]]; then
    # shellcheck source=/dev/null
    . "$bash_completion"
fi
# shellcheck source=/dev/null
. "$root/completion/dynamo.bash"

# An AWS config and credentials file of our own.
mkdir -p "$tmp/home/.aws" "$tmp/files"
cat >"$tmp/home/.aws/config" <<'EOF'
[default]
region = eu-west-1

[profile prod]
role_arn = arn:aws:iam::111111111111:role/r
source_profile = me

[profile   staging  ]
region = eu-west-1

[sso-session corp]
sso_start_url = https://example.awsapps.com/start

[services local]
dynamodb =
  endpoint_url = http://localhost:8000
EOF
cat >"$tmp/home/.aws/credentials" <<'EOF'
[me]
aws_access_key_id = AKIAEXAMPLE
aws_secret_access_key = secret
[prod]
aws_access_key_id = AKIAEXAMPLE2
aws_secret_access_key = secret2
EOF
cat >"$tmp/other-config" <<'EOF'
[profile elsewhere]
region = us-east-1
EOF
touch "$tmp/files/users.jsonl.gz" "$tmp/files/users.ck" "$tmp/files/other.txt"
export HOME=$tmp/home
unset AWS_CONFIG_FILE AWS_SHARED_CREDENTIALS_FILE

# complete WORD... : COMPREPLY for the command line whose last word is the
# one being completed.
complete_line()
{
    COMP_WORDS=("$bin" "$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="${COMP_WORDS[*]}"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _dynamo
    printf '%s\n' "${COMPREPLY[@]}" | sort
}

# expect NAME "WORDS" "EXPECTED LINES": the completions are exactly these.
expect()
{
    local name=$1 want got
    shift
    want=$(printf '%s' "${!#}" | sort)
    set -- "${@:1:$#-1}"
    got=$(complete_line "$@")
    if [[ $got != "$want" ]]; then
        echo "test_bash: $name: 'dynamo $*<TAB>' offers [${got//$'\n'/ }], expected [${want//$'\n'/ }]"
        fails=$((fails + 1))
    fi
}

# has NAME "WORDS" WORD...: the completions include every WORD.
has()
{
    local name=$1 words=$2 w got
    shift 2
    read -ra line <<<"$words"
    [[ $words == *" " ]] && line+=("")
    got=$(complete_line "${line[@]}")
    for w in "$@"; do
        if ! grep -qxF -- "$w" <<<"$got"; then
            echo "test_bash: $name: 'dynamo $words<TAB>' does not offer '$w' (offers: ${got//$'\n'/ })"
            fails=$((fails + 1))
        fi
    done
}

# lacks NAME "WORDS" WORD...: the completions include none of the WORDs.
lacks()
{
    local name=$1 words=$2 w got
    shift 2
    read -ra line <<<"$words"
    [[ $words == *" " ]] && line+=("")
    got=$(complete_line "${line[@]}")
    for w in "$@"; do
        if grep -qxF -- "$w" <<<"$got"; then
            echo "test_bash: $name: 'dynamo $words<TAB>' offers '$w', which it should not"
            fails=$((fails + 1))
        fi
    done
}

# Commands: every one 'dynamo --help' lists, and help.
commands=$("$bin" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')
[[ -n $commands ]] || { echo "test_bash: 'dynamo --help' lists no commands"; exit 1; }
expect commands "" "$commands"$'\nhelp'
expect "command prefix" tr $'truncate'
expect "help COMMAND" help de $'describe'
expect "global flags" --v $'--version'

# A command's flags, as its --help shows them.
has "copy flags" "copy --" --table --source --target --target-table --pk --sk \
    --index --pk-type --no-backup --no-truncate --create-target --yes --dry-run \
    --json --checkpoint --profile --help
lacks "copy flags" "copy --" --output --unique --from-table -src -t
has "copy single-dash flags" "copy -" -t -src -tgt -pk -sk -i -env -e -y -n
expect "copy -s" copy -s $'-sk\n-src'
has "query flags" "query --" --pk --unique --head --output --count --consistent --limit --desc
lacks "query flags" "query --" --yes --dry-run --source --json
has "tables flags" "tables --" --json --profile --region --endpoint-url
lacks "tables flags" "tables --" --table
expect "unknown command" frob -- ""

# Every flag of every command is offered, as 'dynamo COMMAND --help' shows it.
for c in $commands; do
    want=$("$bin" "$c" --help | awk '/^options:/ { on = 1; next }
        on && /^  -/ { for (i = 1; i <= NF; i++) { f = $i
            if (f !~ /^--/) continue; sub(/,$/, "", f); print f; break } }')
    expect "every flag of $c" "$c" -- "$want"
done

# Profile names from ~/.aws/config and ~/.aws/credentials.
profiles=$'default\nme\nprod\nstaging'
expect "--source PROFILE" copy -t users --source "" "$profiles"
expect "-src PROFILE" copy -src "" "$profiles"
expect "--target PROFILE" copy --target p "prod"
expect "-tgt PROFILE" copy -tgt st "staging"
expect "-e PROFILE" query -e "" "$profiles"
expect "-env PROFILE" query -env "" "$profiles"
expect "--env PROFILE" truncate --env "" "$profiles"
expect "--profile PROFILE" tables --profile "" "$profiles"
expect "--profile=PROFILE" tables --profile = "" "$profiles"
expect "--profile=p" tables --profile = p "prod"
expect "--src PROFILE" copy --src m "me"

# $AWS_CONFIG_FILE and $AWS_SHARED_CREDENTIALS_FILE, with ~/ as dynamo reads them.
cp "$tmp/other-config" "$HOME/other-config"
# shellcheck disable=SC2088 # a literal "~/", which dynamo expands
AWS_CONFIG_FILE="~/other-config" AWS_SHARED_CREDENTIALS_FILE=$tmp/nowhere \
    expect "AWS_CONFIG_FILE" copy --source "" "elsewhere"
AWS_CONFIG_FILE=$tmp/nowhere AWS_SHARED_CREDENTIALS_FILE=$HOME/.aws/credentials \
    expect "AWS_SHARED_CREDENTIALS_FILE" copy --source "" $'me\nprod'

# Choices.
expect "--output FORMAT" query --output "" $'ddb\njson\njsonl'
expect "--output j" query -t users --output j $'json\njsonl'
expect "--pk-type" query --pk-type "" $'B\nN\nS'
expect "--pk-type copy" copy --pk-type N "N"

# File names; -i is a file only for import (for copy and query, an index).
cd "$tmp/files" || exit 2
has "-o FILE" "export -t users -o " users.jsonl.gz users.ck other.txt
has "--file FILE (export)" "export --file u" users.jsonl.gz
has "-i FILE (import)" "import -i u" users.jsonl.gz
has "--checkpoint FILE" "copy --checkpoint users." users.ck users.jsonl.gz
has "--from-file FILE" "restore --from-file " users.jsonl.gz
expect "-i INDEX (copy)" copy -i "" ""
expect "-t TABLE" copy -t "" ""
cd "$root" || exit 2

if ((fails > 0)); then
    echo "test_bash: $fails failure(s)${with:+ (with $with)}"
    exit 1
fi
echo "test_bash: bash completion ok${with:+ (with $with)}"
if [[ -z $with && -r $bash_completion ]]; then
    bash "$0" "$bin" bash-completion || exit 1
fi
