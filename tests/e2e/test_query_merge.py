"""A merge of write-sharded keys over many pages stays in sort-key order.

Each shard spans several pages, so the merge queues are compacted while
partly consumed: a bug there once printed items out of order. The pages are
made small by the fault proxy (--page-limit: every Query asks for at most
100 items), so a few hundred items per shard make six pages, as 6,000 did
with the 1,000-item pages dynamo asks for.
"""
import json

import harness
from harness import create_table, put_items, unique_name


class QueryMerge(harness.TestCase):

    def test_sharded_keys_merge_in_order_over_many_pages(self):
        name = unique_name("merge")
        create_table(self.src, name, hash_key=("PK", "S"), range_key=("SK", "S"))
        # Six pages per shard: compacted queues then take new pages over the
        # bytes a stale offset would still point at.
        shards, page = 2, 100
        items = [{"PK": {"S": "HOT#S%d" % (i % shards)}, "SK": {"S": "T#%08d" % i},
                  "n": {"N": str(i)}, "pad": {"S": "x" * (i % 50)}} for i in range(6 * page * shards)]
        put_items(self.src, name, items)
        proxy = harness.start_fault_proxy(self.backend.endpoint("src"), "--page-limit", page)
        self.addCleanup(proxy.stop)
        for flags, ordered in (([], sorted), (["--desc"], lambda v: sorted(v, reverse=True))):
            proxy.configure(reset=True)
            p = self.dynamo("query", "-t", name, "-e", "src", "--pk", "HOT#S{0..%d}" % (shards - 1),
                            "--output", "jsonl", "--endpoint-url", proxy.url, *flags, check=0)
            got = [json.loads(line)["SK"] for line in p.stdout.splitlines()]
            self.assertEqual(got, ordered(it["SK"]["S"] for it in items), flags)
            # Six pages and the empty last one per shard (moto), or six (dynalite).
            self.assertGreaterEqual(proxy.stats()["requests"]["Query"], 6 * shards, flags)

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
