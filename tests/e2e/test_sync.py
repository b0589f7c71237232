"""dynamo sync: the target ends equal to the source (judged by boto3 scans) and only what differed is written.

Writes are counted by the fault proxy in front of the target (--partitions 1
logs every item that reaches the backend), not by dynamo's own summary.
"""
import copy
import json

import data
import harness
from harness import create_table, put_items, unique_name


class Sync(harness.TestCase):

    def seeded(self, n=50):
        name = unique_name("sync")
        create_table(self.src, name)
        create_table(self.tgt, name)
        items = [data.rich_item(i, pk_value="P#%03d" % i, sk_value="S") for i in range(n)]
        put_items(self.src, name, items)
        put_items(self.tgt, name, items)
        return name, items

    def proxy(self):
        proxy = harness.start_fault_proxy(self.backend.endpoint("tgt"), "--partitions", "1")
        self.addCleanup(proxy.stop)
        return proxy

    def sync(self, name, proxy, *extra, check=0):
        return self.dynamo("sync", "-t", name, "--source", "src", "--target", "tgt",
                           "--target-endpoint-url", proxy.url, *extra, check=check)

    def changes(self, name, items):
        """3 changed, 2 missing and 2 extra items in the target."""
        for i in (1, 2, 3):
            it = copy.deepcopy(items[i])
            it["num"] = {"N": "-7"}
            put_items(self.tgt, name, [it])
        for i in (10, 11):
            self.tgt.delete_item(TableName=name, Key={"PK": items[i]["PK"], "SK": items[i]["SK"]})
        put_items(self.tgt, name, [{"PK": {"S": "X%d" % i}, "SK": {"S": "S"}} for i in range(2)])

    def test_equal_tables_write_nothing(self):
        self.require_distinct_target()
        name, _ = self.seeded()
        proxy = self.proxy()
        p = self.sync(name, proxy, "--yes", "--delete", "--json")
        self.assertEqual(p.stdout.splitlines()[:-1], [])
        self.assertEqual(proxy.stats()["requests"].get("BatchWriteItem", 0), 0)
        self.assertEqual(json.loads(p.stdout.splitlines()[-1])["written"], 0)

    def test_only_what_differs_is_written_and_the_tables_end_equal(self):
        self.require_distinct_target()
        name, items = self.seeded()
        self.changes(name, items)
        proxy = self.proxy()
        p = self.sync(name, proxy, "--yes", "--delete")
        self.assertEqual(len(proxy.stats()["writes"]), 3 + 2 + 2, p.stderr)   # 5 puts, 2 deletes
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 50)
        self.assertIn("a full copy would have written 50", p.stderr)

    def test_without_delete_extras_are_listed_not_deleted(self):
        self.require_distinct_target()
        name, items = self.seeded(n=20)
        self.changes(name, items)
        proxy = self.proxy()
        p = self.sync(name, proxy, "--yes")
        self.assertEqual(sorted(l for l in p.stdout.splitlines() if l.startswith("-")),
                         ['- {"PK":"X0","SK":"S"}', '- {"PK":"X1","SK":"S"}'])
        self.assertEqual(len(proxy.stats()["writes"]), 5)
        self.assertEqual(len(harness.scan_all(self.tgt, name)), 22)

    def test_dry_run_and_refusal_write_nothing(self):
        self.require_distinct_target()
        name, items = self.seeded(n=20)
        self.changes(name, items)
        before = harness.table_contents(self.tgt, name)
        proxy = self.proxy()
        p = self.sync(name, proxy, "--delete", "--dry-run")
        self.assertEqual(len([l for l in p.stdout.splitlines() if l[:1] in "+-~"]), 7, p.stdout)
        self.assertIn("would write 5 and would delete 2", p.stderr)
        # Off a terminal, without --yes: refused, exit 6.
        p = self.sync(name, proxy, "--delete", check=6)
        self.assertEqual(proxy.stats()["requests"].get("BatchWriteItem", 0), 0)
        self.assertEqual(harness.table_contents(self.tgt, name), before)
