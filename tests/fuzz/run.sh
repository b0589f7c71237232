#!/bin/sh
# Runs libFuzzer harnesses one after another and prints one line for each.
# Usage: run.sh fuzz|check BUILD SECONDS "EXTRA ARGS" harness:maxlen...
#   fuzz   fuzz each harness for SECONDS, new inputs going to BUILD/corpus-<h>
#   check  run each seed input once (the regression tests)
# Exits 1 when any harness crashed, leaked, timed out or failed a check.
set -u
mode=$1 build=$2 secs=$3 extra=$4
shift 4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$build/logs" "$build/artifacts"
passed=0 failed=0

for spec in "$@"; do
    h=${spec%%:*} maxlen=${spec#*:}
    seeds=$here/corpus/$h
    log=$build/logs/$h.$mode.log
    set -- -max_len="$maxlen" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$build/artifacts/$h-"
    [ -f "$here/$h.dict" ] && set -- "$@" -dict="$here/$h.dict"
    if [ "$mode" = fuzz ]; then
        mkdir -p "$build/corpus-$h"
        # shellcheck disable=SC2086
        "$build/$h" "$@" -max_total_time="$secs" $extra \
            "$build/corpus-$h" "$seeds" >"$log" 2>&1
    else
        # shellcheck disable=SC2086
        "$build/$h" "$@" -runs=0 $extra "$seeds" >"$log" 2>&1
    fi
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
    cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -n 1)
    if [ "$rc" -eq 0 ]; then
        passed=$((passed + 1))
        printf '%-16s ok      %s runs, %s exec/s, %s\n' "$h" "${runs:-?}" \
            "${eps:-?}" "${cov:-cov: ?}"
    else
        failed=$((failed + 1))
        printf '%-16s FAILED  (exit %d; log %s)\n' "$h" "$rc" "$log"
        grep -E '^(SUMMARY|==[0-9]+==ERROR|.*runtime error)|check failed|should be|expected |Test unit written to' \
            "$log" | head -n 8 | sed 's/^/    /'
    fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
