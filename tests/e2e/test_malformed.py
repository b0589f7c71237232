"""Malformed answers: nothing is deleted, written, exported or followed on the strength of one.

tests/fakes/fault_proxy.py --hostile stands between dynamo and the server
and answers one operation wrongly: {} or an empty body or an HTML page where
DynamoDB always sends Responses, Count or UnprocessedItems; a Scan page cut
in the middle; a LastEvaluatedKey that never advances; UnprocessedItems that
alternate between 24 and 25 requests by slipping in one that was never sent.
Each run must stop in bounded time with a clear error, and the tables (read
back through boto3, never through dynamo) and files must be exactly as they
were: a prune that took "no Responses" for "the source has none of these
keys" would have emptied the target.
"""
import json
import os
import subprocess
import time

import harness
from harness import create_table, put_items, unique_name

# Every malformed answer to the source's BatchGetItem the issue found
# emptying a target.
BAD_LOOKUPS = ("empty_object", "empty_body", "unprocessed_keys_only", "responses_empty", "html")
BAD_PAGES = ("empty_object", "empty_body", "html", "no_count", "no_items", "truncated")
BOUND = 40   # seconds: --max-retries 2 stops malformed retries far sooner


def items(n, prefix="ITEM"):
    return [{"PK": {"S": "%s#%05d" % (prefix, i)}, "SK": {"S": "v"}, "n": {"N": str(i)},
             "pad": {"S": "x" * 40}} for i in range(n)]


class Malformed(harness.TestCase):

    def proxy(self, side, *flags):
        """A fault proxy in front of side ('src' or 'tgt'), stopped when the test ends."""
        p = harness.start_fault_proxy(self.backend.endpoint(side), *flags)
        self.addCleanup(p.stop)
        return p

    def bounded(self, *args, **kw):
        t0 = time.monotonic()
        try:
            p = self.dynamo(*args, "--max-retries", "2", timeout=BOUND + 20, **kw)
        except subprocess.TimeoutExpired:
            self.fail("dynamo %s did not stop within %d s" % (" ".join(map(str, args)), BOUND + 20))
        self.assertLess(time.monotonic() - t0, BOUND, p.stderr)
        for word in ("runtime error:", "AddressSanitizer", "LeakSanitizer"):
            self.assertNotIn(word, p.stderr)
        return p

    def last_line(self, p):
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        self.assertTrue(lines and lines[-1].startswith("dynamo: "), p.stderr)
        return lines[-1]

    def pair(self, n_src=300, n_stale=60):
        """A source and a target holding the source's items plus stale ones (so a prune runs)."""
        name = unique_name("malformed")
        create_table(self.src, name)
        create_table(self.tgt, name)
        put_items(self.src, name, items(n_src))
        put_items(self.tgt, name, items(n_src) + items(n_stale, "STALE"))
        return name

    def test_a_malformed_lookup_never_prunes(self):
        """copy's prune: BatchGetItem answered {}, nothing, {"UnprocessedKeys":{}}, ... deletes nothing."""
        # One pair of tables and one proxy for every kind: a run must change nothing, so each
        # starts from the same tables (one that pruned fails there, and the kinds after it too).
        name = self.pair()
        before_src = harness.table_contents(self.src, name)
        before_tgt = harness.table_contents(self.tgt, name)
        proxy = self.proxy("src", "--ops", "BatchGetItem")
        for kind in BAD_LOOKUPS:
            with self.subTest(kind=kind):
                proxy.configure(hostile=kind, reset=True)
                p = self.bounded("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                                 "--source-endpoint-url", proxy.url, "--segments", "2")
                self.assertEqual(p.returncode, 1, "%s: %s" % (kind, p.stderr))
                self.assertIn("malformed", self.last_line(p))
                self.assertIn("BatchGetItem", self.last_line(p))
                self.assertGreater(proxy.stats()["faults"].get(kind, 0), 0)
                self.assertEqual(harness.table_contents(self.tgt, name), before_tgt, kind)
                self.assertEqual(harness.table_contents(self.src, name), before_src, kind)

    def test_a_malformed_lookup_never_drops_the_restore_source(self):
        """restore --from-table: the table keeps its items and the copy is not dropped."""
        name = unique_name("malformed-restore")
        saved = name + "-saved"
        create_table(self.tgt, name)
        create_table(self.tgt, saved)
        put_items(self.tgt, saved, items(200))
        put_items(self.tgt, name, items(200) + items(40, "NEW"))
        before = harness.table_contents(self.tgt, name)
        proxy = self.proxy("tgt", "--ops", "BatchGetItem", "--hostile", "empty_object")
        p = self.bounded("restore", "-t", name, "-e", "tgt", "--from-table", saved, "--yes",
                         "--endpoint-url", proxy.url)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("malformed", self.last_line(p))
        self.assertEqual(harness.table_contents(self.tgt, name), before)
        self.assertIn(saved, self.tgt.list_tables()["TableNames"])
        self.assertEqual(len(harness.table_contents(self.tgt, saved)), 200)

    def test_a_lookup_answered_well_after_a_bad_one_still_prunes(self):
        """A malformed answer is retried: one bad answer among good ones costs a retry, not the job."""
        name = self.pair(n_src=150, n_stale=30)
        proxy = self.proxy("src", "--ops", "BatchGetItem", "--hostile", "empty_object", "--hostile-limit", "1")
        p = self.bounded("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                         "--source-endpoint-url", proxy.url, "--segments", "1")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(proxy.stats()["faults"].get("empty_object"), 1)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 150)

    def test_malformed_scan_pages_copy_nothing_and_export_nothing(self):
        # One pair of tables and one proxy for every kind, as above: nothing may change.
        name = unique_name("malformed-scan")
        create_table(self.src, name)
        create_table(self.tgt, name)
        put_items(self.src, name, items(400))
        put_items(self.tgt, name, items(10, "KEEP"))
        proxy = self.proxy("src", "--ops", "Scan")
        for kind in BAD_PAGES:
            with self.subTest(kind=kind):
                proxy.configure(hostile=kind, reset=True)
                p = self.bounded("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                                 "--source-endpoint-url", proxy.url, "--segments", "1")
                self.assertEqual(p.returncode, 1, "%s: %s" % (kind, p.stderr))
                self.assertIn("malformed", self.last_line(p))
                self.assertEqual(harness.table_contents(self.tgt, name),
                                 sorted(harness.canonical(i) for i in items(10, "KEEP")), kind)
                out = os.path.join(self.env.home, "%s.jsonl" % kind)
                p = self.bounded("export", "-t", name, "-e", "src", "-o", out, "--endpoint-url", proxy.url,
                                 "--segments", "1")
                self.assertEqual(p.returncode, 1, "%s: %s" % (kind, p.stderr))
                # Not one line of a page that turned out malformed.
                lines = open(out).read().splitlines() if os.path.exists(out) else []
                self.assertEqual(lines, [], "%s: %d lines exported" % (kind, len(lines)))

    def test_pagination_that_does_not_advance_stops_naming_the_segment(self):
        for kind in ("lek_same", "lek_empty"):
            with self.subTest(kind=kind):
                name = unique_name("malformed-lek")
                create_table(self.src, name)
                put_items(self.src, name, items(300))
                proxy = self.proxy("src", "--ops", "Scan", "--hostile", kind)
                out = os.path.join(self.env.home, "%s.jsonl" % kind)
                p = self.bounded("export", "-t", name, "-e", "src", "-o", out, "--endpoint-url", proxy.url,
                                 "--segments", "3")
                self.assertEqual(p.returncode, 1, "%s: %s" % (kind, p.stderr))
                line = self.last_line(p)
                self.assertRegex(line, r"segment [0-2] of 3")
                self.assertIn("LastEvaluatedKey", line)
                # At most the table once (a page may be read before its key repeats), never a loop.
                size = os.path.getsize(out) if os.path.exists(out) else 0
                self.assertLess(size, 300 * 200, "%s: the export grew to %d bytes" % (kind, size))

    def test_unprocessed_items_alternating_24_and_25_stop(self):
        """Requests never sent are not written, and the retries stay bounded."""
        name = unique_name("malformed-bwi")
        create_table(self.src, name)
        create_table(self.tgt, name)
        put_items(self.src, name, items(100))
        proxy = self.proxy("tgt", "--ops", "BatchWriteItem", "--hostile", "unprocessed_foreign")
        p = self.bounded("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                         "--target-endpoint-url", proxy.url, "--segments", "1", "-c", "2")
        self.assertIn(p.returncode, (1, 5), p.stderr)
        self.assertNotIn(" done", p.stderr)
        self.assertIn("BatchWriteItem", self.last_line(p))
        self.assertEqual(harness.table_contents(self.tgt, name), [])
        # 4 batches, each sent at most --max-retries + 1 = 3 times per round, rounds bounded.
        self.assertLess(proxy.stats()["requests"]["BatchWriteItem"], 4 * 3 * 26)

    def test_the_target_is_not_taken_for_empty_on_a_malformed_scan(self):
        """The Scan that tells an empty target from a full one must have Items and Count too."""
        name = unique_name("malformed-empty")
        create_table(self.src, name)
        create_table(self.tgt, name)
        put_items(self.src, name, items(20))
        put_items(self.tgt, name, items(20, "OTHER"))
        proxy = self.proxy("tgt", "--ops", "Scan", "--hostile", "empty_object")
        # {} looks like an empty target: a copy must not skip the question and the prune on it.
        p = self.bounded("copy", "-t", name, "--source", "src", "--target", "tgt", "--no-backup",
                         "--target-endpoint-url", proxy.url)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("malformed", self.last_line(p))
        self.assertEqual(len(harness.table_contents(self.tgt, name)), 20)
