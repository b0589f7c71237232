"""--checkpoint: a killed copy resumes and ends exact; other jobs' checkpoints are refused."""
import json
import os
import signal
import subprocess
import time

import data
import harness
from harness import create_table, put_items, unique_name


class Checkpoint(harness.TestCase):

    def setUp(self):
        self.tmp = harness.tempfile.mkdtemp(prefix="dynamo-ck-")
        self.addCleanup(harness.shutil.rmtree, self.tmp, True)

    def start(self, *args):
        return subprocess.Popen([harness.BIN] + [str(a) for a in args], env=self.env.environ(),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)

    def kill_after(self, seconds, *args):
        p = self.start(*args)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        time.sleep(seconds)
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        return p.returncode, err.decode()

    def copy_args(self, name, ck, segments=8, concurrency=2):
        return ["copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                "--checkpoint", ck, "--segments", segments, "--concurrency", concurrency, "--json"]

    def seed(self, name, n_src=3000, n_tgt=600):
        # One partition key per item, so that every segment holds items.
        create_table(self.src, name)
        create_table(self.tgt, name)
        put_items(self.src, name, [data.rich_item(i, pk_value="P#%06d" % i) for i in range(n_src)])
        put_items(self.tgt, name, [{"PK": {"S": "OLD#%d" % i}, "SK": {"S": "x"}} for i in range(n_tgt)])

    def test_kill_9_at_several_points_then_resume_exactly(self):
        for delay in (0.3, 1.2, 2.5):
            name = unique_name("ck")
            ck = os.path.join(self.tmp, "%s.ck" % name)
            self.seed(name, n_src=2000)
            args = self.copy_args(name, ck)
            rc, err = self.kill_after(delay, *args)
            if rc == 0:
                # Finished before the kill: nothing to resume, but exact.
                self.assertFalse(os.path.exists(ck))
            else:
                self.assertEqual(rc, -signal.SIGKILL, err)
                self.assertTrue(os.path.exists(ck), "no checkpoint after kill at %.1fs" % delay)
                json.load(open(ck))  # never half-written: it parses
                p = self.dynamo(*args, check=0)
                summary = json.loads(p.stdout.splitlines()[-1])
                self.assertTrue(summary["ok"])
                self.assertFalse(os.path.exists(ck), "the checkpoint is removed after success")
            self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 2000, "kill at %.1fs" % delay)

    def test_resuming_into_a_created_target_does_not_empty_it(self):
        # The first run creates the target and fills part of it; the rerun sees
        # a non-empty table but must follow the first run's plan (no backup, no
        # truncate), or the items written before the kill would be lost.
        for delay in (0.8, 2.0):
            name = unique_name("ck-create")
            ck = os.path.join(self.tmp, "%s.ck" % name)
            create_table(self.src, name)
            put_items(self.src, name, data.rich_items(2000))
            args = ["copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--create-target",
                    "--checkpoint", ck, "--segments", "8", "--concurrency", "2", "--json"]
            rc, err = self.kill_after(delay, *args)
            if rc == 0:
                continue
            self.assertTrue(os.path.exists(ck), err)
            p = self.dynamo(*args, check=0)
            stages = {s["name"]: s for s in json.loads(p.stdout.splitlines()[-1])["stages"]}
            self.assertNotIn("truncate", [n for n, s in stages.items() if not s["skipped"]], p.stderr)
            self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 2000, "kill at %.1fs" % delay)

    def test_resume_skips_finished_stages_and_segments(self):
        name = unique_name("ck-skip")
        ck = os.path.join(self.tmp, "skip.ck")
        self.seed(name, n_src=4000)
        # One request at a time: segments finish one after another.
        args = self.copy_args(name, ck, segments=16, concurrency=1)
        rc, err = -1, ""
        for delay in (1.0, 1.5, 2.5, 4.0, 6.0):
            rc, err = self.kill_after(delay, *args)
            if rc != 0 and os.path.exists(ck):
                state = json.load(open(ck))
                stages = {s["name"]: s for s in state["stages"]}
                copy = stages.get("copy")
                if copy and not copy["done"] and \
                        0 < sum(u["done"] for u in copy["units"]) < len(copy["units"]):
                    break
            # Too early or too late for this check: start over.
            if os.path.exists(ck):
                os.unlink(ck)
        else:
            self.skipTest("could not stop the copy with some segments done (machine too fast or slow)")
        done_segments = sum(u["done"] for u in copy["units"])
        p = self.dynamo(*args, check=0)
        summary = json.loads(p.stdout.splitlines()[-1])
        by_name = {s["name"]: s for s in summary["stages"]}
        self.assertFalse(by_name["copy"]["skipped"])
        # The prune runs after the copy and removes the target's 600 stale items.
        self.assertEqual(by_name["prune"]["deleted"], 600)
        # Finished segments are not scanned again: fewer items are read.
        self.assertLess(by_name["copy"]["read"], 4000, "%d segments were done" % done_segments)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 4000)

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
        rc, _ = self.kill_after(0.05, *self.copy_args(name, ck, segments=4))
        if os.path.exists(ck):
            p = self.dynamo(*self.copy_args(name, ck, segments=5))
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
