# bash completion for dynamo                                  -*- shell-script -*-
#
# Installed by 'make install' as share/bash-completion/completions/dynamo;
# or source it from ~/.bashrc.
#
# Commands and each command's flags are read at completion time from the
# binary being completed ('dynamo --help', 'dynamo COMMAND --help'), so they
# never drift from it. A flag's value is completed from the placeholder its
# help shows: PROFILE -> profile names from the AWS config and credentials
# files, FILE -> file names, S|N|B -> S N B; --output -> ddb json jsonl.
# Works with or without the bash-completion package.

# The binary to ask: the one on the command line, else dynamo on PATH.
_dynamo_bin()
{
    local b=${COMP_WORDS[0]}
    # shellcheck disable=SC2088 # a literal "~/", as the shell left it
    [[ $b == "~/"* ]] && b=$HOME/${b#"~/"}
    if [[ $b == */* ]]; then
        [[ -x $b ]] && { printf '%s\n' "$b"; return; }
    else
        b=$(type -P -- "$b" 2>/dev/null) && [[ -n $b ]] && { printf '%s\n' "$b"; return; }
    fi
    type -P dynamo 2>/dev/null
}

# The commands under "commands:" in 'dynamo --help'.
_dynamo_commands()
{
    "$1" --help 2>/dev/null | awk '/^commands:/ { on = 1; next }
        on && /^$/ { exit } on { print $1 }'
}

# A command's flags, one form per line with its placeholder, from
# 'dynamo COMMAND --help': "-e PROFILE", "-env PROFILE", "--profile PROFILE",
# "--json" (no placeholder: a switch).
_dynamo_flags()
{
    "$1" "$2" --help 2>/dev/null | awk '
        /^options:/ { on = 1; next }
        !on || !/^  -/ { next }
        {
            spec = substr($0, 3)
            arg = ""
            n = split(spec, w, " ")
            for (i = 1; i <= n; i++) {
                f = w[i]
                if (f !~ /^-/) break
                last = f !~ /,$/
                sub(/,$/, "", f)
                forms[++k] = f
                if (last) {
                    # After the last flag: its placeholder (upper case), or
                    # the help text.
                    if (i < n && w[i + 1] ~ /^[A-Z][A-Z|]*$/) arg = w[i + 1]
                    break
                }
            }
            for (j = 1; j <= k; j++) print forms[j] (arg != "" ? " " arg : "")
            k = 0
        }'
}

# Profile names: [profile NAME] and [default] in the config file, [NAME] in
# the credentials file ($AWS_CONFIG_FILE, $AWS_SHARED_CREDENTIALS_FILE, as
# dynamo finds them).
_dynamo_profiles()
{
    local config=${AWS_CONFIG_FILE:-$HOME/.aws/config}
    local creds=${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}
    # shellcheck disable=SC2088 # dynamo expands a literal "~/" in them
    [[ $config == "~/"* ]] && config=$HOME/${config#"~/"}
    # shellcheck disable=SC2088
    [[ $creds == "~/"* ]] && creds=$HOME/${creds#"~/"}
    {
        [[ -r $config ]] && sed -n \
            -e 's/^[[:space:]]*\[[[:space:]]*default[[:space:]]*\].*/default/p' \
            -e 's/^[[:space:]]*\[[[:space:]]*profile[[:space:]][[:space:]]*\([^][:space:]][^]]*[^][:space:]]\)[[:space:]]*\].*/\1/p' \
            -e 's/^[[:space:]]*\[[[:space:]]*profile[[:space:]][[:space:]]*\([^][:space:]]\)[[:space:]]*\].*/\1/p' \
            "$config"
        [[ -r $creds ]] && sed -n \
            -e 's/^[[:space:]]*\[[[:space:]]*\([^][:space:]][^]]*[^][:space:]]\)[[:space:]]*\].*/\1/p' \
            -e 's/^[[:space:]]*\[[[:space:]]*\([^][:space:]]\)[[:space:]]*\].*/\1/p' \
            "$creds"
    } 2>/dev/null | sort -u
}

_dynamo_complete_words()
{
    local IFS=$'\n'
    mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

_dynamo_complete_files()
{
    if declare -F _filedir >/dev/null; then
        cur=$1 _filedir
    else
        compopt -o filenames 2>/dev/null
        mapfile -t COMPREPLY < <(compgen -f -- "$1")
    fi
}

_dynamo()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev='' bin cmd flags line flag arg
    local i=$COMP_CWORD
    COMPREPLY=()

    # "--profile=pro" arrives as "--profile" "=" "pro" (or "--profile" "=").
    if ((i >= 2)) && [[ ${COMP_WORDS[i - 1]} == "=" ]]; then
        prev=${COMP_WORDS[i - 2]}
    elif [[ $cur == "=" ]] && ((i >= 1)); then
        prev=${COMP_WORDS[i - 1]}
        cur=
    elif ((i >= 1)); then
        prev=${COMP_WORDS[i - 1]}
    fi

    bin=$(_dynamo_bin) || return 0
    [[ -n $bin ]] || return 0

    if ((COMP_CWORD == 1)); then
        if [[ $cur == -* ]]; then
            _dynamo_complete_words $'--help\n--version' "$cur"
        else
            _dynamo_complete_words "$(_dynamo_commands "$bin")"$'\nhelp' "$cur"
        fi
        return 0
    fi

    cmd=${COMP_WORDS[1]}
    if [[ $cmd == help ]]; then
        ((COMP_CWORD == 2)) && _dynamo_complete_words "$(_dynamo_commands "$bin")" "$cur"
        return 0
    fi
    flags=$(_dynamo_flags "$bin" "$cmd")
    [[ -n $flags ]] || return 0

    # The value of a flag that takes one.
    if [[ $prev == -* ]]; then
        arg=
        while read -r flag line; do
            [[ $flag == "$prev" && -n $line ]] && { arg=$line; break; }
            # getopt_long_only: -profile is --profile, --env is -env.
            [[ -n $line && ${flag#-} == -* && -${flag#--} == "$prev" ]] && { arg=$line; break; }
            [[ -n $line && ${flag#-} != -* && ${#flag} -gt 2 && -$flag == "$prev" ]] && { arg=$line; break; }
        done <<<"$flags"
        if [[ -n $arg ]]; then
            case $arg in
            PROFILE) _dynamo_complete_words "$(_dynamo_profiles)" "$cur" ;;
            FILE) _dynamo_complete_files "$cur" ;;
            FORMAT) [[ $prev == *output ]] && _dynamo_complete_words $'ddb\njson\njsonl' "$cur" ;;
            *"|"*) _dynamo_complete_words "${arg//|/$'\n'}" "$cur" ;;
            esac
            return 0
        fi
    fi

    if [[ $cur == -* ]]; then
        # "--": the GNU names only; "-": every form (-t, -src, --source).
        if [[ $cur == --* ]]; then
            _dynamo_complete_words "$(awk '$1 ~ /^--/ { print $1 }' <<<"$flags")" "$cur"
        else
            _dynamo_complete_words "$(awk '{ print $1 }' <<<"$flags")" "$cur"
        fi
    fi
    return 0
}

complete -F _dynamo dynamo
