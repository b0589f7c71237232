#!/bin/sh
# The benchmark: make bench ENDPOINT=URL [TARGET_ENDPOINT=URL] [BENCH_ARGS='--items 100000']
# See bench/README.md. It creates its own tables and deletes only those.
set -eu
if [ -z "${ENDPOINT:-}" ]; then
    echo "bench: set ENDPOINT to a DynamoDB endpoint, e.g. make bench ENDPOINT=http://127.0.0.1:8000" >&2
    exit 2
fi
cd "$(dirname "$0")/.."
if [ -n "${TARGET_ENDPOINT:-}" ]; then
    exec python3 bench/bench.py --endpoint "$ENDPOINT" --target-endpoint "$TARGET_ENDPOINT" "$@"
fi
exec python3 bench/bench.py --endpoint "$ENDPOINT" "$@"
