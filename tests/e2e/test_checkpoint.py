"""--checkpoint: a killed copy resumes and ends exact; other jobs' checkpoints are refused.

Kill points are request counts, not delays: the target side goes through the
fault proxy, which holds the copy's BatchWriteItem calls after the first N
(tests/fakes/fault_proxy.py --hold-after); once one stands held, dynamo is
killed with SIGKILL at exactly that point. The hold is then lifted (what was
held reaches the table late, as a write in flight at a crash may) and the
same command resumes through the same proxy.
"""
import json
import os
import signal
import subprocess
import time

import data
import harness
from harness import create_table, put_items, unique_name


def items(n):
    """n items, one partition key each; every tenth has every attribute type (the rest are small,
    as moto is slow to scan rich items and these tests are about where a run stops)."""
    return [data.rich_item(i, pk_value="P#%06d" % i) if i % 10 == 0 else
            {"PK": {"S": "P#%06d" % i}, "SK": {"S": "S"}, "n": {"N": str(i)}, "s": {"S": "v%d" % i}}
            for i in range(n)]


class Checkpoint(harness.TestCase):

    def setUp(self):
        self.tmp = harness.tempfile.mkdtemp(prefix="dynamo-ck-")
        self.addCleanup(harness.shutil.rmtree, self.tmp, True)

    def start(self, *args):
        p = subprocess.Popen(harness.WRAP + [harness.BIN] + [str(a) for a in args], env=self.env.environ(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        return p

    def target_proxy(self):
        """A fault proxy in front of the target side, holding nothing yet; stopped when the test ends."""
        proxy = harness.start_fault_proxy(self.backend.endpoint("tgt"))
        self.addCleanup(proxy.stop)
        return proxy

    def kill_when_held(self, proxy, ck, args, after, match="", saved=lambda state: True):
        """Runs dynamo with the proxy holding the target's writes after the first `after` (those whose
        body contains `match`), waits until one stands held and the checkpoint on disk satisfies
        `saved`, kills dynamo with SIGKILL and lifts the hold. Returns the checkpoint it left."""
        proxy.configure(hold_after=after, hold_match=match, reset=True)
        p = self.start(*args)
        proxy.wait_held(proc=p)
        state, deadline = None, time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with open(ck) as f:
                    state = json.load(f)
                if saved(state):
                    break
            except (OSError, ValueError):
                pass
            time.sleep(0.05)
        else:
            self.fail("the checkpoint never reached the wanted state (last: %s)" % state)
        os.killpg(p.pid, signal.SIGKILL)
        _, err = p.communicate()
        self.assertEqual(p.returncode, -signal.SIGKILL, err)
        proxy.configure(hold_after=-1)
        with open(ck) as f:
            return json.load(f)  # never half-written: it parses

    def copy_args(self, name, ck, segments=4, concurrency=2, proxy=None):
        args = ["copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                "--checkpoint", ck, "--segments", segments, "--concurrency", concurrency, "--json"]
        return args + (["--target-endpoint-url", proxy.url] if proxy else [])

    def seed(self, name, n_src=200, n_tgt=60):
        # One partition key per item, so that every segment holds items.
        create_table(self.src, name)
        create_table(self.tgt, name)
        put_items(self.src, name, items(n_src))
        put_items(self.tgt, name, [{"PK": {"S": "OLD#%d" % i}, "SK": {"S": "x"}} for i in range(n_tgt)])

    def resume(self, args):
        p = self.dynamo(*args, check=0)
        summary = json.loads(p.stdout.splitlines()[-1])
        self.assertTrue(summary["ok"], p.stderr)
        self.assertIn("resuming from checkpoint", p.stderr)
        return {s["name"]: s for s in summary["stages"]}

    def test_kill_9_at_several_points_then_resume_exactly(self):
        # Before the first write, after 4 of the copy's 8+ batches, and in the prune (its first
        # delete held): each resumes to exactly the source's 200 items, the 60 stale ones pruned.
        for after, match, where in ((0, "", "before any write"), (4, "", "halfway through the copy"),
                                    (0, "DeleteRequest", "in the prune")):
            with self.subTest(where):
                name = unique_name("ck")
                ck = os.path.join(self.tmp, "%s.ck" % name)
                self.seed(name)
                proxy = self.target_proxy()
                args = self.copy_args(name, ck, proxy=proxy)
                # In the prune, the checkpoint says the copy is done before dynamo dies.
                copy_done = lambda state: not match or state["stages"][0]["done"]
                self.kill_when_held(proxy, ck, args, after, match, saved=copy_done)
                stages = self.resume(args)
                self.assertFalse(os.path.exists(ck), "the checkpoint is removed after success")
                self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 200, where)
                if match:
                    # The copy had finished: only the prune runs again.
                    self.assertTrue(stages["copy"]["skipped"], stages)
                    self.assertEqual(stages["copy"]["read"], 0, stages)

    def test_resuming_into_a_created_target_does_not_empty_it(self):
        # The first run creates the target and fills part of it; the rerun sees
        # a non-empty table but must follow the first run's plan (no backup, no
        # truncate), or the items written before the kill would be lost.
        self.require_distinct_target()
        for after in (2, 5):
            with self.subTest(after=after):
                name = unique_name("ck-create")
                ck = os.path.join(self.tmp, "%s.ck" % name)
                create_table(self.src, name)
                put_items(self.src, name, items(200))
                proxy = self.target_proxy()
                args = ["copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--create-target",
                        "--checkpoint", ck, "--segments", "4", "--concurrency", "2", "--json",
                        "--target-endpoint-url", proxy.url]
                self.kill_when_held(proxy, ck, args, after)
                self.assertEqual(len(harness.scan_all(self.tgt, name)) > 0, after > 0)
                stages = self.resume(args)
                self.assertNotIn("truncate", [n for n, s in stages.items() if not s["skipped"]])
                self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 200)

    def test_resume_skips_finished_stages_and_segments(self):
        name = unique_name("ck-skip")
        ck = os.path.join(self.tmp, "skip.ck")
        self.seed(name, n_src=400)
        proxy = self.target_proxy()
        # One request at a time. Each batch takes its items in turn from every
        # segment's page (to spread writes over partitions), so segments finish
        # near the end, the smaller ones first: killed after 14 of the 16 full
        # batches, once the checkpoint has some of the 16 segments done and some not.
        args = self.copy_args(name, ck, segments=16, concurrency=1, proxy=proxy)

        def some_done(state):
            copy = {s["name"]: s for s in state["stages"]}.get("copy")
            return copy and 0 < sum(u["done"] for u in copy["units"]) < len(copy["units"])
        state = self.kill_when_held(proxy, ck, args, 14, saved=some_done)
        copy = {s["name"]: s for s in state["stages"]}["copy"]
        done_segments = sum(u["done"] for u in copy["units"])
        by_name = self.resume(args)
        self.assertFalse(by_name["copy"]["skipped"])
        # The prune runs after the copy and removes the target's 60 stale items.
        self.assertEqual(by_name["prune"]["deleted"], 60)
        # Finished segments are not scanned again: fewer items are read.
        self.assertLess(by_name["copy"]["read"], 400, "%d segments were done" % done_segments)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 400)

    def test_checkpoint_of_another_job_is_refused(self):
        name = unique_name("ck-other")
        other = unique_name("ck-else")
        self.seed(name, n_src=20, n_tgt=0)
        create_table(self.src, other)
        create_table(self.tgt, other)
        ck = os.path.join(self.tmp, "other.ck")
        with open(ck, "w") as f:
            f.write(json.dumps({"dynamo_checkpoint": 1, "job": {"command": "copy", "stages": [
                {"name": "copy", "source_table": other, "target_table": other, "segments": 8}]},
                "stages": []}))
        p = self.dynamo(*self.copy_args(name, ck))
        self.assertEqual(p.returncode, 2)
        self.assertOneErrorLine(p, "checkpoint", ck, "another job")
        # Another segment count is another job too.
        os.unlink(ck)
        proxy = self.target_proxy()
        self.kill_when_held(proxy, ck, self.copy_args(name, ck, segments=4, proxy=proxy), 0)
        p = self.dynamo(*self.copy_args(name, ck, segments=5, proxy=proxy))
        self.assertEqual(p.returncode, 2)
        self.assertOneErrorLine(p, "another job", "segments")

    def test_damaged_or_foreign_file_is_refused(self):
        name = unique_name("ck-bad")
        self.seed(name, n_src=5, n_tgt=0)
        for text in ("", "{not json", json.dumps({"hello": 1}), json.dumps(
                {"dynamo_checkpoint": 99, "job": {}, "stages": []})):
            ck = os.path.join(self.tmp, "bad.ck")
            with open(ck, "w") as f:
                f.write(text)
            p = self.dynamo(*self.copy_args(name, ck))
            self.assertEqual(p.returncode, 2, text)
            self.assertOneErrorLine(p, ck)
