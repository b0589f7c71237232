"""No item lost on the way from a file into a table, judged by what the server holds.

import and restore --from-file read a file line by line (64 KB at a time,
plain or gzip) and write its items with BatchWriteItem through the writer's
mix. These tests aim at the places an item could slip away silently: a line
split across the reader's buffers, a line longer than a buffer, CRLF line
ends, a last line without its newline; and, through tests/fakes/fault_proxy.py,
batches answered in part (UnprocessedItems), refused, dropped, answered late,
corrupted, or carried out after dynamo gave up on them. Whatever happens, the
table must end holding exactly the file's items, read back with boto3.
"""
import gzip
import json
import os

import harness
from harness import create_table, put_items, unique_name
from test_faults import FaultBase, TIMEOUT, mix_flags

CHUNK = 65536   # itemfile.c's read-ahead


def item(i, pad=0, pk_every=7):
    """Item i: several sort keys per partition key, so one partition's items span batches."""
    it = {"PK": {"S": "T#%03d" % (i // pk_every)}, "SK": {"S": "I#%06d" % i}, "n": {"N": str(i)}}
    if pad:
        it["pad"] = {"S": "x" * pad}
    return it


def line_of(it):
    return json.dumps({"Item": it}, separators=(",", ":")).encode()


def canon(items):
    return sorted(harness.canonical(i) for i in items)


def straddling_lines(count):
    """Lines whose ends fall on every side of the reader's 64 KB buffer edges, some longer than a buffer."""
    items, body = [], b""
    for i in range(count):
        end = b"\r\n" if i % 3 == 0 else b"\n"
        # Pad so that this line ends a few bytes around the next buffer edge (or runs over one).
        edge = (len(body) // CHUNK + 1) * CHUNK
        base = len(line_of(item(i, pad=1))) + len(end) - 1
        pad = max(1, edge - len(body) - base + (i % 5) - 2)
        if i % 11 == 10:
            pad += CHUNK + 1234            # a line longer than a whole buffer
        it = item(i, pad=pad)
        items.append(it)
        body += line_of(it) + end
        if i % 13 == 0:
            body += b"\n  \r\n"             # blank lines between items
    return items, body


class ImportLineEdges(harness.TestCase):
    """Every line is an item, wherever the reader's buffers cut the file."""

    def setUp(self):
        self.dir = harness.tempfile.mkdtemp(prefix="dynamo-import-edges-")
        self.addCleanup(harness.shutil.rmtree, self.dir, True)

    def write(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(gzip.compress(data) if name.endswith(".gz") else data)
        return path

    def test_lines_across_buffer_edges_and_a_last_line_without_newline(self):
        items, body = straddling_lines(60)
        # The last line ends without a newline, and exactly at a buffer edge.
        last = item(60)
        tail = line_of(last)
        last["pad"] = {"S": "y" * ((-(len(body) + len(tail) + 10)) % CHUNK + 1)}
        tail = line_of(last)
        body += tail
        items.append(last)
        for fname in ("edges.jsonl", "edges.jsonl.gz"):
            for via_stdin in (False, True):
                with self.subTest(file=fname, stdin=via_stdin):
                    path = self.write(fname, body)
                    name = unique_name("imp-edges")
                    create_table(self.src, name)
                    if via_stdin:
                        with open(path, "rb") as f:
                            p = self.dynamo("import", "-t", name, "-e", "src", "-i", "-", "--yes",
                                            input=f.read())
                    else:
                        p = self.dynamo("import", "-t", name, "-e", "src", "-i", path, "--yes")
                    self.assertEqual(p.returncode, 0, p.stderr)
                    self.assertEqual(harness.table_contents(self.src, name), canon(items))


class FaultImport(FaultBase):
    """import and restore --from-file under every fault end with exactly the file's items."""

    def setUp(self):
        self.dir = harness.tempfile.mkdtemp(prefix="dynamo-import-faults-")
        self.addCleanup(harness.shutil.rmtree, self.dir, True)

    def file_of(self, items, name="items.jsonl.gz"):
        path = os.path.join(self.dir, name)
        with gzip.open(path, "wb") as f:
            for it in items:
                f.write(line_of(it) + b"\n")
        return path

    def test_import_under_every_fault(self):
        items = [item(i, pad=i % 300) for i in range(700)]
        path = self.file_of(items)
        name = unique_name("fault-imp")
        create_table(self.tgt, name)
        # Writes only: the first Scan (is the table empty?) is a synchronous call that --cover
        # could fail ten times over, before any write.
        proxy = self.proxy(*mix_flags(29), "--late", "0.03", "--late-seconds", "-1", "--ops", "BatchWriteItem")
        p = self.via(proxy, "import", "-t", name, "-e", "tgt", "-i", path, "--yes", "-c", "16", *TIMEOUT)
        self.assertSucceeded(p)
        self.assertEveryFaultFired(proxy)
        # The late requests land now, after dynamo is done: puts of the same items change nothing.
        late = proxy.stats()["faults"].get("late", 0)
        proxy.configure(late_seconds=0)
        deadline = harness.time.monotonic() + 30
        while proxy.stats()["late_landed"] < late:
            self.assertLess(harness.time.monotonic(), deadline, "late requests did not land: %s" % proxy.stats())
            harness.time.sleep(0.05)
        self.assertEqual(harness.table_contents(self.tgt, name), canon(items))

    def test_restore_from_file_under_every_fault(self):
        items = [item(i, pad=i % 200) for i in range(500)]
        path = self.file_of(items, "snap.jsonl.gz")
        name = unique_name("fault-rff")
        create_table(self.tgt, name)
        # The table holds older versions of a third of the items and items the file lacks.
        put_items(self.tgt, name, [dict(it, n={"N": "-1"}) for it in items[::3]] +
                  [{"PK": {"S": "T#%03d" % k}, "SK": {"S": "GONE#%d" % k}} for k in range(0, 70, 2)])
        # The first Scan (is the table empty?) passes: --cover could fail it ten times over.
        proxy = self.proxy(*mix_flags(31), "--skip", "1")
        p = self.via(proxy, "restore", "-t", name, "-e", "tgt", "--from-file", path, "--yes", "--no-backup",
                     "--segments", "4", "-c", "8", *TIMEOUT)
        self.assertSucceeded(p)
        self.assertEveryFaultFired(proxy)
        self.assertEqual(harness.table_contents(self.tgt, name), canon(items))


class DuplicateKeys(FaultBase):
    """A file holding one key several times ends with the last line's version, as puts in turn do.

    Once not so: two batches in flight are applied in either order, and an
    unprocessed older version was sent again after a later batch had written
    the newer one (a hostile review found dozens of keys left at an older
    version, exit 0). The writer now holds a key's later version back until
    every earlier one is confirmed (engine/order.c)."""

    def setUp(self):
        self.dir = harness.tempfile.mkdtemp(prefix="dynamo-import-dups-")
        self.addCleanup(harness.shutil.rmtree, self.dir, True)

    def versions(self, rounds, keys, adjacent):
        """rounds versions of each of keys keys: round after round, or each key's versions in a row."""
        order = ([(r, k) for k in range(keys) for r in range(rounds)] if adjacent else
                 [(r, k) for r in range(rounds) for k in range(keys)])
        path = os.path.join(self.dir, "dups-%s.jsonl" % ("adjacent" if adjacent else "rounds"))
        with open(path, "wb") as f:
            for r, k in order:
                f.write(line_of({"PK": {"S": "K%03d" % k}, "SK": {"S": "A"}, "v": {"N": str(r)}}) + b"\n")
        return path

    def check_last_wins(self, name, rounds, keys):
        got = harness.scan_all(self.tgt, name, ConsistentRead=True)
        self.assertEqual(len(got), keys)
        stale = sorted(i["PK"]["S"] for i in got if i["v"]["N"] != str(rounds - 1))
        self.assertEqual(stale, [], "keys left at an older version than the file's last line")

    def test_the_last_line_of_a_key_wins_through_unprocessed_items(self):
        for adjacent in (False, True):
            with self.subTest(adjacent=adjacent):
                name = unique_name("dup-order")
                create_table(self.tgt, name)
                proxy = self.proxy("--ops", "BatchWriteItem", "--unprocessed", "0.4", "--seed", "3")
                p = self.via(proxy, "import", "-t", name, "-e", "tgt", "-i", self.versions(4, 100, adjacent),
                             "--yes", "-c", "16", *TIMEOUT)
                self.assertSucceeded(p)
                self.check_last_wins(name, 4, 100)
