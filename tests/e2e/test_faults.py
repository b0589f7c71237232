"""Nothing lost: dynamo under injected faults, judged by boto3 against moto directly.

dynamo talks to moto through tests/fakes/fault_proxy.py, which breaks the
data-plane calls (BatchWriteItem, Scan, Query, BatchGetItem) by a seeded
random mix: partial batches (UnprocessedItems/UnprocessedKeys), throttling,
500/503 before and after the write happened, connections dropped mid-request
and mid-response, answers held past --timeout, bodies whose x-amz-crc32 no
longer matches. Whatever happens, the target must end exactly equal to what
was asked for: nothing lost, nothing left over, nothing corrupted. The
proxy's counters prove each fault really happened during the run.

When the faults never stop, dynamo must stop by itself, in bounded time,
with the documented exit code and a message that says what is not written.
"""
import collections
import json
import os
import subprocess
import time
import unittest

import data
import harness
from harness import create_table, put_items, unique_name

# Every kind of fault, per data-plane request. --cover makes sure each kind
# fires at least once even in a short run.
MIX = {
    "unprocessed": 0.12,
    "throttle": 0.05,
    "error_before": 0.04,
    "error_after": 0.04,
    "drop_request": 0.03,
    "drop_response": 0.03,
    "delay": 0.01,
    "corrupt": 0.04,
}
# The tests' tables are a few hundred items (moto answers their pages in
# well under a second): the timeout leaves room for a slow page, and the
# proxy holds delayed answers past it. Each delay costs the timeout.
TIMEOUT = ["--timeout", "3s"]


def mix_flags(seed, without=()):
    """The proxy's flags for the mix; FAULT_SEED=N shifts every test's seed to explore other runs."""
    seed += int(os.environ.get("FAULT_SEED", "0"))
    flags = ["--seed", seed, "--cover", "1", "--delay-seconds", "4"]
    for kind, rate in MIX.items():
        if kind not in without:
            flags += ["--" + kind.replace("_", "-"), rate]
    return flags


def canon(items):
    return sorted(harness.canonical(i) for i in items)


def key(item):
    return item["PK"]["S"], item["SK"]["S"]


class FaultBase(harness.TestCase):
    backends = ("moto",)

    def proxy(self, *flags):
        """A fault proxy in front of the harness's moto (STS included), stopped when the test ends."""
        p = harness.start_fault_proxy(self.backend.endpoint("src"), *flags)
        self.addCleanup(p.stop)
        return p

    def via(self, proxy, *args, timeout=100, extra_env=None, **kw):
        """Runs dynamo with every call (STS too) going through the proxy; a run past timeout fails."""
        env = dict(extra_env or {}, AWS_ENDPOINT_URL=proxy.url)
        try:
            p = self.dynamo(*args, extra_env=env, timeout=timeout, **kw)
        except subprocess.TimeoutExpired as e:
            self.fail("dynamo %s did not finish within %d s (proxy stats: %s)\nstderr: %s" %
                      (" ".join(args), timeout, proxy.stats(), (e.stderr or b"")[-2000:]))
        # Under the sanitizer build (DYNAMO_BIN=build/asan/dynamo) a report fails the test.
        for word in ("runtime error:", "AddressSanitizer", "LeakSanitizer"):
            self.assertNotIn(word, p.stderr, "sanitizer report:\n" + p.stderr[-4000:])
        return p

    def assertSucceeded(self, p):
        self.assertEqual(p.returncode, 0, "dynamo failed under faults:\nstdout: %s\nstderr: %s" %
                         (p.stdout, p.stderr))

    def assertEveryFaultFired(self, proxy, kinds=tuple(MIX)):
        st = proxy.stats()
        missing = [k for k in kinds if not st["faults"].get(k)]
        self.assertEqual(missing, [], "faults that never fired: %s (stats: %s)" % (missing, st))
        return st

    def summary(self, p, command):
        lines = [l for l in p.stderr.splitlines() if l.startswith("dynamo: %s done" % command)]
        self.assertEqual(len(lines), 1, p.stderr)
        return lines[0]

    BOUND = 30   # seconds: --max-retries 3 with 50 ms..20 s backoff stops far sooner

    def setup_copy(self, n=200, **kw):
        """A source of n rich items (all with GSI1PK "G") and an empty target."""
        name = unique_name("fault-limit")
        create_table(self.src, name, **kw)
        create_table(self.tgt, name, **kw)
        put_items(self.src, name, [dict(it, GSI1PK={"S": "G"}) for it in data.rich_items(n)])
        return name

    def src_items(self, name):
        return harness.scan_all(self.src, name, ConsistentRead=True)

    def stopped(self, proxy, *args, **kw):
        """Runs dynamo with --max-retries 3, to fail; a run past the bound is killed and fails the test."""
        t0 = time.monotonic()
        p = self.via(proxy, *args, "--max-retries", "3", *TIMEOUT, timeout=self.BOUND + 10, **kw)
        elapsed = time.monotonic() - t0
        self.assertLess(elapsed, self.BOUND, "retries are not bounded in time:\n" + p.stderr)
        self.assertNotIn(" done", p.stderr, "reported success")
        return p

    def error_line(self, p, command):
        """After the summary ('dynamo: copy stopped: ...'), one error line."""
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        self.assertTrue(lines and all(l.startswith("dynamo: ") for l in lines), p.stderr)
        self.assertEqual([l for l in lines if l.startswith("dynamo: %s done" % command)], [], p.stderr)
        errors = [l for l in lines if not l.startswith("dynamo: %s stopped" % command)]
        self.assertEqual(len(errors), 1, "wanted one error line, got:\n" + p.stderr)
        return errors[0]


class FaultMix(FaultBase):
    """Each command under a mix of every fault ends with exactly the right target."""

    def test_copy_table_with_truncate(self):
        name = unique_name("fault-copy")
        create_table(self.src, name)
        create_table(self.tgt, name)
        items = data.rich_items(300)
        put_items(self.src, name, items)
        # Stale items with other keys, and older versions of the same keys.
        stale = [{"PK": {"S": "STALE#%d" % i}, "SK": {"S": "x"}, "v": {"N": str(i)}} for i in range(60)]
        older = [dict(it, str={"S": "an older version"}) for it in items[:30]]
        put_items(self.tgt, name, stale + older)
        proxy = self.proxy(*mix_flags(7))
        p = self.via(proxy, "copy", "-t", name, "--source", "src", "--target", "tgt", "--yes",
                     "--segments", "4", "-c", "8", *TIMEOUT)
        self.assertSucceeded(p)
        self.assertEveryFaultFired(proxy)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 300)
        # Copy first, then prune the 60 stale items (the 30 older versions are overwritten).
        self.assertIn("300 read, 300 written, 60 deleted", self.summary(p, "copy"))

    def test_unprocessed_items_sent_again_are_counted(self):
        # The summary once said "0 retries" after thousands of them.
        name = self.setup_copy(100)
        proxy = self.proxy("--ops", "BatchWriteItem", "--unprocessed", "0.5")
        p = self.via(proxy, "copy", "-t", name, "--source", "src", "--target", "tgt", "--yes",
                     "--no-backup", "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertGreater(json.loads(p.stdout)["unprocessed"], 0, p.stdout)
        self.assertRegex(self.summary(p, "copy"), r", [1-9][0-9]* unprocessed sent again;")
        self.assertEqual(len(harness.table_contents(self.tgt, name)), 100)

    def seed_items(self, name, projection="ALL"):
        """Users 0..5 with orders, some in GSI1; the target holds older and other items."""
        create_table(self.src, name, gsis=[("GSI1", ("GSI1PK", "S"), ("GSI1SK", "S"), projection)])
        create_table(self.tgt, name, gsis=[("GSI1", ("GSI1PK", "S"), ("GSI1SK", "S"), projection)])
        items = []
        for u in range(6):
            for k in range(30):
                it = data.rich_item(u * 1000 + k, pk_value="USER#%d" % u, sk_value="ORDER#%04d" % k)
                if k % 3:
                    it["GSI1PK"] = {"S": "STATUS#%s" % ("open" if k % 3 == 1 else "done")}
                    it["GSI1SK"] = {"S": "u%d#%04d" % (u, k)}
                items.append(it)
        put_items(self.src, name, items)
        old = []
        for u in range(8):
            for k in range(15):
                it = {"PK": {"S": "USER#%d" % u}, "SK": {"S": "ORDER#%04d" % (k * 7)}, "old": {"BOOL": True}}
                if k % 2:
                    it["GSI1PK"] = {"S": "STATUS#%s" % ("open" if k % 4 == 1 else "done")}
                    it["GSI1SK"] = {"S": "old%d#%d" % (u, k)}
                old.append(it)
        put_items(self.tgt, name, old)
        return items, old

    def test_copy_items_of_partition_keys(self):
        name = unique_name("fault-pk")
        items, old = self.seed_items(name)
        proxy = self.proxy(*mix_flags(11))
        p = self.via(proxy, "copy", "-t", name, "--pk", "USER#{0..3}", "--source", "src", "--target", "tgt",
                     "--yes", "-c", "8", *TIMEOUT)
        self.assertSucceeded(p)
        self.assertEveryFaultFired(proxy)
        chosen = ("USER#0", "USER#1", "USER#2", "USER#3")
        want = [i for i in items if i["PK"]["S"] in chosen] + [o for o in old if o["PK"]["S"] not in chosen]
        self.assertEqual(harness.table_contents(self.tgt, name), canon(want))

    def test_copy_items_through_a_gsi(self):
        # KEYS_ONLY reads the whole items with BatchGetItem (UnprocessedKeys injected too).
        for projection, seed in (("ALL", 13), ("KEYS_ONLY", 17)):
            with self.subTest(projection=projection):
                name = unique_name("fault-gsi")
                items, old = self.seed_items(name, projection)
                proxy = self.proxy(*mix_flags(seed))
                p = self.via(proxy, "copy", "-t", name, "--pk", "STATUS#open", "-i", "GSI1", "--source", "src",
                             "--target", "tgt", "--yes", "-c", "8", *TIMEOUT)
                self.assertSucceeded(p)
                st = self.assertEveryFaultFired(proxy)
                if projection == "KEYS_ONLY":
                    self.assertGreater(st["requests"].get("BatchGetItem", 0), 0, st)
                # The target's open items are deleted, the source's written
                # over what the target holds under their keys.
                is_open = lambda i: i.get("GSI1PK", {}).get("S") == "STATUS#open"
                want = {key(o): o for o in old if not is_open(o)}
                want.update((key(i), i) for i in items if is_open(i))
                self.assertEqual(harness.table_contents(self.tgt, name), canon(want.values()))

    def test_truncate(self):
        name = unique_name("fault-trunc")
        create_table(self.tgt, name)
        put_items(self.tgt, name, data.rich_items(300))
        proxy = self.proxy(*mix_flags(19))
        p = self.via(proxy, "truncate", "-t", name, "-e", "tgt", "--yes", "--segments", "4", "-c", "8", *TIMEOUT)
        self.assertSucceeded(p)
        self.assertEveryFaultFired(proxy)
        self.assertEqual(harness.table_contents(self.tgt, name), [])
        self.assertIn("300 deleted", self.summary(p, "truncate"))

    def test_restore_from_table(self):
        name = unique_name("fault-restore")
        saved = name + "-saved"
        create_table(self.tgt, name)
        create_table(self.tgt, saved)
        items = data.rich_items(300)
        put_items(self.tgt, saved, items)
        put_items(self.tgt, name, [dict(it, str={"S": "changed since"}) for it in items[::3]] +
                  [{"PK": {"S": "NEW#%d" % i}, "SK": {"S": "n"}} for i in range(50)])
        proxy = self.proxy(*mix_flags(23))
        p = self.via(proxy, "restore", "-t", name, "-e", "tgt", "--from-table", saved, "--yes",
                     "--segments", "4", "-c", "8", *TIMEOUT)
        self.assertSucceeded(p)
        self.assertEveryFaultFired(proxy)
        self.assertEqual(harness.table_contents(self.tgt, name), canon(items))
        self.assertNotIn(saved, self.tgt.list_tables()["TableNames"])


class FaultLimits(FaultBase):
    """Faults that never stop: dynamo stops by itself, bounded in count and time, and says so."""

    def assertIncomplete(self, p, name):
        self.assertEqual(p.returncode, 5, "wanted exit 5 (EXIT_INCOMPLETE)\nstderr: %s" % p.stderr)
        line = self.error_line(p, "copy")
        self.assertIn("'%s'" % name, line)
        # How many items are not written, and how to resume.
        self.assertRegex(line, r"\b[1-9][0-9]* items read were not written")
        self.assertIn("run it again", line)
        self.assertIn("--checkpoint", line)
        return line

    def assertRetriedAtMost(self, proxy, op, attempts):
        """No request (the same body) was sent more than attempts times."""
        seen = collections.Counter(r["body"] for r in proxy.requests() if r["op"] == op and "body" in r)
        self.assertTrue(seen, "no %s reached the proxy" % op)
        body, n = seen.most_common(1)[0]
        self.assertLessEqual(n, attempts, "a %s was sent %d times" % (op, n))

    def copy(self, proxy, name, *extra, **kw):
        return self.stopped(proxy, "copy", "-t", name, "--source", "src", "--target", "tgt", "--yes",
                            "--no-backup", "-c", "4", *extra, **kw)

    # Once a bug: throttled attempts never gave back what they reserved, so
    # each try waited longer (200 items took minutes to give up).
    def test_throttled_forever_stops_with_exit_5(self):
        name = self.setup_copy()
        proxy = self.proxy("--ops", "BatchWriteItem", "--throttle", "1")
        p = self.copy(proxy, name)
        line = self.assertIncomplete(p, name)
        self.assertRegex(line, "ProvisionedThroughputExceededException|ThrottlingException")
        st = proxy.stats()
        self.assertEqual(st["faults"]["throttle"], st["requests"]["BatchWriteItem"], st)
        self.assertRetriedAtMost(proxy, "BatchWriteItem", 4)   # --max-retries 3
        self.assertEqual(harness.table_contents(self.tgt, name), [])

    def test_a_source_read_to_its_end_is_not_said_to_be_unread(self):
        # 40 items, one page a segment: every page is read before the writes give up.
        name = self.setup_copy(40)
        proxy = self.proxy("--ops", "BatchWriteItem", "--throttle", "1")
        p = self.copy(proxy, name)
        line = self.assertIncomplete(p, name)
        self.assertNotIn("not read yet", line)

    def test_a_prune_that_stops_says_what_may_remain(self):
        # It said "N items read were not deleted" of the target's items it
        # read, most of which were never to be deleted.
        name = self.setup_copy(0)
        put_items(self.tgt, name, [{"PK": {"S": "stale%d" % i}, "SK": {"S": "1"}} for i in range(30)])
        proxy = self.proxy("--ops", "BatchWriteItem", "--throttle", "1")
        p = self.copy(proxy, name)
        self.assertEqual(p.returncode, 5, p.stderr)
        line = self.error_line(p, "copy")
        self.assertIn("items the source lacks may still be in '%s'" % name, line)
        self.assertNotIn("items read were not deleted", line)

    # Once a bug: exit 1, not 5 (the exit code came from the call's HTTP_OK).
    def test_unprocessed_forever_stops_with_exit_5(self):
        name = self.setup_copy()
        proxy = self.proxy("--ops", "BatchWriteItem", "--unprocessed", "1", "--unprocessed-all")
        p = self.copy(proxy, name)
        self.assertIncomplete(p, name)
        self.assertRetriedAtMost(proxy, "BatchWriteItem", 4)
        self.assertEqual(harness.table_contents(self.tgt, name), [])

    # Once a bug: exit 1, not 5, as for the writer.
    def test_unprocessed_keys_forever_stops_with_exit_5(self):
        name = self.setup_copy(gsis=[("GSI1", ("GSI1PK", "S"), None, "KEYS_ONLY")])
        proxy = self.proxy("--ops", "BatchGetItem", "--unprocessed", "1", "--unprocessed-all")
        p = self.stopped(proxy, "copy", "-t", name, "--pk", "G", "-i", "GSI1", "--source", "src",
                         "--target", "tgt", "--yes", "--no-backup", "-c", "4")
        self.assertEqual(p.returncode, 5, "wanted exit 5 (EXIT_INCOMPLETE)\nstderr: %s" % p.stderr)
        line = self.error_line(p, "copy")
        self.assertIn("run it again", line)
        self.assertRetriedAtMost(proxy, "BatchGetItem", 4)
        self.assertEqual(harness.table_contents(self.tgt, name), [])

    def test_validation_error_stops_with_exit_1_and_dynamodbs_words(self):
        name = self.setup_copy(50)
        proxy = self.proxy("--ops", "BatchWriteItem", "--validation", "1")
        md = self.env.write("refused.md", "")
        p = self.copy(proxy, name, extra_env={"GITHUB_STEP_SUMMARY": md})
        self.assertEqual(p.returncode, 1, p.stderr)
        # Once a bug: the 50 items read were counted as handled.
        self.assertIn("**0** items handled", open(md).read())
        line = self.error_line(p, "copy")
        self.assertIn("ValidationException: One or more parameter values were invalid: injected by fault_proxy", line)
        # Refused is final: each batch is sent once.
        self.assertRetriedAtMost(proxy, "BatchWriteItem", 1)
        self.assertEqual(harness.table_contents(self.tgt, name), [])

    # Once a bug: after the job had failed, batches queued for capacity went
    # on being sent, one per bucketful, for as long as the rest of the table
    # took (about a minute here) before dynamo exited.
    def test_a_failed_job_stops_sending_what_was_queued(self):
        name = self.setup_copy(400)
        proxy = self.proxy("--ops", "BatchWriteItem", "--validation", "1", "--skip", "2")
        t0 = time.monotonic()
        p = self.copy(proxy, name, "--max-wcu", "40")
        elapsed = time.monotonic() - t0
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("ValidationException", self.error_line(p, "copy"))
        sent = proxy.stats()["requests"]["BatchWriteItem"]
        # The two let through, the one refused, and what was already in flight (-c 4).
        self.assertLessEqual(sent, 2 + 1 + 4, "batches went on after the failure")
        self.assertLess(elapsed, 15, p.stderr)



class FaultRecovery(FaultBase):
    """Resuming after a failure, and the faults that are about time: throttles and late requests."""

    def test_resume_after_retries_ran_out(self):
        """The error line's advice works: the same command with the same --checkpoint finishes the copy."""
        name = self.setup_copy(400)
        put_items(self.tgt, name, [{"PK": {"S": "STALE#%d" % i}, "SK": {"S": "x"}} for i in range(100)])
        ck = os.path.join(self.env.home, "copy-%s.checkpoint" % name)
        args = ("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup", "-c", "4",
                "--segments", "4", "--checkpoint", ck)
        # 12 of the copy's 16 batches go through; then 500s until retries run out.
        broken = self.proxy("--ops", "BatchWriteItem", "--error-before", "1", "--skip", "12")
        p = self.stopped(broken, *args)
        self.assertEqual(p.returncode, 5, p.stderr)
        line = self.error_line(p, "copy")
        self.assertRegex(line, "InternalServerError|ServiceUnavailableException")
        self.assertIn("run the same command again", line)
        self.assertIn(ck, line)
        self.assertTrue(os.path.exists(ck))
        # Some of the source's items are written, not all (the 100 stale ones are still there).
        written = len([i for i in harness.scan_all(self.tgt, name) if not i["PK"]["S"].startswith("STALE#")])
        self.assertTrue(0 < written < 400, written)
        # Resumed through the same endpoint (the checkpoint names it), under
        # every fault but delays (each costs the timeout).
        mix = {k: r for k, r in MIX.items() if k != "delay"}
        broken.configure(ops="BatchWriteItem,Scan,Query,BatchGetItem", skip=0, cover=0.5, reset=True, **mix)
        p = self.via(broken, *args, *TIMEOUT)
        self.assertSucceeded(p)
        self.assertIn("resuming from checkpoint", p.stderr)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 400)
        self.assertFalse(os.path.exists(ck))
        st = broken.stats()
        self.assertEqual([k for k in mix if not st["faults"].get(k)], [], st)

    # Once a bug: after the first throttle each page waited for capacity
    # reserved and never given back (failed attempts, the unlimited phase),
    # at a rate cut to about 1 unit/s: minutes per page.
    def test_a_few_read_throttles_do_not_stall_a_copy(self):
        name = self.setup_copy(400)
        proxy = self.proxy("--ops", "Query", "--throttle", "0.3", "--seed", "1")
        t0 = time.monotonic()
        p = self.via(proxy, "copy", "-t", name, "--pk", "USER#000{0..3}", "--source", "src", "--target", "tgt",
                     "--yes", "--no-backup", "-c", "8", timeout=60)
        self.assertSucceeded(p)
        self.assertLess(time.monotonic() - t0, 30, p.stderr)   # 4 s without the stall
        self.assertGreater(proxy.stats()["faults"].get("throttle", 0), 0)
        self.assertEqual(harness.table_contents(self.tgt, name),
                         canon(it for it in self.src_items(name) if it["PK"]["S"] < "USER#0004"))

    # Once a bug: with truncate before copy, a delete DynamoDB carried out
    # after dynamo had timed out on it and retried removed an item the copy
    # wrote, and dynamo said "copy done" with items missing. A copy now puts
    # first and prunes after, deleting only keys the source lacks.
    def test_a_late_delete_does_not_remove_what_the_copy_wrote(self):
        """A truncate's delete that reaches DynamoDB after dynamo gave up on it must not undo the copy."""
        # Small items: on a busy machine moto took longer than the 2 s timeout to scan 300 rich
        # ones, and the scans timed out until their retries ran out; what is late here are writes.
        name = unique_name("fault-late")
        create_table(self.src, name)
        create_table(self.tgt, name)
        put_items(self.src, name, [{"PK": {"S": "ITEM#%04d" % i}, "SK": {"S": "x"}, "n": {"N": str(i)}}
                                   for i in range(300)])
        items = self.src_items(name)
        put_items(self.tgt, name, [dict(it, str={"S": "an older version"}) for it in items])
        # Late requests are held until dynamo has finished, then land: as late as can be.
        proxy = self.proxy("--ops", "BatchWriteItem", "--late", "0.1", "--late-seconds", "-1", "--seed", "5")
        p = self.via(proxy, "copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                     "-c", "4", "--segments", "2", "--timeout", "2s")
        self.assertSucceeded(p)
        late = proxy.stats()["faults"].get("late", 0)
        self.assertGreater(late, 0)
        proxy.configure(late_seconds=0)
        deadline = time.monotonic() + 30
        while proxy.stats()["late_landed"] < late:
            self.assertLess(time.monotonic(), deadline, "late requests did not land: %s" % proxy.stats())
            time.sleep(0.05)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 300)
