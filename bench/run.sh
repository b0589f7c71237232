#!/bin/sh
# The benchmark: make bench ENDPOINT=URL [TARGET_ENDPOINT=URL] [BENCH_ARGS='--items 100000']
# The fault matrix: make bench BENCH_ARGS='--faults --sim-cmd "node PATH/ddbsim.js"'
# See bench/README.md. It creates its own tables and deletes only those.
set -eu
if [ -z "${ENDPOINT:-}" ] && ! echo " $* " | grep -q -- " --sim-cmd"; then
    echo "bench: set ENDPOINT to a DynamoDB endpoint, e.g. make bench ENDPOINT=http://127.0.0.1:8000" >&2
    exit 2
fi
cd "$(dirname "$0")/.."
set -- ${ENDPOINT:+--endpoint "$ENDPOINT"} ${TARGET_ENDPOINT:+--target-endpoint "$TARGET_ENDPOINT"} "$@"
exec python3 bench/bench.py "$@"
