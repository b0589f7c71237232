"""restore --from-file: never leaves the table worse than the file.

The order is backup, put every item of the file, and only after the whole
file was read and written, delete the table's items whose keys the file
lacks. A file that is not an export, or that turns out cut short, stops the
restore before anything is deleted. Judged by what the table holds (boto3).
"""
import gzip
import json
import os
import random

import harness
from harness import create_table, put_items, unique_name


def item(i, version="v1"):
    return {"PK": {"S": "ITEM#%05d" % i}, "SK": {"S": "A"}, "n": {"N": str(i)}, "ver": {"S": version}}


def canon(items):
    return sorted(harness.canonical(i) for i in items)


def export_lines(items):
    return "".join(json.dumps({"Item": it}) + "\n" for it in items).encode()


class RestoreFromFile(harness.TestCase):

    def setUp(self):
        self.dir = harness.tempfile.mkdtemp(prefix="dynamo-restore-file-")
        self.addCleanup(harness.shutil.rmtree, self.dir, True)

    def backup_flags(self):
        # dynalite has no backups: there the restore must be told to go on without one.
        return ["--no-backup"] if self.backend.name == "dynalite" else []

    def write(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def table(self, items):
        name = unique_name("restore-file")
        create_table(self.src, name)
        put_items(self.src, name, items)
        return name

    def restore(self, name, path, *extra, **kw):
        return self.dynamo("restore", "-t", name, "-e", "src", "--from-file", path, "--yes",
                           *self.backup_flags(), *extra, **kw)

    def test_a_file_that_is_not_a_whole_export_leaves_the_table_as_it_was(self):
        items = [item(i) for i in range(1900)]
        whole = export_lines(items)
        gz = gzip.compress(whole)
        rng = random.Random(7)
        cut = whole[:whole.index(b"\n", len(whole) // 2) + 30]   # 950 whole lines, then half of one
        bad = {
            "a directory": self.dir,
            "random bytes": self.write("random.bin", bytes(rng.getrandbits(8) for _ in range(5000))),
            "half a gzip file": self.write("half.jsonl.gz", gz[:len(gz) // 2]),
            "a cut export": self.write("cut.jsonl", cut),
        }
        name = self.table(items)
        for what, path in bad.items():
            with self.subTest(file=what):
                p = self.restore(name, path)
                self.assertEqual(p.returncode, 7, "%s: %s" % (what, p.stderr))
                self.assertNotIn("deleted every", p.stderr)
                self.assertEqual(harness.table_contents(self.src, name), canon(items), what)

    def test_the_table_ends_holding_exactly_the_file(self):
        items = [item(i) for i in range(400)]
        path = self.write("snap.jsonl.gz", gzip.compress(export_lines(items)))
        name = self.table([item(i, "changed") for i in range(0, 400, 3)] +
                          [item(i) for i in range(1000, 1150)])   # changed, missing and extra items
        p = self.restore(name, path, "--json")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(harness.table_contents(self.src, name), canon(items))
        stages = {s["name"]: s for s in json.loads(p.stdout)["stages"]}
        self.assertEqual(stages["import"]["written"], 400)
        self.assertEqual(stages["prune"]["deleted"], 150)
        if self.backend.name == "moto":
            self.assertTrue(stages["backup"]["result"].startswith("arn:"), stages["backup"])
            backups = self.src.list_backups(TableName=name)["BackupSummaries"]
            self.assertEqual(len(backups), 1)

    def test_from_standard_input(self):
        items = [item(i) for i in range(120)]
        name = self.table([item(i) for i in range(60, 200)])
        p = self.restore(name, "-", input=export_lines(items))
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(harness.table_contents(self.src, name), canon(items))

    def test_numbers_that_are_equal_are_the_same_key(self):
        """The file spells a numeric key 1e3, the table 1000: one key, nothing deleted."""
        name = unique_name("restore-num")
        create_table(self.src, name, hash_key=("id", "N"), range_key=None)
        put_items(self.src, name, [{"id": {"N": "1000"}, "v": {"S": "old"}}, {"id": {"N": "7"}}])
        path = self.write("num.jsonl", b'{"Item":{"id":{"N":"1e3"},"v":{"S":"new"}}}\n')
        p = self.restore(name, path)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(harness.table_contents(self.src, name), canon([{"id": {"N": "1000"}, "v": {"S": "new"}}]))

    def test_a_prune_stopped_part_way_resumes_from_the_checkpoint(self):
        items = [item(i) for i in range(100)]
        path = self.write("resume.jsonl", export_lines(items))
        name = self.table([item(i) for i in range(50, 300)])
        ck = os.path.join(self.dir, "restore.ck")
        # The import's 4 batches go through; the prune's first delete is refused.
        proxy = harness.start_fault_proxy(self.backend.endpoint("src"), "--ops", "BatchWriteItem",
                                          "--validation", "1", "--skip", "4")
        self.addCleanup(proxy.stop)
        p = self.restore(name, path, "--checkpoint", ck, "--endpoint-url", proxy.url, "-c", "1")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertTrue(os.path.exists(ck))
        state = {s["name"]: s for s in json.load(open(ck))["stages"]}
        self.assertTrue(state["import"]["done"], state)
        self.assertFalse(state["prune"]["done"], state)
        self.assertGreater(len(harness.table_contents(self.src, name)), 100)   # nothing deleted yet
        proxy.configure(validation=0)
        p = self.restore(name, path, "--checkpoint", ck, "--endpoint-url", proxy.url)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("reading the keys", p.stderr)
        self.assertEqual(harness.table_contents(self.src, name), canon(items))
        self.assertFalse(os.path.exists(ck))

    def test_a_file_without_items_says_it_empties_the_table(self):
        name = self.table([item(i) for i in range(5)])
        path = self.write("empty.jsonl", b"")
        p = self.dynamo("restore", "-t", name, "-e", "src", "--from-file", path, "--dry-run",
                        *self.backup_flags(), check=0)
        self.assertIn("holds no items", p.stdout)
        self.assertEqual(len(harness.table_contents(self.src, name)), 5)
