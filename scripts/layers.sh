#!/bin/sh
# The layers of src/ depend one way: util <- http <- aws <- ddb <- engine <-
# plan <- cmd, with main.c at the top. This fails, naming each
# offending edge, when one runs upward:
#
#   symbols   file.o -> file.o (symbol): an object uses a symbol defined in a
#             higher layer (from nm of the objects)
#   includes  file -> dynamo/x.h (layer): a source or header includes a header
#             of a higher layer. A header's layer is the highest layer of the
#             objects defining what it declares (functions and extern data);
#             a header that declares none (types only) is named in LAYERS_TYPES
#             below.
#
# Include edges that still run upward are listed in scripts/layers.allow
# (one 'file -> header' a line): those are reported as known, and a listed
# edge that no longer exists must be removed from the list (it fails), so
# the list only shrinks. A folder of src/ with no layer fails too.
#
# Usage: scripts/layers.sh [OBJDIR [SRCDIR INCDIR [ALLOW]]]
#        (defaults: build/src src include scripts/layers.allow)
#        scripts/layers.sh --self-test   checks that upward edges are refused
set -u

LAYERS="util http aws ddb engine plan cmd"
# Headers that declare no function or data defined in src/: their layer.
LAYERS_TYPES="exitcode.h=util"

# rank(path): the layer of a path under src/ (or of an object under
# OBJDIR): 0 for util upward, 98 for main.c (the top), 99 for a
# folder with no layer. name(rank): the layer's name.
AWK_RANK='
	BEGIN { n = split(layers, L, " "); for (i = 1; i <= n; i++) R[L[i]] = i - 1 }
	function rank(p,  l) {
		if (index(p, "/") == 0) return 98
		l = substr(p, 1, index(p, "/") - 1)
		return (l in R) ? R[l] : 99
	}
	function name(r) { return r == 98 ? "top" : L[r + 1] }
'

fail=0
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

# Fails for each path (under src/ or OBJDIR) in a folder with no layer.
check_layers_known() {
	printf '%s\n' "$@" | awk -v layers="$LAYERS" "$AWK_RANK"'
		rank($0) == 99 { f = $0; sub(/\/.*/, "", f)
			print "layers: \"" $0 "\" is in folder \"" f "\", which has no layer (add it to LAYERS in scripts/layers.sh)"; bad = 1 }
		END { exit bad }' || fail=1
}

symbols() {
	obj=$1 src=$2
	# Objects of the sources there are (not those left from a moved file).
	objs=$(find "$obj" -name '*.o' | sed "s|^$obj/||" | sort | while read -r o; do
		[ -f "$src/${o%.o}.c" ] && echo "$o"
	done)
	if [ -z "$objs" ]; then
		echo "layers: no objects of $src/ under $obj (build first)"
		exit 1
	fi
	check_layers_known $objs
	for o in $objs; do
		nm -g --defined-only "$obj/$o" | awk -v f="$o" 'NF == 3 && $2 ~ /[TDBRCGSV]/ { print $3, f }'
	done | sort >"$tmp/d"
	for o in $objs; do
		nm -u "$obj/$o" | awk -v f="$o" '{ print $NF, f }'
	done | sort >"$tmp/u"
	join "$tmp/u" "$tmp/d" | awk -v layers="$LAYERS" "$AWK_RANK"'
		rank($2) < rank($3) { print $2 " -> " $3 " (" $1 ")" }' | sort -u >"$tmp/sym_edges"
	if [ -s "$tmp/sym_edges" ]; then
		echo "layers: symbols used from a higher layer ($(wc -l <"$tmp/sym_edges") edges):"
		sed 's/^/  /' "$tmp/sym_edges"
		fail=1
	fi
}

# Each header's layer, from what it declares (see the top), into $tmp/hdr
# as "name rank".
header_layers() {
	inc=$1
	: >"$tmp/hdr"
	for h in "$inc"/dynamo/*.h; do
		[ -e "$h" ] || continue
		name=${h##*/}
		# Names declared at file scope: "type name(" and "extern type name;".
		sed -n -e 's/^[a-z][^(;=]*[ *]\([a-z_][a-z0-9_]*\)(.*/\1/p' \
			-e 's/^extern [^(]*[ *]\([a-z_][a-z0-9_]*\)\(\[[^]]*\]\)\{0,1\};.*/\1/p' "$h" |
			sort -u >"$tmp/names"
		best=$(join "$tmp/names" "$tmp/d" | awk -v layers="$LAYERS" "$AWK_RANK"'
			{ r = rank($2); if (NR == 1 || r > best) best = r } END { if (NR) print best }')
		if [ -z "$best" ]; then
			for t in $LAYERS_TYPES; do
				[ "${t%%=*}" = "$name" ] && best=$(echo "${t#*=}/" | awk -v layers="$LAYERS" "$AWK_RANK"'{ print rank($0) }')
			done
		fi
		if [ -z "$best" ]; then
			echo "layers: cannot tell the layer of dynamo/$name (it declares nothing defined in src/): add it to LAYERS_TYPES in scripts/layers.sh"
			fail=1
			continue
		fi
		echo "$name $best" >>"$tmp/hdr"
	done
}

includes() {
	src=$1 inc=$2 allow=$3
	header_layers "$inc"
	files=$(cd "$src" && find . -name '*.c' -o -name '*.h' | sed 's|^\./||' | sort)
	check_layers_known $files
	# "file header" for each #include "dynamo/...": the sources, then the headers.
	for f in $files; do
		sed -n "s|^#include \"dynamo/\([^\"]*\)\".*|src/$f \1|p" "$src/$f"
	done >"$tmp/src_inc"
	for h in "$inc"/dynamo/*.h; do
		[ -e "$h" ] || continue
		sed -n "s|^#include \"dynamo/\([^\"]*\)\".*|include/dynamo/${h##*/} \1|p" "$h"
	done >"$tmp/hdr_inc"
	# A source's layer is its folder's; a header's the one found above.
	awk -v layers="$LAYERS" "$AWK_RANK"'
		FILENAME == ARGV[1] { hl[$1] = $2; next }
		FILENAME == ARGV[2] { from = rank(substr($1, 5)) }
		FILENAME == ARGV[3] { h = $1; sub(/.*\//, "", h); if (!(h in hl)) next; from = hl[h] }
		($2 in hl) && from < hl[$2] { print $1 " -> dynamo/" $2 " (" name(hl[$2]) ")" }
	' "$tmp/hdr" "$tmp/src_inc" "$tmp/hdr_inc" | sort -u >"$tmp/inc_edges"
	sed 's/ (.*//' "$tmp/inc_edges" >"$tmp/inc_found"
	if [ -f "$allow" ]; then
		grep -v '^#' "$allow" | grep -v '^$' | sort -u >"$tmp/allowed"
	else
		: >"$tmp/allowed"
	fi
	# New upward includes fail; so do listed ones that are gone (shrink the list).
	awk 'FILENAME == ARGV[1] { ok[$0] = 1; next } !($0 in ok)' "$tmp/allowed" "$tmp/inc_found" >"$tmp/inc_new"
	awk 'FILENAME == ARGV[1] { ok[$0] = 1; next } !($0 in ok)' "$tmp/inc_found" "$tmp/allowed" >"$tmp/inc_gone"
	if [ -s "$tmp/inc_new" ]; then
		echo "layers: headers included from a lower layer ($(wc -l <"$tmp/inc_new") edges):"
		awk 'FILENAME == ARGV[1] { new[$0] = 1; next } { e = $0; sub(/ \(.*/, "", e) } e in new { print "  " $0 }' \
			"$tmp/inc_new" "$tmp/inc_edges"
		fail=1
	fi
	if [ -s "$tmp/inc_gone" ]; then
		echo "layers: $allow lists edges that are gone (remove them):"
		sed 's/^/  /' "$tmp/inc_gone"
		fail=1
	fi
	known=$(grep -c . "$tmp/allowed")
	[ "$known" -gt 0 ] && echo "layers: $known known upward includes left ($allow)"
	return 0
}

self_test() {
	cc=${CC:-cc}
	t=$tmp/self
	mkdir -p "$t/good/obj/util" "$t/good/obj/engine" "$t/bad/obj/util" "$t/bad/obj/engine" \
		"$t/bad/src/util" "$t/bad/src/engine" "$t/bad/include/dynamo" \
		"$t/good/src/util" "$t/good/src/engine" "$t/good/include/dynamo"
	# good: engine calls util. bad: util calls engine, and includes its header.
	printf 'int low(void);\nint low(void) { return 1; }\n' >"$t/low.c"
	printf 'int low(void);\nint high(void);\nint high(void) { return low(); }\n' >"$t/high.c"
	printf 'int high(void);\nint low(void);\nint low(void) { return high(); }\n' >"$t/low_up.c"
	printf 'int high(void);\nint high(void) { return 2; }\n' >"$t/high_leaf.c"
	$cc -c "$t/low.c" -o "$t/good/obj/util/low.o" &&
		$cc -c "$t/high.c" -o "$t/good/obj/engine/high.o" &&
		$cc -c "$t/low_up.c" -o "$t/bad/obj/util/low.o" &&
		$cc -c "$t/high_leaf.c" -o "$t/bad/obj/engine/high.o" || {
		echo "layers: self-test: cannot compile its objects with $cc"
		return 1
	}
	for d in good bad; do
		for f in util/low engine/high; do : >"$t/$d/src/$f.c"; done
	done
	printf 'int high(void);\n' >"$t/bad/include/dynamo/high.h"
	printf '#include "dynamo/high.h"\n' >"$t/bad/src/util/low.c"
	printf 'int low(void);\n' >"$t/good/include/dynamo/low.h"
	printf '#include "dynamo/low.h"\n' >"$t/good/src/util/low.c"
	ok=1
	if ! out=$(sh "$0" "$t/good/obj" "$t/good/src" "$t/good/include" /nonexistent 2>&1); then
		echo "layers: self-test: a downward edge was refused:"
		echo "$out"
		ok=0
	fi
	if out=$(sh "$0" "$t/bad/obj" "$t/bad/src" "$t/bad/include" /nonexistent 2>&1); then
		echo "layers: self-test: an upward edge was accepted"
		ok=0
	fi
	for want in "util/low.o -> engine/high.o (high)" "src/util/low.c -> dynamo/high.h (engine)"; do
		if ! printf '%s\n' "$out" | grep -q -x -F "  $want"; then
			echo "layers: self-test: the upward edge '$want' was not named:"
			echo "$out"
			ok=0
		fi
	done
	# A listed (allowed) include edge passes; once gone, its listing fails.
	echo "src/util/low.c -> dynamo/high.h" >"$t/allow"
	if ! sh "$0" "$t/bad/obj" "$t/bad/src" "$t/bad/include" "$t/allow" 2>&1 | grep -q 'low.o -> engine/high.o'; then
		echo "layers: self-test: the symbol edge was not named with the include edge allowed"
		ok=0
	fi
	if sh "$0" "$t/good/obj" "$t/good/src" "$t/good/include" "$t/allow" >/dev/null 2>&1; then
		echo "layers: self-test: a listed edge that is gone was accepted"
		ok=0
	fi
	[ $ok = 1 ] && echo "layers: self-test ok (upward symbol and include edges refused, downward accepted)"
	[ $ok = 1 ]
}

if [ "${1:-}" = --self-test ]; then
	self_test
	exit $?
fi

obj=${1:-build/src}
src=${2:-src}
inc=${3:-include}
allow=${4:-scripts/layers.allow}
symbols "$obj" "$src"
includes "$src" "$inc" "$allow"
if [ $fail = 0 ]; then
	echo "layers: ok (util <- http <- aws <- ddb <- engine <- plan <- cmd <- main)"
fi
exit $fail
