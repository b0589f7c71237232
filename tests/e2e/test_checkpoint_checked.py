"""A checkpoint is checked against the job it claims to resume, and its size cannot hurt.

A checkpoint whose copy stage has no units, that lacks the copy stage, names
a stage no job has, or records more segments than exist is refused (exit 2)
before anything is written: resuming from it would report a copy that never
happened. A huge one is refused without being loaded, and --segments at its
documented maximum runs in bounded memory. Judged by what the tables hold
and by the child's peak memory (getrusage).
"""
import json
import os
import resource
import subprocess
import sys

import harness
from harness import create_table, put_items, unique_name

MEMORY_BUDGET_KB = 64 * 1024


def items(n):
    return [{"PK": {"S": "ITEM#%05d" % i}, "SK": {"S": "v"}} for i in range(n)]


class CheckpointChecked(harness.TestCase):
    backends = ("moto",)

    def setUp(self):
        self.dir = harness.tempfile.mkdtemp(prefix="dynamo-ck-checked-")
        self.addCleanup(harness.shutil.rmtree, self.dir, True)

    def copy_args(self, name, ck, *extra):
        return ["copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                "--checkpoint", ck, "--segments", "4", *extra]

    def recorded_job(self, name):
        """The checkpoint a real run writes (stopped by a refused write), to tamper with."""
        ck = os.path.join(self.dir, "real.ck")
        proxy = harness.start_fault_proxy(self.backend.endpoint("src"), "--ops", "BatchWriteItem",
                                          "--validation", "1")
        self.addCleanup(proxy.stop)
        p = self.dynamo(*self.copy_args(name, ck, "--target-endpoint-url", proxy.url))
        self.assertEqual(p.returncode, 1, p.stderr)
        with open(ck) as f:
            state = json.load(f)
        os.unlink(ck)
        return state, proxy.url

    def write_ck(self, state):
        ck = os.path.join(self.dir, "tampered.ck")
        with open(ck, "w") as f:
            json.dump(state, f)
        return ck

    def test_a_tampered_checkpoint_is_refused_and_nothing_is_written(self):
        name = unique_name("ck-checked")
        create_table(self.src, name)
        create_table(self.tgt, name)
        put_items(self.src, name, items(120))
        state, proxy_url = self.recorded_job(name)
        copy = next(s for s in state["stages"] if s["name"] == "copy")
        cases = {
            "no units": dict(state, stages=[dict(s, units=[]) if s["name"] == "copy" else s
                                            for s in state["stages"]]),
            "no copy stage": dict(state, stages=[s for s in state["stages"] if s["name"] != "copy"]),
            "a stage no job has": dict(state, stages=state["stages"] + [{"name": "bogus", "done": True,
                                                                          "units": []}]),
            "other segments": dict(state, stages=[dict(s, units=s["units"] + [{"done": False}])
                                                  if s["name"] == "copy" else s for s in state["stages"]]),
            "an empty start key": dict(state, stages=[dict(s, units=[{"done": False, "key": {}},
                                                                     {"done": False, "n": 3}])
                                                      if s["name"] == "copy" else s for s in state["stages"]]),
        }
        # Version 2 writes a run of units in one state as {"done": B, "n": N}.
        self.assertEqual(sum(u.get("n", 1) for u in copy["units"]), 4)
        for what, tampered in cases.items():
            with self.subTest(case=what):
                ck = self.write_ck(tampered)
                p = self.dynamo(*self.copy_args(name, ck, "--target-endpoint-url", proxy_url))
                self.assertEqual(p.returncode, 2, "%s: %s" % (what, p.stderr))
                self.assertOneErrorLine(p, ck)
                self.assertEqual(harness.table_contents(self.tgt, name), [], what)
                self.assertTrue(os.path.exists(ck), "a refused checkpoint is kept")

    def peak_kb(self, *args):
        """Runs dynamo in a child of a fresh Python, so that getrusage sees that child alone."""
        if "san/" in harness.BIN or harness.WRAP:
            self.skipTest("peak memory means something only for a plain build (not under a sanitizer or valgrind)")
        code = ("import resource, subprocess, sys\n"
                "p = subprocess.run(sys.argv[1:], capture_output=True, text=True, timeout=120)\n"
                "sys.stdout.write('%d %d\\n' % (p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))\n"
                "sys.stdout.write(p.stderr)\n")
        out = subprocess.run([sys.executable, "-c", code, harness.BIN] + [str(a) for a in args],
                             capture_output=True, text=True, env=self.env.environ(), timeout=180).stdout
        head, _, err = out.partition("\n")
        rc, kb = map(int, head.split())
        return rc, kb, err

    def test_a_checkpoint_of_millions_of_units_stays_in_the_budget(self):
        name = unique_name("ck-huge")
        create_table(self.src, name)
        create_table(self.tgt, name)
        put_items(self.src, name, items(30))
        state, _ = self.recorded_job(name)
        # The same job with 1,000,000 finished segments (a file of 14 MB), then with 5,000,000.
        for n, want in ((1000000, (0, 2)), (5000000, (2, 7))):
            with self.subTest(units=n):
                ck = os.path.join(self.dir, "huge-%d.ck" % n)
                job = dict(state["job"], segments=0)
                with open(ck, "w") as f:
                    f.write('{"dynamo_checkpoint":1,"job":%s,"stages":[{"name":"copy","done":false,"units":['
                            % json.dumps(job))
                    f.write(",".join(['{"done":true}'] * n))
                    f.write("]}]}\n")
                rc, kb, err = self.peak_kb("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes",
                                           "--no-backup", "--checkpoint", ck)
                self.assertIn(rc, want, err)
                self.assertLess(kb, MEMORY_BUDGET_KB, "%d units: peak %d KB\n%s" % (n, kb, err))

    def test_the_most_segments_stay_in_the_budget(self):
        name = unique_name("ck-segments")
        create_table(self.src, name)
        put_items(self.src, name, items(10))
        out = os.path.join(self.dir, "x.jsonl")
        # A million Scan requests would take long: the first one fails (a 500, no retry) and stops the job.
        proxy = harness.start_fault_proxy(self.backend.endpoint("src"), "--ops", "Scan", "--error-before", "1")
        self.addCleanup(proxy.stop)
        rc, kb, err = self.peak_kb("export", "-t", name, "-e", "src", "-o", out, "--segments", "1000000",
                                   "--max-retries", "0", "--endpoint-url", proxy.url)
        self.assertEqual(rc, 5, err)
        self.assertLess(kb, MEMORY_BUDGET_KB, "peak %d KB\n%s" % (kb, err))
