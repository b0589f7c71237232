#!/usr/bin/env zsh
# Loads completion/_dynamo into an interactive zsh on a pseudo-terminal,
# presses TAB after a few command lines and checks what is offered:
# commands, a command's flags, profile names from a temporary AWS config,
# choices. compadd is wrapped to print each match, as zsh-capture-completion
# does.
# Usage: zsh tests/completion/test_zsh.sh build/dynamo   (run by tests/lint-docs.sh
# when zsh is installed)
emulate -L zsh
setopt err_return no_unset pipe_fail

here=${0:A:h}
root=${here:h:h}
bin=${1:-$root/build/dynamo}
bin=${bin:A}
integer fails=0

zsh -n $root/completion/_dynamo || { print "test_zsh: completion/_dynamo has a syntax error"; exit 1 }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test-zsh-completion.XXXXXX")
trap 'rm -rf $tmp' EXIT

mkdir -p $tmp/home/.aws $tmp/bin $tmp/files
ln -s $bin $tmp/bin/dynamo
cat >$tmp/home/.aws/config <<'EOF'
[default]
region = eu-west-1

[profile prod]
region = eu-west-1

[profile  staging ]
region = eu-west-1

[sso-session corp]
sso_start_url = https://example.awsapps.com/start
EOF
cat >$tmp/home/.aws/credentials <<'EOF'
[me]
aws_access_key_id = AKIAEXAMPLE
aws_secret_access_key = secret
EOF
touch $tmp/files/users.jsonl.gz $tmp/files/users.ck

zmodload zsh/zpty

# The shell under test: no user startup files, our completion first in fpath,
# and compadd wrapped to print every match between markers.
zpty z env -i HOME=$tmp/home PATH=$tmp/bin:/usr/bin:/bin TERM=dumb zsh -f -i
zpty -w z "PS1='' PROMPT='' RPROMPT=''; unsetopt zle_bracketed_paste 2>/dev/null; cd $tmp/files"
zpty -w z "fpath=($root/completion \$fpath); autoload -U compinit; compinit -u -D"
zpty -w z "zstyle ':completion:*' list-grouped false; zstyle ':completion:*' insert-tab false"
zpty -w z "zstyle ':completion:*' menu no; zstyle ':completion:*' list-prompt ''"
zpty -w z 'compadd() {
  if [[ ${@[1,(i)(-|--)]} == *-(O|A|D)\ * ]]; then builtin compadd "$@"; return $?; fi
  typeset -a __hits; builtin compadd -A __hits "$@"
  local h; for h in $__hits; do print -r -- "<hit>$h</hit>" >/dev/tty; done
  builtin compadd "$@"
}'
zpty -w z 'bindkey "^I" complete-word; __done() { print -r -- "<done>" >/dev/tty }; zle -N __done; bindkey "^X" __done'

# offers LINE: what TAB offers after LINE, sorted, one per line.
offers() {
  local out= chunk
  integer tries=0
  zpty -n -w z "$1"$'\t\x18'
  # Read until the <done> marker, for up to ten seconds.
  until [[ $out == *'<done>'* ]] || (( ++tries > 200 )); do
    if zpty -r -t z chunk 2>/dev/null; then out+=$chunk; else sleep 0.05; fi
  done
  # Clear the line for the next case.
  zpty -n -w z $'\x15'
  local -a hits
  local l
  for l in ${(f)out}; do
    [[ $l == *'<hit>'*'</hit>'* ]] || continue
    l=${l#*<hit>}
    hits+=(${l%%</hit>*})
  done
  print -r -- ${(F)${(ou)hits}}
}

expect() {
  local name=$1 line=$2 want=$3 got
  got=$(offers "$line")
  if [[ $got != $want ]]; then
    print -r -- "test_zsh: $name: '$line<TAB>' offers [${(f)got}], expected [${(f)want}]"
    (( fails++ ))
  fi
}

has() {
  local name=$1 line=$2 got w
  local -a list
  shift 2
  got=$(offers "$line")
  list=(${(f)got})
  for w in "$@"; do
    if (( ! ${list[(Ie)$w]} )); then
      print -r -- "test_zsh: $name: '$line<TAB>' does not offer '$w' (offers: ${(f)got})"
      (( fails++ ))
    fi
  done
}

lacks() {
  local name=$1 line=$2 got w
  local -a list
  shift 2
  got=$(offers "$line")
  list=(${(f)got})
  for w in "$@"; do
    if (( ${list[(Ie)$w]} )); then
      print -r -- "test_zsh: $name: '$line<TAB>' offers '$w', which it should not"
      (( fails++ ))
    fi
  done
}

# Wait until the shell has run the setup lines (the echo of the command
# line shows <re""ady>, its output <ready>).
zpty -w z 'print -r -- "<re""ady>"'
local junk= chunk
integer tries=0
until [[ $junk == *'<ready>'* ]] || (( ++tries > 200 )); do
  zpty -r -t z chunk 2>/dev/null && junk+=$chunk || sleep 0.05
done
[[ $junk == *'<ready>'* ]] || { print "test_zsh: the zsh under test did not start"; exit 1 }

local -a cmds
cmds=(${(f)"$($bin --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }')"})
cmds+=(help)
expect commands "dynamo " "${(F)${(@o)cmds}}"
expect "command prefix" "dynamo tr" "truncate"
expect "help COMMAND" "dynamo help de" "describe"
has "copy flags" "dynamo copy --" --table --source --target --no-backup --create-target --yes --json --profile
lacks "copy flags" "dynamo copy --" --output --from-table
has "copy single-dash flags" "dynamo copy -" -src -tgt -pk -env -t
has "query flags" "dynamo query --" --unique --head --output --count
lacks "query flags" "dynamo query --" --yes --source
expect "--source PROFILE" "dynamo copy --source " $'default\nme\nprod\nstaging'
expect "-tgt PROFILE" "dynamo copy -tgt p" "prod"
expect "-e PROFILE" "dynamo query -e " $'default\nme\nprod\nstaging'
expect "--output FORMAT" "dynamo query --output " $'ddb\njson\njsonl'
expect "--pk-type" "dynamo query --pk-type " $'B\nN\nS'
has "-o FILE" "dynamo export -o " users.jsonl.gz users.ck
has "--checkpoint FILE" "dynamo truncate --checkpoint users." users.ck

zpty -d z
if (( fails )); then
  print "test_zsh: $fails failure(s)"
  exit 1
fi
print "test_zsh: zsh completion ok"
