#!/usr/bin/env python3
"""Record real DynamoDB Streams answers from moto_server into tests/vectors/streams/moto.

boto3 makes the calls (so the requests are the SDK's, not dynamo's) and a
botocore "after-call" hook keeps each answer's body byte for byte, as the
service sent it. tests/unit/test_streams.c walks them; expected.json says
what boto3 wrote, in order, for the tests to hold the walkers against.

The answers hold random event ids, iterators and the time of the run, so
running the script again rewrites every file; the tests depend only on what
expected.json records.

Usage: python3 tests/vectors/streams/record_moto.py [outdir]
"""

import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

import boto3

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "moto")

# What boto3 writes, in order, to the table with the NEW_AND_OLD_IMAGES stream.
# Each: (operation, item or key). The last put of a key wins; REMOVE deletes.
BIG = "12345678901234567890123456789012345678"      # 38 digits: exact only as text
WRITES = [
    ("put", {"PK": {"S": "TENANT#1#USER#a"}, "SK": {"N": "1"}, "n": {"N": BIG}, "s": {"S": ""},
             "b": {"B": "AAEC/w=="}, "ns": {"NS": ["1", "-0.5", "1E+10"]}, "ss": {"SS": ["x", "y"]},
             "bs": {"BS": ["AQ==", "Ag=="]}, "m": {"M": {"deep": {"L": [{"NULL": True}, {"BOOL": False},
                                                                       {"N": "-1e-130"}]}}},
             "u": {"S": "caf\u00e9 \"quoted\" \\ \u2603"}}),
    ("put", {"PK": {"S": "TENANT#1#USER#b"}, "SK": {"N": "0.000000000000000000000000000000000001"}}),
    ("put", {"PK": {"S": "TENANT#1#USER#a"}, "SK": {"N": "1"}, "n": {"N": "2"}}),
    ("delete", {"PK": {"S": "TENANT#1#USER#b"}, "SK": {"N": "0.000000000000000000000000000000000001"}}),
    ("put", {"PK": {"S": "TENANT#2#USER#c"}, "SK": {"N": "-99999999999999999999999999999999999999"},
             "n": {"N": "9.9999999999999999999999999999999999999E+125"}}),
]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_moto():
    port = free_port()
    exe = shutil.which("moto_server")
    argv = [exe] if exe else [sys.executable, "-m", "moto.server"]
    proc = subprocess.Popen(argv + ["-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.time() + 30
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, "http://127.0.0.1:%d" % port
        except OSError:
            time.sleep(0.1)
    os.killpg(proc.pid, signal.SIGTERM)
    raise SystemExit("moto_server did not start")


class Recorder:
    """Keeps the body of the last answer to each operation."""

    def __init__(self, *clients):
        self.last = {}
        for c in clients:
            c.meta.events.register("after-call.*.*", self.hook)

    def hook(self, http_response, model, **_):
        self.last[model.name] = http_response.content


def save(name, body):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(body)


def create(ddb, name, view):
    kw = {}
    if view:
        kw["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                                {"AttributeName": "SK", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                                           {"AttributeName": "SK", "AttributeType": "N"}], **kw)


def wire_to_boto(v):
    """An attribute value as boto3 takes it: binaries as bytes (WRITES spells them in base64, as on the wire)."""
    (t, x), = v.items()
    if t == "B":
        return {"B": base64.b64decode(x)}
    if t == "BS":
        return {"BS": [base64.b64decode(b) for b in x]}
    if t == "M":
        return {"M": {k: wire_to_boto(e) for k, e in x.items()}}
    if t == "L":
        return {"L": [wire_to_boto(e) for e in x]}
    return v


def write_all(ddb, table):
    for op, x in WRITES:
        x = {k: wire_to_boto(v) for k, v in x.items()}
        if op == "put":
            ddb.put_item(TableName=table, Item=x)
        else:
            ddb.delete_item(TableName=table, Key=x)


def main():
    os.makedirs(OUT, exist_ok=True)
    proc, url = start_moto()
    try:
        kw = dict(endpoint_url=url, region_name="us-east-1", aws_access_key_id="AKIAIOSFODNN7EXAMPLE",
                  aws_secret_access_key="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
        ddb, streams = boto3.client("dynamodb", **kw), boto3.client("dynamodbstreams", **kw)
        rec = Recorder(ddb, streams)

        create(ddb, "orders", "NEW_AND_OLD_IMAGES")
        create(ddb, "orders-keys", "KEYS_ONLY")
        create(ddb, "orders-plain", None)
        for name in ("orders-plain", "orders-keys", "orders"):
            ddb.describe_table(TableName=name)
            save("describe_table_%s.json" % name.replace("-", "_"), rec.last["DescribeTable"])
        write_all(ddb, "orders")
        write_all(ddb, "orders-keys")

        streams.list_streams(TableName="orders")
        save("list_streams.json", rec.last["ListStreams"])
        arns = {}
        for name in ("orders", "orders-keys"):
            arns[name] = ddb.describe_table(TableName=name)["Table"]["LatestStreamArn"]
            desc = streams.describe_stream(StreamArn=arns[name])["StreamDescription"]
            save("describe_stream_%s.json" % name.replace("-", "_"), rec.last["DescribeStream"])
            shard = desc["Shards"][0]["ShardId"]
            it = streams.get_shard_iterator(StreamArn=arns[name], ShardId=shard,
                                            ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
            save("get_shard_iterator_%s.json" % name.replace("-", "_"), rec.last["GetShardIterator"])
            page = streams.get_records(ShardIterator=it)
            save("get_records_%s.json" % name.replace("-", "_"), rec.last["GetRecords"])
            if name == "orders":
                streams.get_records(ShardIterator=page["NextShardIterator"])
                save("get_records_caught_up.json", rec.last["GetRecords"])
        try:
            streams.describe_stream(StreamArn=arns["orders"].replace("table/orders/", "table/gone/"))
        except streams.exceptions.ResourceNotFoundException:
            save("describe_stream_not_found.json", rec.last["DescribeStream"])
        with open(os.path.join(OUT, "expected.json"), "w") as f:
            json.dump({"stream_arn": arns["orders"], "writes": [[op, x] for op, x in WRITES]}, f,
                      indent=1, sort_keys=True)
            f.write("\n")
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait()


if __name__ == "__main__":
    main()
