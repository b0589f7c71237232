"""--slice I/K and --prepare-only: one job over several runs, and summary merge.

Three slices, run one after another and at the same time, must leave exactly
what one run leaves (boto3 judges the tables and the files); each slice
scans, writes and prunes only its share of the segments; the one-time steps
(create, backup, confirmation) belong to --prepare-only; summary merge adds
the slices' --json results up and says when one is missing or failed.
"""
import gzip
import json
import os
import subprocess

import data
import harness
from harness import create_table, put_items, unique_name

SEGMENTS = "6"


class SliceBase(harness.TestCase):

    @property
    def backup_flags(self):
        return [] if self.backend.name == "moto" else ["--no-backup"]

    def source_items(self, name, n=240):
        create_table(self.src, name)
        items = data.rich_items(n) + [data.big_item(i) for i in range(3)]
        put_items(self.src, name, items)
        return items

    def out(self, name):
        return os.path.join(self.env.home, name)

    def slice_argv(self, args, i, k=3, json_file=None):
        return list(args) + ["--slice", "%d/%d" % (i, k), "--segments", SEGMENTS, "--yes", "--json"]

    def run_slices(self, *args, k=3, concurrent=False):
        """Runs slices 1..k of the command; returns the files their --json went to."""
        files = []
        procs = []
        for i in range(1, k + 1):
            f = self.out("slice-%s-%d.json" % (unique_name("r"), i))
            files.append(f)
            argv = harness.WRAP + [harness.BIN] + self.slice_argv(args, i, k)
            out = open(f, "w")
            procs.append((subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, env=self.env.environ(),
                                           text=True), out))
            if not concurrent:
                self.wait(procs[-1])
        if concurrent:
            for pr in procs:
                self.wait(pr)
        return files

    def wait(self, pr):
        p, out = pr
        _, err = p.communicate(timeout=180)
        out.close()
        self.assertEqual(p.returncode, 0, err)
        self.assertIn("(slice ", err)

    def merge(self, *files, check=0):
        return self.dynamo("summary", "merge", *files, "--json", check=check)


class SliceCopy(SliceBase):
    backends = ("moto", "dynalite")

    def test_three_slices_in_turn_after_prepare_make_the_one_run_result(self):
        self.require_distinct_target()
        name = unique_name("slice-copy")
        items = self.source_items(name)
        base = ["copy", "-t", name, "--source", "src", "--target", "tgt", "--create-target"] + self.backup_flags

        # A slice cannot create the target: that is the prepare step's.
        p = self.dynamo(*self.slice_argv(base, 1))
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertOneErrorLine(p, "--prepare-only")
        self.assertNotIn(name, harness.list_tables(self.tgt))

        p = self.dynamo(*base, "--segments", SEGMENTS, "--prepare-only", "--yes", "--json", check=0)
        self.assertIn(name, harness.list_tables(self.tgt))
        self.assertEqual(harness.table_contents(self.tgt, name), [])
        prepare = self.out("prepare-%s.json" % name)
        with open(prepare, "w") as f:
            f.write(p.stdout)

        files = self.run_slices(*base)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), len(items))
        written = [json.loads(open(f).read().splitlines()[-1])["written"] for f in files]
        self.assertEqual(sum(written), len(items))
        self.assertTrue(all(w > 0 for w in written), written)   # each did a share

        p = self.merge(prepare, *files)
        m = json.loads(p.stdout.splitlines()[-1])
        self.assertEqual((m["ok"], m["slices"], m["runs"], m["read"], m["written"]),
                         (True, 3, 4, len(items), len(items)))
        self.assertEqual(m["missing"], [])
        self.assertIn("done (3 slices, 4 results merged)", p.stderr)

        # A slice missing is not a finished job.
        p = self.merge(files[0], files[2], check=5)
        m = json.loads(p.stdout.splitlines()[-1])
        self.assertEqual((m["ok"], m["missing"]), (False, [2]))

    def test_three_slices_at_once_prune_only_their_segments(self):
        self.require_distinct_target()
        name = unique_name("slice-conc")
        items = self.source_items(name)
        create_table(self.tgt, name)
        stale = [{"PK": {"S": "STALE#%d" % i}, "SK": {"S": "x"}} for i in range(90)]
        put_items(self.tgt, name, stale + items[:50])
        base = ["copy", "-t", name, "--source", "src", "--target", "tgt", "--no-backup"]

        # Slice 1 alone prunes some stale items, not all: the others are in the other slices' segments.
        p = self.dynamo(*self.slice_argv(base, 1), check=0)
        left = [i for i in harness.table_contents(self.tgt, name) if "STALE#" in json.dumps(i)]
        self.assertGreater(len(left), 0)
        self.assertLess(len(left), len(stale))
        self.assertEqual(json.loads(p.stdout.splitlines()[-1])["deleted"], len(stale) - len(left))

        files = self.run_slices(*base, concurrent=True)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), len(items))
        m = json.loads(self.merge(*files).stdout.splitlines()[-1])
        self.assertEqual(m["deleted"], len(left))


class SliceTruncateExport(SliceBase):
    backends = ("moto", "dynalite")

    def test_export_slices_together_hold_the_table_and_truncate_slices_empty_it(self):
        name = unique_name("slice-exp")
        items = self.source_items(name)
        parts = [self.out("%s-%d.json.gz" % (name, i)) for i in range(1, 4)]
        for i, f in enumerate(parts, 1):
            self.dynamo(*self.slice_argv(["export", "-t", name, "-e", "src", "-o", f], i), check=0)
        got = []
        for f in parts:
            with gzip.open(f, "rt") as g:
                lines = [l for l in g.read().split("\n") if l.strip()]  # not splitlines: items hold U+2028
            self.assertGreater(len(lines), 0)
            got += [harness.canonical(json.loads(l)["Item"]) for l in lines]
        self.assertEqual(sorted(got), harness.table_contents(self.src, name))
        self.assertEqual(len(got), len(items))

        files = self.run_slices("truncate", "-t", name, "-e", "src", concurrent=True)
        self.assertEqual(harness.table_contents(self.src, name), [])
        m = json.loads(self.merge(*files).stdout.splitlines()[-1])
        self.assertEqual((m["ok"], m["deleted"]), (True, len(items)))


class SliceDiffSync(SliceBase):
    """diff and sync in slices: each side's scan shared out alike; the slices' lines and counts add up to one run's."""
    backends = ("moto", "dynalite")

    def diff_slices(self, name, copy):
        """Runs diff's 3 slices; returns their difference lines and result files."""
        lines, files = [], []
        for i in range(1, 4):
            p = self.dynamo("diff", "-t", name, "--target-table", copy, "-e", "src", "--slice", "%d/3" % i,
                            "--segments", SEGMENTS, "--json")
            self.assertIn(p.returncode, (0, 1), p.stderr)
            out = p.stdout.splitlines()
            lines += out[:-1]
            files.append(self.out("%s-diff-%d.json" % (copy, i)))
            with open(files[-1], "w") as f:
                f.write(out[-1] + "\n")
        return sorted(lines), files

    def test_slices_of_diff_and_sync_make_the_one_run_result(self):
        name, copy = unique_name("slice-diff"), unique_name("slice-diff-t")
        items = self.source_items(name, n=120)
        create_table(self.src, copy)
        put_items(self.src, copy, items[5:] + [{"PK": {"S": "EXTRA#%d" % i}, "SK": {"S": "x"}} for i in range(2)])
        for it in items[10:13]:
            self.src.put_item(TableName=copy, Item=dict(it, changed={"S": "yes"}))

        one = self.dynamo("diff", "-t", name, "--target-table", copy, "-e", "src", "--segments", SEGMENTS, check=1)
        lines, files = self.diff_slices(name, copy)
        self.assertEqual(lines, sorted(one.stdout.splitlines()))
        self.assertEqual(sorted(l[0] for l in lines), ["+"] * 5 + ["-"] * 2 + ["~"] * 3)
        p = self.merge(*files, check=1)
        m = json.loads(p.stdout.splitlines()[-1])
        self.assertEqual((m["only_in_source"], m["only_in_target"], m["different"], m["equal_tables"]),
                         (5, 2, 3, False))
        self.assertIn("5 only in source, 2 only in target, 3 different", p.stderr)

        files = self.run_slices("sync", "-t", name, "--target-table", copy, "-e", "src", "--delete",
                                concurrent=True)
        self.assertTablesEqual(self.src, name, self.src, copy)
        m = json.loads(self.merge(*files).stdout.splitlines()[-1])
        self.assertEqual((m["ok"], m["written"], m["deleted"]), (True, 8, 2))
        lines, files = self.diff_slices(name, copy)
        self.assertEqual(lines, [])
        m = json.loads(self.merge(*files).stdout.splitlines()[-1])
        self.assertTrue(m["equal_tables"])
        p = self.dynamo("diff", "-t", name, "--target-table", copy, "-e", "src", "--slice", "1/3",
                        "--segments", SEGMENTS, "--sample", "0.5")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertOneErrorLine(p, "--sample", "--slice")


class SliceBadInput(SliceBase):
    backends = ("moto",)

    def test_what_cannot_be_sliced_is_one_line(self):
        name = unique_name("slice-bad")
        self.source_items(name, n=10)
        t = ["truncate", "-t", name, "-e", "src"]
        cases = [
            (t + ["--slice", "4/3", "--segments", "6", "--yes"], 2, ["--slice", "I must be 1 to K"]),
            (t + ["--slice", "0/3", "--segments", "6", "--yes"], 2, ["numbered from 1"]),
            (t + ["--slice", "a/3", "--segments", "6", "--yes"], 2, ["takes I/K"]),
            (t + ["--slice", "1/3", "--yes"], 2, ["needs --segments N"]),
            (t + ["--slice", "1/8", "--segments", "4", "--yes"], 2, ["at most 4 slices"]),
            (t + ["--slice", "1/3", "--segments", "6"], 6, ["pass --yes"]),
            (t + ["--slice", "1/3", "--segments", "6", "--prepare-only", "--yes"], 2, ["without --slice"]),
            (["copy", "-t", name, "--source", "src", "--target", "src", "--target-table", name + "-x",
              "--pk", "x", "--slice", "1/2", "--segments", "2", "--yes", "--create-target"], 2, []),
            (["export", "-t", name, "-e", "src", "--to", "s3://b/x", "--slice", "1/2"], 2, ["drop --slice"]),
        ]
        for args, code, needles in cases:
            with self.subTest(args=args):
                p = self.dynamo(*args)
                self.assertEqual(p.returncode, code, p.stderr)
                if needles:
                    self.assertOneErrorLine(p, *needles)
        self.assertEqual(len(harness.table_contents(self.src, name)), 13)
        p = self.dynamo(*t, "--slice", "2/3", "--segments", "6", "--dry-run", check=0)
        self.assertIn("plan for dynamo truncate (slice 2/3)", p.stdout)
        self.assertIn("slice 2/3: segments 2 to 3 of 6", p.stdout)
        self.assertEqual(len(harness.table_contents(self.src, name)), 13)

        good = self.out("good.json")
        with open(good, "w") as f:
            f.write('{"command":"truncate","ok":true,"slice":"1/1","read":1,"written":0,"deleted":1}\n')
        other = self.out("other.json")
        with open(other, "w") as f:
            f.write('{"command":"copy","ok":true,"slice":"1/2","read":1}\n')
        junk = self.out("junk.json")
        with open(junk, "w") as f:
            f.write("not json\n")
        for args, code, needle in [
            ([], 2, "what to do?"), (["merge"], 2, "merge what?"), (["merge", junk], 2, "no dynamo --json result"),
            (["merge", good, good], 2, "given twice"), (["merge", good, other], 2, "merge the slices of one job"),
            (["merge", self.out("nope.json")], 7, "cannot read"),
        ]:
            with self.subTest(args=args):
                p = self.dynamo("summary", *args)
                self.assertEqual(p.returncode, code, p.stderr)
                self.assertOneErrorLine(p, needle)
