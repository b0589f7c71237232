"""Hostile import files: cut gzip streams, directories, junk, byte order marks, duplicate keys.

A file that is not a complete export must never pass for one: import and
restore say what is wrong with it (one line, exit 7) and restore leaves the
table as it was. What the table ends up holding is read back with boto3.
"""
import gzip
import json
import os
import zlib

import harness
from harness import create_table, put_items, unique_name


def lines(n, prefix="USER"):
    return "".join(json.dumps({"Item": {"PK": {"S": "%s#%05d" % (prefix, i)}, "SK": {"S": "A"},
                                        "n": {"N": str(i)}}}) + "\n" for i in range(n)).encode()


def canon(items):
    return sorted(harness.canonical(i) for i in items)


class ImportFiles(harness.TestCase):

    def setUp(self):
        self.dir = harness.tempfile.mkdtemp(prefix="dynamo-import-")
        self.addCleanup(harness.shutil.rmtree, self.dir, True)

    def write(self, name, data):
        path = os.path.join(self.dir, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def table(self, items=()):
        name = unique_name("imp-files")
        create_table(self.src, name)
        if items:
            put_items(self.src, name, list(items))
        return name

    def test_gzip_cut_before_its_trailer_is_not_a_complete_file(self):
        data = lines(300)
        c = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
        flushed = c.compress(data) + c.flush(zlib.Z_SYNC_FLUSH)   # every line readable, no trailer
        whole = gzip.compress(data)
        for fname, blob in (("sync-flushed.jsonl.gz", flushed), ("no-crc.jsonl.gz", whole[:-8]),
                            ("half.jsonl.gz", whole[:len(whole) // 2])):
            with self.subTest(file=fname):
                path = self.write(fname, blob)
                name = self.table()
                p = self.dynamo("import", "-t", name, "-e", "src", "-i", path, "--yes")
                self.assertEqual(p.returncode, 7, p.stderr)
                line = [l for l in p.stderr.splitlines() if l.strip()][-1]
                self.assertIn(path, line)
                self.assertIn("cut short", line)
                self.assertNotIn("not a JSON object", line)

    def test_a_directory_is_named_as_such(self):
        name = self.table()
        p = self.dynamo("import", "-t", name, "-e", "src", "-i", self.dir, "--yes")
        self.assertEqual(p.returncode, 7, p.stderr)
        self.assertOneErrorLine(p, self.dir, "directory")

    def test_a_byte_order_mark_is_not_part_of_the_first_item(self):
        path = self.write("bom.jsonl", b"\xef\xbb\xbf" + lines(5))
        name = self.table()
        self.dynamo("import", "-t", name, "-e", "src", "-i", path, "--yes", check=0)
        self.assertEqual(len(harness.table_contents(self.src, name)), 5)

    def test_duplicate_keys_in_one_batch_are_written(self):
        """Puts of one key overwrite each other; DynamoDB refuses them in one batch, so they go in two."""
        dup = [{"PK": {"S": "DUP"}, "SK": {"S": "A"}, "v": {"N": str(v)}} for v in range(3)]
        body = lines(10) + b"".join(json.dumps({"Item": d}).encode() + b"\n" for d in dup) + lines(10, "MORE")
        path = self.write("dups.jsonl", body)
        name = self.table()
        p = self.dynamo("import", "-t", name, "-e", "src", "-i", path, "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        got = harness.table_contents(self.src, name)
        self.assertEqual(len(got), 21)
        self.assertEqual(len([g for g in got if "DUP" in g]), 1)
