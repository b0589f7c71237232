#!/bin/sh
# The layers of src/ depend one way: util <- http <- aws <- ddb <- engine <-
# plan <- cmd, with main.c and opts.c at the top. This fails, naming each
# offending edge, when one runs upward:
#
#   symbols   file.o -> file.o (symbol): an object uses a symbol defined in a
#             higher layer (from nm of the objects)
#   includes  file -> dynamo/x.h (layer): a source or header includes a header
#             of a higher layer. A header's layer is the highest layer of the
#             objects defining what it declares (functions and extern data);
#             a header that declares none (types only) takes the layer of the
#             .c files that include it first, else LAYERS_TYPES below.
#
# Include edges that still run upward are listed in scripts/layers.allow
# (one 'file -> header' a line): those are reported as known, and a listed
# edge that no longer exists must be removed from the list (it fails), so
# the list only shrinks.
#
# Usage: scripts/layers.sh [OBJDIR [SRCDIR INCDIR [ALLOW]]]
#        (defaults: build/src src include scripts/layers.allow)
#        scripts/layers.sh --self-test   checks that upward edges are refused
set -u

LAYERS="util http aws ddb engine plan cmd"
# Headers that declare no function or data defined in src/: their layer.
LAYERS_TYPES="exitcode.h=util"

rank() {
	i=0
	for l in $LAYERS; do
		[ "$l" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo 99
}

# The layer of a path under src/ (or of an object under OBJDIR).
layer_of() {
	case $1 in
	*/*) echo "${1%%/*}" ;;
	*) echo top ;;
	esac
}

fail=0
tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT INT TERM

check_layers_known() {
	for d in "$@"; do
		l=$(layer_of "$d")
		[ "$l" = top ] && continue
		if [ "$(rank "$l")" = 99 ]; then
			echo "layers: '$d' is in folder '$l', which has no layer (add it to LAYERS in scripts/layers.sh)"
			fail=1
		fi
	done
}

# Prints "rank" for a layer name, with top above every layer.
rank_or_top() {
	if [ "$1" = top ]; then echo 98; else rank "$1"; fi
}

symbols() {
	obj=$1 src=$2
	: >"$tmp/def"
	: >"$tmp/use"
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
		nm -g --defined-only "$obj/$o" | awk -v f="$o" 'NF == 3 && $2 ~ /[TDBRCGSV]/ { print $3, f }' >>"$tmp/def"
		nm -u "$obj/$o" | awk -v f="$o" '{ print $NF, f }' >>"$tmp/use"
	done
	sort "$tmp/def" >"$tmp/d"
	sort "$tmp/use" >"$tmp/u"
	join "$tmp/u" "$tmp/d" | while read -r sym user def; do
		ul=$(rank_or_top "$(layer_of "$user")")
		dl=$(rank_or_top "$(layer_of "$def")")
		[ "$ul" -lt "$dl" ] && echo "$user -> $def ($sym)"
	done | sort -u >"$tmp/sym_edges"
	if [ -s "$tmp/sym_edges" ]; then
		echo "layers: symbols used from a higher layer ($(wc -l <"$tmp/sym_edges") edges):"
		sed 's/^/  /' "$tmp/sym_edges"
		fail=1
	fi
}

# Each header's layer, from what it declares (see the top), into $tmp/hdr.
header_layers() {
	src=$1 inc=$2
	: >"$tmp/hdr"
	for h in "$inc"/dynamo/*.h; do
		[ -e "$h" ] || continue
		name=${h##*/}
		# Names declared at file scope: "type name(" and "extern type name;".
		sed -n -e 's/^[a-z][^(;=]*[ *]\([a-z_][a-z0-9_]*\)(.*/\1/p' \
			-e 's/^extern [^(]*[ *]\([a-z_][a-z0-9_]*\)\(\[[^]]*\]\)\{0,1\};.*/\1/p' "$h" |
			grep -v '^__attribute__$' | sort -u >"$tmp/names"
		best=-1
		if [ -s "$tmp/names" ]; then
			best=$(join "$tmp/names" "$tmp/d" | while read -r _ def; do
				rank_or_top "$(layer_of "$def")"
			done | sort -n | tail -1)
			[ -n "$best" ] || best=-1
		fi
		if [ "$best" = -1 ]; then
			for t in $LAYERS_TYPES; do
				[ "${t%%=*}" = "$name" ] && best=$(rank "${t#*=}")
			done
		fi
		if [ "$best" = -1 ]; then
			echo "layers: cannot tell the layer of dynamo/$name (it declares nothing defined in src/): add it to LAYERS_TYPES in scripts/layers.sh"
			fail=1
			continue
		fi
		echo "$name $best" >>"$tmp/hdr"
	done
	sort "$tmp/hdr" -o "$tmp/hdr"
}

name_of_rank() {
	i=0
	for l in $LAYERS; do
		[ "$i" = "$1" ] && { echo "$l"; return; }
		i=$((i + 1))
	done
	echo top
}

includes() {
	src=$1 inc=$2 allow=$3
	header_layers "$src" "$inc"
	: >"$tmp/inc_edges"
	files=$(cd "$src" && find . -name '*.c' -o -name '*.h' | sed 's|^\./||' | sort)
	check_layers_known $files
	for f in $files; do
		l=$(rank_or_top "$(layer_of "$f")")
		sed -n 's/^#include "dynamo\/\([^"]*\)".*/\1/p' "$src/$f" | while read -r h; do
			hl=$(awk -v h="$h" '$1 == h { print $2 }' "$tmp/hdr")
			[ -n "$hl" ] && [ "$l" -lt "$hl" ] && echo "src/$f -> dynamo/$h ($(name_of_rank "$hl"))"
		done
	done >>"$tmp/inc_edges"
	# Headers including headers of a higher layer.
	for h in "$inc"/dynamo/*.h; do
		[ -e "$h" ] || continue
		name=${h##*/}
		l=$(awk -v h="$name" '$1 == h { print $2 }' "$tmp/hdr")
		[ -n "$l" ] || continue
		sed -n 's/^#include "dynamo\/\([^"]*\)".*/\1/p' "$h" | while read -r i; do
			il=$(awk -v h="$i" '$1 == h { print $2 }' "$tmp/hdr")
			[ -n "$il" ] && [ "$l" -lt "$il" ] && echo "include/dynamo/$name -> dynamo/$i ($(name_of_rank "$il"))"
		done
	done >>"$tmp/inc_edges"
	sort -u "$tmp/inc_edges" -o "$tmp/inc_edges"
	sed 's/ (.*//' "$tmp/inc_edges" >"$tmp/inc_found"
	if [ -f "$allow" ]; then
		grep -v '^#' "$allow" | grep -v '^$' | sort -u >"$tmp/allowed"
	else
		: >"$tmp/allowed"
	fi
	# New upward includes fail; so do listed ones that are gone (shrink the list).
	grep -v -x -F -f "$tmp/allowed" "$tmp/inc_found" >"$tmp/inc_new" || true
	[ -s "$tmp/allowed" ] || cp "$tmp/inc_found" "$tmp/inc_new"
	grep -v -x -F -f "$tmp/inc_found" "$tmp/allowed" >"$tmp/inc_gone" || true
	[ -s "$tmp/inc_found" ] || cp "$tmp/allowed" "$tmp/inc_gone"
	if [ -s "$tmp/inc_new" ]; then
		echo "layers: headers included from a lower layer ($(wc -l <"$tmp/inc_new") edges):"
		grep -F -f "$tmp/inc_new" "$tmp/inc_edges" | sed 's/^/  /'
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
