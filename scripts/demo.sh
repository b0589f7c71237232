#!/bin/sh
# A cross-account copy on this machine, no AWS account needed ('make demo').
#
# Starts moto (a local AWS) on a free port, seeds a single-table design in
# account 123456789012 (users, their orders, a sparse GSI on order status,
# a write-sharded hot user), copies it with dynamo into account
# 222222222222 through a role profile (role_arn + source_profile), and
# queries the copy there. Everything lives in a temporary HOME that is
# removed at the end; ~/.aws is never read or written. moto is stopped by
# its PID on exit, also when a step fails or the demo is interrupted.
#
# Usage: sh scripts/demo.sh [path/to/dynamo]     (default build/dynamo)
# Needs python3 with moto[server] and boto3.
set -u

here=$(cd "$(dirname "$0")/.." && pwd)
dynamo=${1:-build/dynamo}
case $dynamo in /*) ;; *) dynamo=$(pwd)/$dynamo ;; esac
PYTHON=${PYTHON:-python3}
TABLE=shop

fail() {
    echo "demo: $*" >&2
    exit 1
}

[ -x "$dynamo" ] || fail "'$dynamo' is not built (run 'make')"
command -v "$PYTHON" >/dev/null 2>&1 || fail "needs python3 (apt-get install python3)"
"$PYTHON" -c 'import boto3' 2>/dev/null || fail "needs boto3 for $PYTHON (apt-get install python3-boto3)"
if command -v moto_server >/dev/null 2>&1; then
    moto="moto_server"
elif "$PYTHON" -c 'import moto.server' 2>/dev/null; then
    moto="$PYTHON -m moto.server"
else
    fail "needs moto's server for $PYTHON (pip install 'moto[server]')"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/dynamo-demo.XXXXXX") || fail "cannot make a temporary directory"
pid=
cleanup() {
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null
        i=0
        while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
        kill -9 "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
        echo "== stopped moto (pid $pid)"
    fi
    rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Nothing of the caller's AWS setup may leak in: a private HOME and config.
for v in $(env | sed -n 's/^\(AWS_[A-Za-z0-9_]*\)=.*/\1/p'); do unset "$v"; done
export HOME="$tmp" AWS_CONFIG_FILE="$tmp/.aws/config" \
    AWS_SHARED_CREDENTIALS_FILE="$tmp/.aws/credentials" AWS_EC2_METADATA_DISABLED=true
unset GITHUB_STEP_SUMMARY
mkdir -p "$tmp/.aws"
start=$(date +%s)

# moto on a free port; another process may take the port first, so retry.
for attempt in 1 2 3; do
    port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    $moto -H 127.0.0.1 -p "$port" >"$tmp/moto.log" 2>&1 &
    pid=$!
    if "$PYTHON" - "$port" "$pid" <<'EOF'; then break; fi
import os, socket, sys, time
port, pid = int(sys.argv[1]), int(sys.argv[2])
deadline = time.time() + 20
while time.time() < deadline:
    try:
        os.kill(pid, 0)
    except OSError:
        sys.exit(1)                                   # it exited: port taken?
    try:
        socket.create_connection(("127.0.0.1", port), 0.5).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.1)
sys.exit(1)
EOF
    kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; pid=
    [ $attempt -eq 3 ] && { cat "$tmp/moto.log" >&2; fail "moto did not start (its log is above)"; }
done
endpoint=http://127.0.0.1:$port

# Two accounts: 'src' signs with keys of account 123456789012; 'tgt' assumes
# a role in 222222222222 from it, as a cross-account profile does.
cat >"$AWS_CONFIG_FILE" <<EOF
[profile src]
region = us-east-1
endpoint_url = $endpoint

[profile tgt]
region = us-east-1
endpoint_url = $endpoint
role_arn = arn:aws:iam::222222222222:role/dynamo-demo
source_profile = src
role_session_name = dynamo-demo
EOF
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<'EOF'
[src]
aws_access_key_id = AKIAIOSFODNN7EXAMPLE
aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY
EOF

echo "== moto on $endpoint (pid $pid): account 123456789012 (profile src), 222222222222 (profile tgt, role from src)"

# The source table, written with boto3 in account 123456789012.
"$PYTHON" - "$endpoint" "$TABLE" <<'EOF' || fail "could not seed the source table (moto log: see above)"
import datetime, random, sys
import boto3

endpoint, table = sys.argv[1], sys.argv[2]
session = boto3.Session(profile_name="src")
ddb = session.client("dynamodb", endpoint_url=endpoint)
account = session.client("sts", endpoint_url=endpoint).get_caller_identity()["Account"]
ddb.create_table(
    TableName=table, BillingMode="PAY_PER_REQUEST",
    AttributeDefinitions=[{"AttributeName": a, "AttributeType": "S"} for a in ("PK", "SK", "GSI1PK", "GSI1SK")],
    KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
    GlobalSecondaryIndexes=[{
        "IndexName": "GSI1",
        "KeySchema": [{"AttributeName": "GSI1PK", "KeyType": "HASH"}, {"AttributeName": "GSI1SK", "KeyType": "RANGE"}],
        "Projection": {"ProjectionType": "ALL"}}])
ddb.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 1})

rnd = random.Random(42)
first = datetime.date(2024, 1, 1)
items, orders = [], 0


def order(pk):
    """An order under its user; only orders carry GSI1 keys (a sparse index)."""
    global orders
    orders += 1
    day = (first + datetime.timedelta(days=rnd.randrange(366))).strftime("%Y%m%d")
    oid = "o%05d" % orders
    status = rnd.choices(["OPEN", "SHIPPED", "DELIVERED"], [2, 3, 5])[0]
    return {"PK": {"S": pk}, "SK": {"S": "ORDER#%s#%s" % (day, oid)}, "status": {"S": status},
            "total": {"N": "%d.%02d" % (rnd.randrange(5, 400), rnd.randrange(100))},
            "GSI1PK": {"S": "STATUS#" + status}, "GSI1SK": {"S": "%s#%s" % (day, oid)}}


names = ["ada", "grace", "linus", "ken", "barbara", "dennis", "margaret", "edsger", "alan", "donald",
         "frances", "john"]
for i, name in enumerate(names, 1):
    pk = "USER#u%03d" % i
    items.append({"PK": {"S": pk}, "SK": {"S": "PROFILE#"}, "name": {"S": name},
                  "email": {"S": name + "@example.com"}})
    items += [order(pk) for _ in range(rnd.randrange(1, 6))]
# A hot user: its orders are spread over four partition keys (write sharding).
items.append({"PK": {"S": "USER#hot"}, "SK": {"S": "PROFILE#"}, "name": {"S": "bulk buyer"},
              "shards": {"N": "4"}})
hot = 240
items += [order("USER#hot#S%d" % (n % 4)) for n in range(hot)]

for i in range(0, len(items), 25):
    req = {table: [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]}
    while req:
        req = ddb.batch_write_item(RequestItems=req).get("UnprocessedItems") or None
print("== seeded '%s' in account %s: %d items: %d users, %d orders (%d of them for USER#hot, sharded "
      "over USER#hot#S0..S3), GSI1 on order status (orders only)"
      % (table, account, len(items), len(names) + 1, orders, hot))
EOF

# Prints the command as one can paste it into a shell, then runs it.
run() {
    line='$ dynamo'
    for a in "$@"; do
        case $a in
            *[!A-Za-z0-9_./:=-]*) line="$line '$a'" ;;
            *) line="$line $a" ;;
        esac
    done
    printf '\n%s\n' "$line"
    "$dynamo" "$@" || fail "'dynamo $1' failed (exit $?)"
}

run copy -t "$TABLE" --source src --target tgt --create-target --yes
run query -t "$TABLE" -e tgt -i GSI1 --pk 'STATUS#OPEN' --count
run query -t "$TABLE" -e tgt -i GSI1 --pk 'STATUS#OPEN' --desc --limit 3 --output jsonl
run query -t "$TABLE" -e tgt --pk 'USER#hot#S{0..3}' --desc --limit 5 --output jsonl

# Ask the target account itself (boto3, not dynamo) what it now holds.
echo
"$PYTHON" - "$endpoint" "$TABLE" <<'EOF' || fail "the copy in account 222222222222 is not what was seeded"
import sys
import boto3

endpoint, table = sys.argv[1], sys.argv[2]


def contents(profile):
    ddb = boto3.Session(profile_name=profile).client("dynamodb", endpoint_url=endpoint)
    items = [it for page in ddb.get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
             for it in page["Items"]]
    arn = ddb.describe_table(TableName=table)["Table"]["TableArn"]
    return arn, sorted(repr(sorted(it.items())) for it in items)


src_arn, src = contents("src")
tgt_arn, tgt = contents("tgt")
if src != tgt or ":222222222222:" not in tgt_arn:
    sys.exit("demo: %s holds %d items, %s holds %d" % (src_arn, len(src), tgt_arn, len(tgt)))
print("== checked with boto3: %s holds the same %d items as %s" % (tgt_arn, len(tgt), src_arn))
EOF

echo "== demo done in $(($(date +%s) - start)) s"
