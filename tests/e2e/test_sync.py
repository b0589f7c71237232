"""dynamo sync: the target ends equal to the source (judged by boto3 scans) and only what differed is written.

Writes are counted by the fault proxy in front of the target (--partitions 1
logs every item that reaches the backend), not by dynamo's own summary.
"""
import copy
import json
import os

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

    @property
    def backup_flags(self):
        # dynalite has no backups: sync backs the target up first, as copy does.
        return [] if self.backend.name == "moto" else ["--no-backup"]

    def sync(self, name, proxy, *extra, check=0):
        return self.dynamo("sync", "-t", name, "--source", "src", "--target", "tgt",
                           "--target-endpoint-url", proxy.url, *self.backup_flags, *extra, check=check)

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
        # Backed up before anything was written, as copy does (--no-backup skips it).
        if self.backend.name == "moto":
            backups = self.tgt.list_backups(TableName=name)["BackupSummaries"]
            self.assertEqual(len(backups), 1, backups)
            self.assertIn("backed up '%s'" % name, p.stderr)
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

    def test_a_selection_syncs_only_its_items(self):
        self.require_distinct_target()
        name, items = self.seeded(n=30)
        for i in (2, 12):     # P#002 outside the selection, P#012 inside
            it = copy.deepcopy(items[i])
            it["str"] = {"S": "other"}
            put_items(self.tgt, name, [it])
        put_items(self.tgt, name, [{"PK": {"S": "P#019x"}, "SK": {"S": "S"}}, {"PK": {"S": "Q"}, "SK": {"S": "S"}}])
        outside = sorted(harness.canonical(it) for it in harness.scan_all(self.tgt, name)
                         if not it["PK"]["S"].startswith("P#01"))
        proxy = self.proxy()
        self.sync(name, proxy, "--yes", "--delete", "--pk-prefix", "P#01")
        self.assertEqual(len(proxy.stats()["writes"]), 2)     # P#012 put, P#019x deleted
        inside = lambda c: sorted(harness.canonical(it) for it in harness.scan_all(c, name)
                                  if it["PK"]["S"].startswith("P#01"))
        self.assertEqual(inside(self.tgt), inside(self.src))
        self.assertEqual(sorted(harness.canonical(it) for it in harness.scan_all(self.tgt, name)
                                if not it["PK"]["S"].startswith("P#01")), outside)

    def test_the_policy_names_the_writes_only_for_sync(self):
        name, _ = self.seeded(n=2)
        actions = {}
        for cmd in ("diff", "sync"):
            p = self.dynamo("policy", cmd, "-t", name, "--source", "src", "--target", "tgt", "--delete"
                            if cmd == "sync" else "--quiet", check=0)
            actions[cmd] = {s["Sid"]: set(s["Action"]) for s in json.loads(p.stdout)["Statement"]}
        self.assertNotIn("dynamodb:BatchWriteItem", actions["diff"]["Target"] | actions["diff"]["Source"])
        self.assertIn("dynamodb:BatchWriteItem", actions["sync"]["Target"])
        self.assertNotIn("dynamodb:BatchWriteItem", actions["sync"]["Source"])
        for cmd in actions:
            for side in ("Source", "Target"):
                self.assertTrue({"dynamodb:Scan", "dynamodb:BatchGetItem"} <= actions[cmd][side], (cmd, side))


class SyncResume(harness.TestCase):
    """A sync killed while its writes are held resumes from its checkpoint, ends equal, and rewrites
    nothing a full copy would: what the first run wrote is equal by then, so not written again."""

    def test_killed_sync_resumes(self):
        self.require_distinct_target()
        tmp = harness.tempfile.mkdtemp(prefix="dynamo-sync-ck-")
        self.addCleanup(harness.shutil.rmtree, tmp, True)
        name = unique_name("sync-ck")
        create_table(self.src, name)
        create_table(self.tgt, name)
        items = [{"PK": {"S": "P#%04d" % i}, "SK": {"S": "S"}, "n": {"N": str(i)}} for i in range(300)]
        put_items(self.src, name, items)
        put_items(self.tgt, name, [dict(it, n={"N": "-1"}) if i % 3 == 0 else it for i, it in enumerate(items)])
        proxy = harness.start_fault_proxy(self.backend.endpoint("tgt"), "--partitions", "1")
        self.addCleanup(proxy.stop)
        ck = os.path.join(tmp, "sync.ck")
        args = ["sync", "-t", name, "--source", "src", "--target", "tgt", "--target-endpoint-url", proxy.url,
                "--checkpoint", ck, "--segments", "4", "--concurrency", "2", "--yes", "--delete", "--no-backup"]
        harness.kill_when_held(self, proxy, args, ck, hold_after=1)
        r = self.dynamo(*args, check=0)
        self.assertIn("resuming from checkpoint", r.stderr)
        self.assertFalse(os.path.exists(ck))
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 300)
        # 100 items differed: written once each, bar a held batch of 25 that may land late and
        # be written again; never the 300 a copy writes.
        self.assertLessEqual(len(proxy.stats()["writes"]), 100 + 25)
