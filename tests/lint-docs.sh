#!/bin/sh
# Checks that the documentation agrees with the binary:
#
#   - man/dynamo.1 lints clean with mandoc -Tlint;
#   - every command of 'dynamo --help' has a subsection under COMMANDS (and a
#     line in the SYNOPSIS), and every such subsection is a command;
#   - 'dynamo help COMMAND' prints what 'dynamo COMMAND --help' prints;
#   - for every command, the flags of 'dynamo COMMAND --help' are the flags
#     the man page documents for it, written the same way
#     ("-e, -env, --profile PROFILE");
#   - every exit code of include/dynamo/exitcode.h is in EXIT STATUS, and
#     EXIT STATUS lists no other;
#   - the shell completion works (tests/completion/);
#   - --version names the commit the tree is at ('git describe').
#
# Prints one line per mismatch and exits 1 if there is any.
# Usage: sh tests/lint-docs.sh build/dynamo     (make lint-docs, make check)
#
# The man page conventions it relies on are described at the top of
# man/dynamo.1.
set -u

bin=${1:-build/dynamo}
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
man=$root/man/dynamo.1
exitcodes=$root/include/dynamo/exitcode.h
fails=0

problem() {
	echo "lint-docs: $*"
	fails=$((fails + 1))
}

case $bin in
*/*) ;;
*) bin=./$bin ;;
esac
if [ ! -x "$bin" ]; then
	echo "lint-docs: '$bin' is not an executable (build it with make)" >&2
	exit 2
fi
for f in "$man" "$exitcodes"; do
	if [ ! -f "$f" ]; then
		echo "lint-docs: '$f' is missing" >&2
		exit 2
	fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lint-docs.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# ---- mandoc ----------------------------------------------------------------

# Every message counts, style ones too, except the two that depend on which
# other manuals this machine has installed (.Xr aws 1 and jq 1 in SEE ALSO).
if command -v mandoc >/dev/null 2>&1; then
	mandoc -Tlint -W style "$man" >"$tmp/mandoc" 2>&1
	grep -v -e 'referenced manual not found' -e 'mandoc\.db' "$tmp/mandoc" |
		while IFS= read -r line; do
			echo "lint-docs: mandoc: ${line#mandoc: }"
		done >"$tmp/mandoc.msgs"
	if [ -s "$tmp/mandoc.msgs" ]; then
		cat "$tmp/mandoc.msgs"
		fails=$((fails + $(wc -l <"$tmp/mandoc.msgs")))
	fi
else
	problem "mandoc is not installed, so man/dynamo.1 cannot be checked: install it with 'apt-get install mandoc' (Debian/Ubuntu), 'dnf install mandoc' (Fedora) or 'brew install mandoc' (macOS)"
fi

# ---- what the binary says ----------------------------------------------------

# The commands of 'dynamo --help': the lines under "commands:".
"$bin" --help >"$tmp/usage" 2>&1 ||
	problem "'dynamo --help' exits with status $?"
awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on { print $1 }' \
	"$tmp/usage" >"$tmp/help.commands"
if [ ! -s "$tmp/help.commands" ]; then
	problem "'dynamo --help' lists no commands (is there a 'commands:' line?)"
fi

# A command's flags as 'dynamo COMMAND --help' shows them, one per line as
# "LONG<TAB>SPEC" ("--profile<TAB>-e, -env, --profile PROFILE"). The layout
# is opt_print_help's (src/util/opt.c): "  %-26s %s", or, for a longer
# flag, the flag alone on its line and the help on the next, indented.
help_flags() {
	awk '
	function emit(spec,   n, w, i, long) {
		sub(/[ \t]+$/, "", spec)
		n = split(spec, w, " ")
		long = w[1]
		for (i = 1; i <= n; i++)
			if (w[i] ~ /^--/) { long = w[i]; sub(/,$/, "", long) }
		print long "\t" spec
	}
	/^options:/ { on = 1; next }
	!on { next }
	{
		if (prev != "") {
			if (substr($0, 1, 28) == "                            ")
				emit(prev)			# wrapped: the help is below
			else
				emit(substr(prev, 1, 26))
			prev = ""
		}
		if ($0 ~ /^  -/)
			prev = substr($0, 3)
	}
	END { if (prev != "") emit(substr(prev, 1, 26)) }
	'
}

# ---- what the man page says ---------------------------------------------------

# One line per fact:
#   command NAME            an .Ss under COMMANDS
#   synopsis NAME           a .Cm line in the SYNOPSIS
#   flag OWNER LONG SPEC    an .It Fl line; OWNER is a command, "job" or "common"
#   uses NAME GROUP         a command's ".Sx JOB OPTIONS" / ".Sx COMMON OPTIONS" / ".Sx SELECTIONS" / ".Sx TRANSFORMS"
#   exit CODE               an .It line of the list under EXIT STATUS
awk '
function unescape(s) {
	gsub(/\\-/, "-", s)
	gsub(/\\&/, "", s)
	return s
}
# ".It Fl e , Fl env , Fl \-profile Ar PROFILE" -> "-e, -env, --profile PROFILE"
function spec(   i, s, t) {
	s = ""
	for (i = 2; i <= NF; i++) {
		t = $i
		if (t == "Fl" && i < NF) { s = s "-" unescape($(++i)); continue }
		if (t == "Ar" && i < NF) { s = s " " unescape($(++i)); continue }
		if (t == ",") { s = s ", "; continue }
		s = s " " unescape(t)
	}
	return s
}
function long_of(s,   n, w, i, l) {
	n = split(s, w, " ")
	l = w[1]
	for (i = 1; i <= n; i++)
		if (w[i] ~ /^--/) { l = w[i]; sub(/,$/, "", l) }
	return l
}
/^\.Sh / { sh = $0; sub(/^\.Sh /, "", sh); ss = ""; next }
/^\.Ss / { ss = $0; sub(/^\.Ss /, "", ss)
	if (sh == "COMMANDS") print "command " ss
	next }
sh == "SYNOPSIS" && /^\.Cm / { print "synopsis " $2; next }
sh == "EXIT STATUS" && /^\.It / { print "exit " $2; next }
/^\.It Fl / {
	owner = sh == "COMMANDS" ? ss : sh == "JOB OPTIONS" ? "job" : \
		sh == "COMMON OPTIONS" ? "common" : sh == "SELECTIONS" ? "select" : \
		sh == "TRANSFORMS" ? "xform" : ""
	if (owner != "") { s = spec(); print "flag " owner " " long_of(s) " " s }
	next
}
sh == "COMMANDS" && ss != "" && /^\.Sx JOB OPTIONS/ { print "uses " ss " job"; next }
sh == "COMMANDS" && ss != "" && /^\.Sx COMMON OPTIONS/ { print "uses " ss " common"; next }
sh == "COMMANDS" && ss != "" && /^\.Sx SELECTIONS/ { print "uses " ss " select"; next }
sh == "COMMANDS" && ss != "" && /^\.Sx TRANSFORMS/ { print "uses " ss " xform"; next }
' "$man" >"$tmp/man.facts"

awk '$1 == "command" { print $2 }' "$tmp/man.facts" >"$tmp/man.commands"
awk '$1 == "synopsis" { print $2 }' "$tmp/man.facts" >"$tmp/man.synopsis"

# The flags the man page gives a command: its own, then its groups'.
man_flags() {
	awk -v cmd="$1" '
	$1 == "uses" && $2 == cmd { uses[$3] = 1 }
	$1 == "flag" { owner[NR] = $2; line[NR] = $0 }
	END {
		for (i = 1; i <= NR; i++) {
			if (!(i in owner)) continue
			o = owner[i]
			if (o != cmd && !(o in uses)) continue
			s = line[i]
			sub(/^flag [^ ]+ /, "", s)
			l = s; sub(/ .*/, "", l)
			sub(/^[^ ]+ /, "", s)
			print l "\t" s
		}
	}' "$tmp/man.facts"
}

# ---- commands ------------------------------------------------------------------

while read -r c; do
	grep -qx "$c" "$tmp/man.commands" ||
		problem "$c: in 'dynamo --help' but has no subsection (.Ss $c) under COMMANDS in man/dynamo.1"
	grep -qx "$c" "$tmp/man.synopsis" ||
		problem "$c: in 'dynamo --help' but not in the SYNOPSIS of man/dynamo.1 (.Cm $c)"
done <"$tmp/help.commands"
while read -r c; do
	grep -qx "$c" "$tmp/help.commands" ||
		problem "$c: man/dynamo.1 has a COMMANDS subsection for it, but 'dynamo --help' lists no such command"
done <"$tmp/man.commands"

# ---- each command's flags ----------------------------------------------------------

tab=$(printf '\t')
while read -r c; do
	if ! "$bin" "$c" --help >"$tmp/$c.help" 2>&1; then
		problem "$c: 'dynamo $c --help' exits with status $?"
	fi
	if ! "$bin" help "$c" >"$tmp/$c.help2" 2>&1; then
		problem "$c: 'dynamo help $c' exits with status $?"
	fi
	if ! cmp -s "$tmp/$c.help" "$tmp/$c.help2"; then
		problem "$c: 'dynamo help $c' and 'dynamo $c --help' print different text"
	fi
	help_flags <"$tmp/$c.help" >"$tmp/$c.hflags"
	grep -qx "$c" "$tmp/man.commands" || continue
	man_flags "$c" >"$tmp/$c.mflags"

	# A flag documented twice for one command (its own list and a group).
	cut -f1 "$tmp/$c.mflags" | sort | uniq -d | while read -r f; do
		echo "lint-docs: $c: $f: documented more than once for this command in man/dynamo.1"
	done >"$tmp/$c.dups"
	if [ -s "$tmp/$c.dups" ]; then
		cat "$tmp/$c.dups"
		fails=$((fails + $(wc -l <"$tmp/$c.dups")))
	fi

	while IFS="$tab" read -r long hspec; do
		mspec=$(awk -F "$tab" -v l="$long" '$1 == l { print $2; exit }' "$tmp/$c.mflags")
		if [ -z "$mspec" ]; then
			problem "$c: $long: in 'dynamo $c --help' ('$hspec') but not documented for $c in man/dynamo.1"
		elif [ "$mspec" != "$hspec" ]; then
			problem "$c: $long: 'dynamo $c --help' shows '$hspec' but man/dynamo.1 shows '$mspec'"
		fi
	done <"$tmp/$c.hflags"
	while IFS="$tab" read -r long mspec; do
		grep -q "^$long$tab" "$tmp/$c.hflags" ||
			problem "$c: $long: documented for $c in man/dynamo.1 ('$mspec') but not in 'dynamo $c --help'"
	done <"$tmp/$c.mflags"
done <"$tmp/help.commands"

# ---- exit codes ---------------------------------------------------------------------

sed -n 's/^[[:space:]]*\(EXIT_[A-Z_]*\)[[:space:]]*=[[:space:]]*\([0-9][0-9]*\).*/\2 \1/p' \
	"$exitcodes" >"$tmp/codes"
if [ ! -s "$tmp/codes" ]; then
	problem "no exit codes found in include/dynamo/exitcode.h (expected lines like 'EXIT_OK = 0,')"
fi
awk '$1 == "exit" { print $2 }' "$tmp/man.facts" >"$tmp/man.codes"
while read -r code name; do
	grep -qx "$code" "$tmp/man.codes" ||
		problem "exit code $code ($name) is not in the EXIT STATUS of man/dynamo.1"
done <"$tmp/codes"
while read -r code; do
	awk -v c="$code" '$1 == c { found = 1 } END { exit !found }' "$tmp/codes" ||
		problem "EXIT STATUS of man/dynamo.1 lists $code, which include/dynamo/exitcode.h does not define"
done <"$tmp/man.codes"

# ---- shell completion ----------------------------------------------------------------

if command -v bash >/dev/null 2>&1; then
	bash "$here/completion/test_bash.sh" "$bin" || fails=$((fails + 1))
else
	problem "bash is not installed, so the bash completion cannot be tested"
fi
if command -v zsh >/dev/null 2>&1; then
	zsh "$here/completion/test_zsh.sh" "$bin" || fails=$((fails + 1))
else
	echo "lint-docs: zsh is not installed: the zsh completion is not tested (apt-get install zsh)"
fi

# ---- version ------------------------------------------------------------------------

# --version must name the commit the binary was built from, not the one of an
# earlier build (main.o is rebuilt when 'git describe' changes).
if described=$(git -C "$root" describe --tags --always --dirty 2>/dev/null); then
	case $("$bin" --version) in
	"dynamo $described "*) ;;
	*) problem "'dynamo --version' says '$("$bin" --version)', but the tree is at $described (rebuild)" ;;
	esac
fi

if [ "$fails" -gt 0 ]; then
	echo "lint-docs: $fails problem(s) with the documentation"
	exit 1
fi
echo "lint-docs: man page, --help, exit codes and completion agree"
exit 0
