"""dynamo truncate: every item goes, judged by boto3; nothing goes unless confirmed."""
import fcntl
import json
import os
import pty
import select
import subprocess
import termios
import time

import data
import harness
from harness import create_table, put_items, unique_name


def run_on_tty(env, args, answer, timeout=120):
    """Runs dynamo with a terminal as stdin and controlling tty; answers its prompt.

    Returns (CompletedProcess-like object with returncode/stdout/stderr, the
    text dynamo wrote to the terminal).
    """
    master, slave = pty.openpty()

    def make_tty_controlling():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    p = subprocess.Popen(harness.WRAP + [harness.BIN] + [str(a) for a in args], stdin=slave,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env.environ(),
                         preexec_fn=make_tty_controlling)
    os.close(slave)
    seen, answered, deadline = b"", False, time.time() + timeout
    while time.time() < deadline and p.poll() is None:
        r, _, _ = select.select([master], [], [], 0.2)
        if r:
            try:
                seen += os.read(master, 4096)
            except OSError:
                break
        if not answered and b"[y/N]" in seen:
            os.write(master, answer.encode() + b"\n")
            answered = True
    out, err = p.communicate(timeout=max(1, deadline - time.time()))
    os.close(master)
    return subprocess.CompletedProcess(args, p.returncode, out.decode(), err.decode()), seen.decode(errors="replace")


def summary(p, command):
    """The run's one summary line on stderr ("dynamo: truncate done: ...")."""
    lines = [l for l in p.stderr.splitlines()
             if l.startswith("dynamo: %s done: " % command) or l.startswith("dynamo: %s stopped: " % command)]
    if len(lines) != 1:
        raise AssertionError("wanted one summary line, got:\n" + p.stderr)
    return lines[0]


def keyed_items(n, hash_key, range_key, prefix="k"):
    """Rich items whose keys have the given names and types."""
    items = []
    for i in range(n):
        it = data.rich_item(i, pk="__h", sk=None)
        del it["__h"]

        def value(t, salt):
            if t == "S":
                return {"S": "%s%d#%d" % (prefix, i % 17, i * salt)}
            if t == "N":
                return {"N": str(i * 1000003 * salt - 500)}
            return {"B": bytes([i % 256, (i * salt) % 256, 0, 255])}

        it[hash_key[0]] = value(hash_key[1], 1)
        if range_key:
            it[range_key[0]] = value(range_key[1], 7)
        items.append(it)
    return items


class Truncate(harness.TestCase):

    def segments(self, hash_key):
        # moto answers 500 to a segmented Scan of a binary hash key (its bug).
        return ["--segments", "1"] if hash_key[1] == "B" and self.backend.name == "moto" else []

    def test_every_item_goes_whatever_the_key_names(self):
        schemas = [(("name", "S"), ("status", "S")), (("a b#c.d:e", "S"), ("x.y:z", "N")),
                   (("id", "N"), None), (("_bin", "B"), ("#r", "B"))]
        for h, r in schemas:
            name = unique_name("trunc-keys")
            kw = {}
            if r:
                kw["gsis"] = [("GSI1", ("GSI1PK", "S"), None, "KEYS_ONLY")]
                kw["lsis"] = [("LSI1", None, ("size", "N"), "ALL")]
            create_table(self.src, name, hash_key=h, range_key=r, **kw)
            items = keyed_items(150, h, r)
            for i, it in enumerate(items):
                if i % 3 == 0 and r:
                    it["GSI1PK"] = {"S": "G%d" % (i % 4)}  # a sparse GSI
                    it["size"] = {"N": str(i)}
            put_items(self.src, name, items)
            before = len(harness.scan_all(self.src, name))
            p = self.dynamo("truncate", "-t", name, "-e", "src", "--yes", *self.segments(h), check=0)
            self.assertEqual(harness.scan_all(self.src, name, ConsistentRead=True), [], (h, r))
            self.assertIn("%d read, %d deleted" % (before, before), summary(p, "truncate"))
            if r:
                self.assertEqual(harness.scan_all(self.src, name, IndexName="GSI1"), [])

    def test_many_pages_and_big_items(self):
        name = unique_name("trunc-pages")
        create_table(self.src, name)
        items = [{"PK": {"S": "P%d" % (i % 50)}, "SK": {"S": "%05d" % i}, "pad": {"S": "x" * 1500}}
                 for i in range(1200)]
        put_items(self.src, name, items + [data.big_item(i) for i in range(6)])
        p = self.dynamo("truncate", "-t", name, "-e", "src", "--yes", "--segments", "3", "--json", check=0)
        self.assertEqual(harness.scan_all(self.src, name, ConsistentRead=True), [])
        result = json.loads(p.stdout)
        self.assertEqual((result["ok"], result["deleted"], result["failed"]), (True, 1206, 0))

    def test_empty_table(self):
        name = unique_name("trunc-empty")
        create_table(self.src, name)
        p = self.dynamo("truncate", "-t", name, "-e", "src", "--yes", check=0)
        self.assertIn("0 read, 0 deleted", summary(p, "truncate"))

    def test_the_other_account(self):
        name = unique_name("trunc-tgt")
        create_table(self.src, name)
        create_table(self.tgt, name)
        put_items(self.src, name, data.rich_items(20))
        put_items(self.tgt, name, data.rich_items(30))
        self.dynamo("truncate", "--table", name, "--profile", "tgt", "--yes", check=0)
        self.assertEqual(harness.scan_all(self.tgt, name), [])
        self.assertEqual(len(harness.scan_all(self.src, name)), 20)


class TruncateConfirm(harness.TestCase):

    def seeded(self):
        name = unique_name("trunc-ask")
        create_table(self.src, name)
        put_items(self.src, name, data.rich_items(12))
        return name, harness.table_contents(self.src, name)

    def test_refuses_without_yes_when_not_a_terminal(self):
        name, before = self.seeded()
        p = self.dynamo("truncate", "-t", name, "-e", "src", input="y\n")
        self.assertEqual(p.returncode, 6)
        self.assertOneErrorLine(p, "--yes", "'%s'" % name, "profile 'src'", "delete every item")
        self.assertEqual(p.stdout, "")
        self.assertEqual(harness.table_contents(self.src, name), before)

    def test_asks_on_a_terminal(self):
        name, before = self.seeded()
        p, tty = run_on_tty(self.env, ["truncate", "-t", name, "-e", "src"], "n")
        self.assertIn("delete every item of '%s'" % name, tty)
        self.assertEqual(p.returncode, 6, p.stderr)
        self.assertEqual(harness.table_contents(self.src, name), before)
        p, tty = run_on_tty(self.env, ["truncate", "-t", name, "-e", "src"], "y")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(harness.scan_all(self.src, name), [])

    def test_dry_run_prints_the_plan_and_changes_nothing(self):
        name, before = self.seeded()
        p = self.dynamo("truncate", "-t", name, "-e", "src", "--dry-run", check=0)
        self.assertIn("truncate", p.stdout)
        self.assertIn("'%s'" % name, p.stdout)
        self.assertIn("profile 'src'", p.stdout)
        self.assertEqual(harness.table_contents(self.src, name), before)

    def test_missing_table_is_one_line(self):
        missing = unique_name("trunc-none")
        p = self.dynamo("truncate", "-t", missing, "-e", "src", "--yes")
        self.assertEqual(p.returncode, 4)
        self.assertOneErrorLine(p, missing, "not found")
        p = self.dynamo("truncate", "-e", "src", "--yes")
        self.assertEqual(p.returncode, 2)
        self.assertOneErrorLine(p, "-t")
        p = self.dynamo("truncate", "-t", "x", "-e", "src", "--yes")
        self.assertEqual(p.returncode, 2)
        self.assertOneErrorLine(p, "'x'", "table name")
