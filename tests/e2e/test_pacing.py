"""Pacing against a DynamoDB that says no: hot partitions, partial batches, the retry budget.

dynamo talks to moto through tests/fakes/fault_proxy.py, which splits the
target into partitions as DynamoDB does (moto's own Scan segments, so a scan
segment's items all land on one partition) and gives some of them a small
write capacity, or answers every batch with all but one item unprocessed.
What happened is judged from the proxy's log of the writes that reached moto
and from the tables, never from dynamo's own account.
"""
import hashlib
import json
import os
import re
import signal
import subprocess
import time

import harness
from harness import create_table, put_items, unique_name
from test_faults import FaultBase

PARTITIONS = 16
HOT = 3


def partition(pk):
    """The proxy's (and moto's Scan segment) function of a partition key string."""
    return hashlib.md5(pk.encode()).digest()[0] % PARTITIONS


def items_by_partition(hot, cold):
    """hot items in partition HOT and cold items elsewhere, one partition key each."""
    out, n_hot, n_cold, i = [], 0, 0, 0
    while n_hot < hot or n_cold < cold:
        pk = "ITEM#%06d" % i
        i += 1
        if partition(pk) == HOT and n_hot < hot:
            n_hot += 1
        elif partition(pk) != HOT and n_cold < cold:
            n_cold += 1
        else:
            continue
        out.append({"PK": {"S": pk}, "SK": {"S": "x"}, "n": {"N": str(i)}, "pad": {"S": "p" * 100}})
    return out


class PacingBase(FaultBase):
    def tables(self, prefix, items):
        """A source holding items and an empty target; returns their name."""
        name = unique_name(prefix)
        create_table(self.src, name)
        create_table(self.tgt, name)
        put_items(self.src, name, items)
        return name

    def copy(self, proxy, name, *flags, timeout=100, extra_env=None):
        return self.via(proxy, "copy", "-t", name, "--source", "src", "--target", "tgt", "--yes",
                        "--no-backup", *flags, timeout=timeout, extra_env=extra_env)


class HotPartition(PacingBase):
    """A partition at its capacity delays its own items only."""

    # 11 s or more of writes for the hot partition, at one item a second;
    # the 800 cold ones take moto about 2 s.
    HOT_ITEMS = 12

    def test_a_throttled_partition_does_not_hold_back_the_others(self):
        name = self.tables("hot", items_by_partition(self.HOT_ITEMS, 800))
        # Partition 3 takes one item a second (one second of burst); the others are unlimited.
        proxy = self.proxy("--partitions", PARTITIONS, "--partition-wcu", "%d=1" % HOT)
        # 16 segments: each one partition (moto's Scan is slow with more).
        p = self.copy(proxy, name, "--segments", PARTITIONS, timeout=120)
        self.assertSucceeded(p)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), self.HOT_ITEMS + 800)
        st = proxy.stats()
        self.assertGreater(st["faults"].get("partition", 0), 0, "the partition never pushed back: %s" % st)
        hot = [t for t, part in st["writes"] if part == HOT]
        cold = [t for t, part in st["writes"] if part != HOT]
        self.assertEqual((len(hot), len(cold)), (self.HOT_ITEMS, 800))
        # The hot partition needs HOT_ITEMS - 1 s or more for its items (one
        # second of burst); the others must not wait for it: done within
        # half of that.
        self.assertGreater(max(hot), self.HOT_ITEMS - 2.0)
        self.assertLess(max(cold), (self.HOT_ITEMS - 1) / 2, "the other partitions finished at %.1f s, the hot one at "
                        "%.1f s" % (max(cold), max(hot)))


class PartialBatches(PacingBase):
    """UnprocessedItems: the backoff starts over when an answer writes something."""

    def test_a_server_that_writes_one_item_per_answer_is_not_waited_on(self):
        name = self.tables("one-per-round", items_by_partition(0, 500))
        # Every batch of more than one item: one written, the rest unprocessed.
        proxy = self.proxy("--unprocessed", 1, "--unprocessed-keep", 1)
        t0 = time.monotonic()
        # Past the 60 s bar below it has failed already: a run that hangs fails at 90 s, not 300.
        p = self.copy(proxy, name, timeout=90)
        elapsed = time.monotonic() - t0
        self.assertSucceeded(p)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 500)
        self.assertGreater(proxy.stats()["faults"].get("unprocessed", 0), 400)
        # 25 answers a batch: with a backoff that doubles each round whatever
        # was written, its last rounds wait up to 20 s each (minutes in all).
        self.assertLess(elapsed, 60, "took %.0f s:\n%s" % (elapsed, p.stderr[-2000:]))


class RetryBudget(PacingBase):
    """The retry budget counts the service's refusals, not the wait for dynamo's own rate limit."""

    def test_waiting_for_the_rate_limit_does_not_spend_the_budget(self):
        name = self.tables("budget", items_by_partition(0, 600))
        # 600 one-unit items at 60 units/s: batches wait for the cap up to
        # 10 s, and a third of the attempts are throttled; a retry waits
        # seconds for its turn, much longer than the 2 s budget.
        proxy = self.proxy("--throttle", 0.3, "--ops", "BatchWriteItem", "--seed", 5)
        p = self.copy(proxy, name, "--max-wcu", "60", timeout=120,
                      extra_env={"DYNAMO_RETRY_BUDGET": "2s"})
        self.assertSucceeded(p)
        self.assertGreater(proxy.stats()["faults"].get("throttle", 0), 3)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 600)

    def test_a_bad_budget_is_refused(self):
        p = self.dynamo("tables", "-e", "src", extra_env={"DYNAMO_RETRY_BUDGET": "soon"})
        self.assertEqual(p.returncode, 2)
        self.assertIn("DYNAMO_RETRY_BUDGET", p.stderr)


class CheckpointGranularity(PacingBase):
    """A copy slowed by partial batches records its progress while it runs, page by page."""

    def test_an_interrupted_copy_keeps_most_of_what_it_wrote(self):
        name = self.tables("ck-grain", items_by_partition(0, 3000))
        tmp = harness.tempfile.mkdtemp(prefix="dynamo-ck-grain-")
        self.addCleanup(harness.shutil.rmtree, tmp, True)
        ck = os.path.join(tmp, "copy.ck")
        proxy = self.proxy("--unprocessed", 0.6, "--ops", "BatchWriteItem", "--seed", 3)
        # One segment: DynamoDB's 1 MB page would hold the whole table.
        args = ["copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                "--segments", "1", "--concurrency", "4", "--checkpoint", ck, "--json"]
        env = dict(self.env.environ(), AWS_ENDPOINT_URL=proxy.url)
        p = subprocess.Popen([harness.BIN] + args, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, start_new_session=True)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        saved = None
        deadline = time.monotonic() + 60
        while p.poll() is None and time.monotonic() < deadline:
            try:
                state = json.load(open(ck))
                units = [s for s in state["stages"] if s["name"] == "copy"][0]["units"]
                if units[0].get("key") and not units[0].get("done"):
                    saved = units[0]["key"]
                    break
            except (OSError, ValueError, KeyError, IndexError):
                pass
            time.sleep(0.05)
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        self.assertIsNotNone(saved, "the checkpoint recorded no progress before the copy ended")
        # Resumed: only what was not recorded is read again.
        proxy.configure(unprocessed=0)
        r = self.via(proxy, *args)
        self.assertSucceeded(r)
        copy = [s for s in json.loads(r.stdout.splitlines()[-1])["stages"] if s["name"] == "copy"][0]
        self.assertLess(copy["read"], 3000)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 3000)


class ShowsWhatLimitsTheJob(PacingBase):
    """Progress and --debug say how fast the job writes, what is refused, and why the pace is what it is."""

    def test_progress_shows_the_rate_and_the_refused_share(self):
        name = self.tables("shows", items_by_partition(0, 1500))
        proxy = self.proxy("--unprocessed", 0.5, "--ops", "BatchWriteItem", "--seed", 9)
        p = self.copy(proxy, name, "--progress-interval", "1s", "--segments", "4")
        self.assertSucceeded(p)
        lines = [l for l in p.stderr.replace("\r", "\n").split("\n") if l.lstrip("\x1b[K").startswith("copy ")]
        self.assertTrue(lines, p.stderr)
        shares = [re.search(r"items  [\d,]+/s  refused (\d+)% \(throttled (\d+)%, unprocessed (\d+)%\)", l)
                  for l in lines]
        shares = [m for m in shares if m]
        self.assertTrue(shares, "no refused share in:\n" + "\n".join(lines))
        # The proxy leaves part of each batch unprocessed: the line says so.
        self.assertTrue(any(int(m.group(3)) > 0 for m in shares), "\n".join(lines))

    def test_debug_says_why_the_pace_changed(self):
        name = self.tables("shows", items_by_partition(0, 1200))
        proxy = self.proxy("--table-wcu", "150")
        p = self.copy(proxy, name, "--debug", timeout=120)
        self.assertSucceeded(p)
        self.assertGreater(proxy.stats()["faults"].get("capacity", 0), 0)
        self.assertRegex(p.stderr, r"dynamo: debug: write window: \d+ units/s sent, [\d.]+% refused")
        self.assertRegex(p.stderr, r"dynamo: debug: write pace: .*at capacity")


class EveryWritingPath(PacingBase):
    """Truncate, import, restore --from-file and item copies write through the same writer:
    half of every batch left unprocessed is retried in later batches until written, nothing lost.
    (How fast against a server that writes one item an answer is PartialBatches', for a copy.)"""

    def half_unprocessed(self):
        return self.proxy("--unprocessed", 0.5, "--ops", "BatchWriteItem", "--seed", 4)

    def bounded(self, proxy, *args):
        p = self.via(proxy, *args, timeout=160)
        self.assertSucceeded(p)
        self.assertGreater(proxy.stats()["faults"].get("unprocessed", 0), 5)
        return p

    def export_file(self, items):
        tmp = harness.tempfile.mkdtemp(prefix="dynamo-paths-")
        self.addCleanup(harness.shutil.rmtree, tmp, True)
        path = os.path.join(tmp, "items.jsonl")
        with open(path, "w") as f:
            for it in items:
                f.write(json.dumps({"Item": it}) + "\n")
        return path

    def test_truncate(self):
        name = unique_name("paths-trunc")
        create_table(self.tgt, name)
        put_items(self.tgt, name, items_by_partition(0, 300))
        self.bounded(self.half_unprocessed(), "truncate", "-t", name, "-e", "tgt", "--yes")
        self.assertEqual(harness.table_contents(self.tgt, name), [])

    def test_import(self):
        items = items_by_partition(0, 300)
        name = unique_name("paths-import")
        create_table(self.tgt, name)
        path = self.export_file(items)
        self.bounded(self.half_unprocessed(), "import", "-t", name, "-e", "tgt", "-i", path)
        self.assertEqual(harness.table_contents(self.tgt, name), sorted(harness.canonical(i) for i in items))

    def test_restore_from_file_puts_then_prunes(self):
        items = items_by_partition(0, 200)
        path = self.export_file(items)
        name = unique_name("paths-restore")
        create_table(self.tgt, name)
        # 100 of the file's items, and 150 the file lacks: the prune deletes those.
        extra = [{"PK": {"S": "EXTRA#%04d" % i}, "SK": {"S": "x"}} for i in range(150)]
        put_items(self.tgt, name, items[:100] + extra)
        self.bounded(self.half_unprocessed(), "restore", "-t", name, "-e", "tgt", "--from-file", path,
                     "--yes", "--no-backup")
        self.assertEqual(harness.table_contents(self.tgt, name), sorted(harness.canonical(i) for i in items))

    def test_item_copy(self):
        name = unique_name("paths-items")
        create_table(self.src, name)
        create_table(self.tgt, name)
        items = [{"PK": {"S": "USER#%d" % (i % 4)}, "SK": {"S": "ORDER#%05d" % i}, "pad": {"S": "p" * 100}}
                 for i in range(300)]
        put_items(self.src, name, items)
        self.bounded(self.half_unprocessed(), "copy", "-t", name, "--pk", "USER#{0..3}", "--source", "src",
                     "--target", "tgt", "--yes", "--no-backup")
        self.assertEqual(harness.table_contents(self.tgt, name), sorted(harness.canonical(i) for i in items))
