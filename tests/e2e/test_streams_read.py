"""The DynamoDB Streams module read end to end against moto (no dynamo command yet).

build/tests/streams_read (tests/unit/streams_read.c) opens the 'src' side as
dynamo does, describes the table's stream, orders its shards and reads every
record through src/ddb/streams*.c, printing each as a JSON line. boto3 makes
the changes and is the judge twice over: its own reading of the same stream
must match record for record, and replaying the records read (a put of the
new image, a delete of the keys) must give exactly what the table holds.
"""
import json
import os
import subprocess
import unittest

import harness
from harness import TestCase, canonical, unique_name

from data import rich_item

READER = os.path.join(os.path.dirname(harness.BIN), "tests", "streams_read")


def create_stream_table(ddb, name, view="NEW_AND_OLD_IMAGES", sk_type="N"):
    """PK (S) + SK (sk_type), with a stream of view (None: no stream)."""
    kw = {"StreamSpecification": {"StreamEnabled": True, "StreamViewType": view}} if view else {}
    ddb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                     KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                                {"AttributeName": "SK", "KeyType": "RANGE"}],
                     AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                                           {"AttributeName": "SK", "AttributeType": sk_type}], **kw)
    harness.wait_active(ddb, name)


def key_of(item):
    return canonical({"PK": item["PK"], "SK": item["SK"]})


def boto_records(env, ddb_client, table):
    """What boto3 reads from the table's stream: every shard, parents first, to the end for now."""
    streams = harness.client(env, "src", service="dynamodbstreams")
    arn = ddb_client.describe_table(TableName=table)["Table"]["LatestStreamArn"]
    shards, start = [], None
    while True:
        kw = {"ExclusiveStartShardId": start} if start else {}
        desc = streams.describe_stream(StreamArn=arn, **kw)["StreamDescription"]
        shards += desc["Shards"]
        start = desc.get("LastEvaluatedShardId")
        if not start:
            break
    out = []
    for sh in shards:
        it = streams.get_shard_iterator(StreamArn=arn, ShardId=sh["ShardId"],
                                        ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        while it:
            page = streams.get_records(ShardIterator=it)
            out += page["Records"]
            if not page["Records"]:
                break
            it = page.get("NextShardIterator")
    return out


class StreamsRead(TestCase):
    """Reading a real stream through the module: what it reads is what happened, in order."""

    backends = ("moto",)

    def read(self, table, *args, extra_env=None, check=0):
        argv = harness.WRAP + [READER, table] + [str(a) for a in args]
        p = subprocess.run(argv, capture_output=True, text=True, timeout=120,
                           env=self.env.environ(extra_env))
        if check is not None and p.returncode != check:
            self.fail("streams_read %s exited %d, wanted %d\nstderr: %s" % (table, p.returncode, check, p.stderr))
        lines = [json.loads(line) for line in p.stdout.splitlines()]
        self.info = {k: v for x in lines if "seq" not in x and "position" not in x for k, v in x.items()}
        return [x for x in lines if "seq" in x], [x["position"] for x in lines if "position" in x], p

    def write_history(self, table):
        """Inserts, many changes to one key, updates by expression, deletes, a batch: the source's history."""
        ddb = self.src
        items = []
        for i in range(12):
            it = rich_item(i, sk=None)
            it["PK"] = {"S": "TENANT#%d#USER#%02d" % (i % 3, i)}
            it["SK"] = {"N": ["1", "12345678901234567890123456789012345678", "-0.5", "1E-130"][i % 4]}
            items.append(it)
        for it in items:
            ddb.put_item(TableName=table, Item=it)
        hot = {"PK": {"S": "TENANT#1#USER#hot"}, "SK": {"N": "7"}}
        for n in range(25):
            ddb.put_item(TableName=table, Item=dict(hot, n={"N": str(n)}, pad={"S": "x" * n}))
        for n in range(5):
            ddb.update_item(TableName=table, Key=hot, UpdateExpression="SET n = n + :one, big = :big",
                            ExpressionAttributeValues={":one": {"N": "1"},
                                                       ":big": {"N": "9.9999999999999999999999999999999999999E+125"}})
        for it in items[:5]:
            ddb.delete_item(TableName=table, Key={"PK": it["PK"], "SK": it["SK"]})
        ddb.put_item(TableName=table, Item=items[0])          # back after its delete
        harness.put_items(ddb, table, [rich_item(100 + i, sk=None) | {"SK": {"N": str(i)}} for i in range(30)])
        ddb.delete_item(TableName=table, Key=hot)
        ddb.put_item(TableName=table, Item=dict(hot, n={"N": "-1"}))

    def test_reads_what_boto3_wrote(self):
        table = unique_name("streams")
        create_stream_table(self.src, table)
        self.write_history(table)
        # Pages of 7 records: iterators are followed from page to page.
        mine, positions, p = self.read(table, "src", 7)
        theirs = boto_records(self.env, self.src, table)
        self.assertEqual(len(theirs), 80)     # one record per write
        self.assertEqual(len(mine), len(theirs))
        for a, b in zip(mine, theirs):
            d = b["dynamodb"]
            self.assertEqual(a["seq"], d["SequenceNumber"])
            self.assertEqual(a["event"], b["eventName"])
            self.assertEqual(canonical(a["keys"]), canonical(d["Keys"]))
            self.assertEqual(a["new"] and canonical(a["new"]), d.get("NewImage") and canonical(d["NewImage"]))
            self.assertEqual(a["old"] and canonical(a["old"]), d.get("OldImage") and canonical(d["OldImage"]))
            self.assertLessEqual(abs(a["ms"] - d["ApproximateCreationDateTime"].timestamp() * 1000), 1)
        # Replayed in order, the changes give exactly what the table holds.
        state = {}
        for r in mine:
            if r["event"] == "REMOVE":
                state.pop(key_of(r["keys"]), None)
            else:
                state[key_of(r["keys"])] = canonical(r["new"])
        self.assertEqual(sorted(state.values()), harness.table_contents(self.src, table))
        # One open shard, read up to its last record.
        self.assertEqual(positions, ["%s %s" % (mine[-1]["shard"], mine[-1]["seq"])])
        self.assertEqual(self.info["shards"], 1)
        self.assertEqual((self.info["status"], self.info["view"]), ("ENABLED", "NEW_AND_OLD_IMAGES"))

    def test_numbers_arrive_as_written(self):
        table = unique_name("streams-num")
        create_stream_table(self.src, table)
        big = "-12345678901234567890123456789012345678"
        self.src.put_item(TableName=table, Item={"PK": {"S": "n"}, "SK": {"N": "0.1"}, "v": {"N": big},
                                                 "ns": {"NS": ["1E-130", "100"]}})
        _, _, p = self.read(table)
        self.assertIn('"v": {"N": "%s"}' % big, p.stdout)
        self.assertIn('"SK": {"N": "0.1"}', p.stdout)

    def test_streams_endpoint_from_the_environment(self):
        """AWS_ENDPOINT_URL_DYNAMODB_STREAMS takes the stream calls, and only them; faults there are retried."""
        table = unique_name("streams-ep")
        create_stream_table(self.src, table)
        self.write_history(table)
        want, _, _ = self.read(table)
        proxy = harness.start_fault_proxy(self.backend.endpoint("src"), "--seed", "7",
                                          "--ops", "GetRecords,GetShardIterator,DescribeStream",
                                          "--error-before", "0.15", "--throttle", "0.15")
        try:
            mine, _, _ = self.read(table, "src", 5,
                                   extra_env={"AWS_ENDPOINT_URL_DYNAMODB_STREAMS": proxy.url})
            stats = proxy.stats()
        finally:
            proxy.stop()
        self.assertEqual(mine, want)
        self.assertEqual(set(stats["requests"]), {"DescribeStream", "GetShardIterator", "GetRecords"})
        self.assertGreater(sum(stats["faults"].values()), 0, stats)

    def test_streams_follow_a_custom_dynamodb_endpoint(self):
        """Only AWS_ENDPOINT_URL_DYNAMODB set (a local server): the stream is read there too."""
        table = unique_name("streams-local")
        create_stream_table(self.src, table)
        self.src.put_item(TableName=table, Item={"PK": {"S": "a"}, "SK": {"N": "1"}})
        env = {"AWS_ENDPOINT_URL": None, "AWS_ENDPOINT_URL_DYNAMODB": self.backend.endpoint("src")}
        mine, _, _ = self.read(table, extra_env=env)
        self.assertEqual([r["event"] for r in mine], ["INSERT"])
        self.assertEqual(self.info["endpoint"], self.backend.endpoint("src"))

    def test_denied_stream_read_names_the_actions(self):
        table = unique_name("streams-deny")
        create_stream_table(self.src, table)
        self.src.put_item(TableName=table, Item={"PK": {"S": "a"}, "SK": {"N": "1"}})
        proxy = harness.start_fault_proxy(self.backend.endpoint("src"), "--deny", "GetRecords")
        try:
            _, _, p = self.read(table, extra_env={"AWS_ENDPOINT_URL_DYNAMODB_STREAMS": proxy.url}, check=3)
        finally:
            proxy.stop()
        line = self.assertOneErrorLine(p, "GetRecords on the stream of table '%s' is not allowed" % table,
                                       "AccessDeniedException", "dynamodb:GetShardIterator")
        self.assertNotIn("Signature", line)

    def test_table_without_images_is_refused(self):
        plain, keys = unique_name("streams-none"), unique_name("streams-keys")
        create_stream_table(self.src, plain, view=None)
        create_stream_table(self.src, keys, view="KEYS_ONLY")
        _, _, p = self.read(plain, check=2)
        self.assertOneErrorLine(p, "table '%s'" % plain, "has no stream to follow", "NEW_IMAGE")
        _, _, p = self.read(keys, check=2)
        self.assertOneErrorLine(p, "table '%s'" % keys, "KEYS_ONLY", "NEW_AND_OLD_IMAGES")


if __name__ == "__main__":
    unittest.main()
