"""A merge of write-sharded keys over many pages stays in sort-key order.

Each shard spans several 1000-item pages, so the merge queues are compacted
while partly consumed: a bug there once printed items out of order.
"""
import json

import harness
from harness import create_table, put_items, unique_name


class QueryMerge(harness.TestCase):

    def test_sharded_keys_merge_in_order_over_many_pages(self):
        name = unique_name("merge")
        create_table(self.src, name, hash_key=("PK", "S"), range_key=("SK", "S"))
        # Six 1000-item pages per shard: compacted queues then take new pages
        # over the bytes a stale offset would still point at.
        shards = 2
        items = [{"PK": {"S": "HOT#S%d" % (i % shards)}, "SK": {"S": "T#%08d" % i},
                  "n": {"N": str(i)}, "pad": {"S": "x" * (i % 50)}} for i in range(6000 * shards)]
        put_items(self.src, name, items)
        for flags, ordered in (([], sorted), (["--desc"], lambda v: sorted(v, reverse=True))):
            p = self.dynamo("query", "-t", name, "-e", "src", "--pk", "HOT#S{0..%d}" % (shards - 1),
                            "--output", "jsonl", *flags, check=0)
            got = [json.loads(line)["SK"] for line in p.stdout.splitlines()]
            self.assertEqual(got, ordered(it["SK"]["S"] for it in items), flags)

    def test_numeric_sort_keys_merge_numerically(self):
        name = unique_name("merge-n")
        create_table(self.src, name, hash_key=("PK", "S"), range_key=("t", "N"))
        values = ["-1E+3", "-2.5", "0", "9", "10", "1E2", "100.5", "12345678901234567890123456789012345678"]
        items = [{"PK": {"S": "S%d" % (i % 2)}, "t": {"N": v}} for i, v in enumerate(values)]
        put_items(self.src, name, items)
        p = self.dynamo("query", "-t", name, "-e", "src", "--pk", "S{0..1}", "--output", "jsonl", check=0)
        got = [json.loads(line, parse_float=str, parse_int=str)["t"] for line in p.stdout.splitlines()]
        from decimal import Decimal
        self.assertEqual([Decimal(x) for x in got], sorted(Decimal(v) for v in values))
