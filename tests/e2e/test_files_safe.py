"""Files dynamo writes: never half-written in place, never through a planted link.

An export goes to a temporary beside the file and replaces it only when it
succeeded; a failed or interrupted export leaves the previous file byte for
byte. Checkpoints are written the same way. A symbolic link planted where
dynamo writes (the export, the checkpoint, the checkpoint's old fixed
temporary name FILE.tmp) is refused or left alone, and the file it points to
is untouched. Judged by the file system.
"""
import gzip
import json
import os
import signal
import stat
import subprocess
import time

import harness
from harness import create_table, put_items, unique_name


def items(n):
    return [{"PK": {"S": "ITEM#%05d" % i}, "SK": {"S": "v"}, "n": {"N": str(i)}} for i in range(n)]


class FilesSafe(harness.TestCase):
    backends = ("moto",)

    def setUp(self):
        self.dir = harness.tempfile.mkdtemp(prefix="dynamo-files-")
        self.addCleanup(harness.shutil.rmtree, self.dir, True)

    def table(self, n=300):
        name = unique_name("files")
        create_table(self.src, name)
        put_items(self.src, name, items(n))
        return name

    def proxy(self, *flags):
        p = harness.start_fault_proxy(self.backend.endpoint("src"), *flags)
        self.addCleanup(p.stop)
        return p

    def leftovers(self):
        return sorted(n for n in os.listdir(self.dir) if ".dynamo-" in n or n.endswith(".tmp"))

    def good_export(self, name, path):
        self.dynamo("export", "-t", name, "-e", "src", "-o", path, check=0)
        with open(path, "rb") as f:
            return f.read()

    def test_a_failed_export_leaves_the_previous_file(self):
        name = self.table()
        for fname in ("t.jsonl", "t.jsonl.gz"):
            with self.subTest(file=fname):
                path = os.path.join(self.dir, fname)
                before = self.good_export(name, path)
                self.assertGreater(len(before), 100)
                proxy = self.proxy("--ops", "Scan", "--validation", "1")
                p = self.dynamo("export", "-t", name, "-e", "src", "-o", path, "--endpoint-url", proxy.url)
                self.assertEqual(p.returncode, 1, p.stderr)
                with open(path, "rb") as f:
                    self.assertEqual(f.read(), before, "the previous export was changed")
                self.assertEqual(self.leftovers(), [])
                # Export takes no --checkpoint: its failure must not recommend one.
                self.assertNotIn("--checkpoint", p.stderr)

    def test_an_interrupted_export_leaves_the_previous_file(self):
        name = self.table(2000)
        path = os.path.join(self.dir, "snap.jsonl")
        before = self.good_export(name, path)
        # Four segments answer at once and are written; the other four are held.
        proxy = self.proxy("--ops", "Scan", "--skip", "4", "--delay", "1", "--delay-seconds", "6")
        p = subprocess.Popen([harness.BIN, "export", "-t", name, "-e", "src", "-o", path, "--segments", "8",
                              "--endpoint-url", proxy.url, "--timeout", "30s"],
                             env=self.env.environ(), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        deadline = time.time() + 15
        while time.time() < deadline and proxy.stats()["faults"].get("delay", 0) < 1:
            time.sleep(0.1)
        time.sleep(1.0)
        p.send_signal(signal.SIGTERM)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 130, err)
        with open(path, "rb") as f:
            self.assertEqual(f.read(), before, "an interrupted export changed the file")
        self.assertEqual(self.leftovers(), [])

    def test_an_export_is_readable_by_its_owner_only(self):
        name = self.table(20)
        path = os.path.join(self.dir, "private.jsonl.gz")
        old = os.umask(0o022)
        try:
            self.good_export(name, path)
        finally:
            os.umask(old)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        with gzip.open(path, "rt") as f:
            self.assertEqual(len([json.loads(l) for l in f]), 20)

    def test_an_export_through_a_planted_link_is_refused(self):
        name = self.table(20)
        victim = os.path.join(self.dir, "victim.txt")
        with open(victim, "w") as f:
            f.write("precious\n")
        for fname in ("out.jsonl", "out.jsonl.gz"):
            with self.subTest(file=fname):
                path = os.path.join(self.dir, fname)
                os.symlink(victim, path)
                p = self.dynamo("export", "-t", name, "-e", "src", "-o", path)
                self.assertEqual(p.returncode, 7, p.stderr)
                self.assertOneErrorLine(p, path, "symbolic link")
                self.assertEqual(open(victim).read(), "precious\n")
                self.assertTrue(os.path.islink(path))
                os.unlink(path)

    def test_an_export_to_a_device_is_written_directly(self):
        name = self.table(20)
        p = self.dynamo("export", "-t", name, "-e", "src", "-o", "/dev/null", check=0)
        self.assertIn("20 saved", p.stderr)
        self.assertTrue(stat.S_ISCHR(os.stat("/dev/null").st_mode))

    def test_checkpoints_do_not_follow_planted_links(self):
        name = self.table(200)
        create_table(self.tgt, name)
        victim = os.path.join(self.dir, "victim.txt")
        with open(victim, "w") as f:
            f.write("precious\n")
        ck = os.path.join(self.dir, "copy.ck")
        args = ["copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                "--checkpoint", ck]
        # The temporary name the checkpoint was once written through.
        os.symlink(victim, ck + ".tmp")
        self.dynamo(*args, check=0)
        self.assertEqual(open(victim).read(), "precious\n")
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 200)
        os.unlink(ck + ".tmp")
        # The checkpoint itself a link: refused before anything is written.
        os.symlink(victim, ck)
        p = self.dynamo(*args)
        self.assertEqual(p.returncode, 7, p.stderr)
        self.assertOneErrorLine(p, ck, "symbolic link")
        self.assertEqual(open(victim).read(), "precious\n")
        self.assertEqual(self.leftovers(), [])
