"""export and import: DynamoDB JSON lines, gzip, stdin/stdout; a round trip is exact."""
import gzip
import json
import os

import data
import harness
from harness import create_table, put_items, unique_name


class ExportImport(harness.TestCase):

    def seeded(self, n=300):
        name = unique_name("exp")
        create_table(self.src, name, gsis=[("GSI1", ("GSI1PK", "S"), None, "ALL")])
        items = data.rich_items(n) + [data.big_item(i) for i in range(3)]
        for i, it in enumerate(items):
            if i % 2:
                it["GSI1PK"] = {"S": "G%d" % (i % 4)}
        put_items(self.src, name, items)
        return name, items

    def test_round_trip_through_a_gzip_file_is_exact(self):
        name, items = self.seeded()
        path = os.path.join(self.env.home, "t.jsonl.gz")
        p = self.dynamo("export", "-t", name, "-e", "src", "-o", path, "--segments", "3", "--json", check=0)
        self.assertEqual(json.loads(p.stdout)["saved"], len(items))
        with gzip.open(path, "rt") as f:
            lines = [json.loads(l) for l in f]
        self.assertEqual(len(lines), len(items))
        self.assertTrue(all(list(l) == ["Item"] for l in lines))
        other = unique_name("imp")
        create_table(self.tgt, other, gsis=[("GSI1", ("GSI1PK", "S"), None, "ALL")])
        self.dynamo("import", "-t", other, "-e", "tgt", "-i", path, check=0)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, other), len(items))

    def test_stdout_to_stdin_plain_lines(self):
        name, items = self.seeded(50)
        p = self.dynamo("export", "-t", name, "-e", "src", "-o", "-", check=0)
        # split on newlines only: U+2028 in a string is a line break to splitlines()
        self.assertEqual(len(p.stdout.rstrip("\n").split("\n")), len(items))
        other = unique_name("imp2")
        create_table(self.tgt, other, gsis=[("GSI1", ("GSI1PK", "S"), None, "ALL")])
        self.dynamo("import", "-t", other, "-e", "tgt", "-i", "-", input=p.stdout, check=0)
        self.assertTablesEqual(self.src, name, self.tgt, other)

    def test_reads_bare_items_and_s3_export_files_whatever_the_name(self):
        name = unique_name("imp3")
        create_table(self.src, name)
        items = data.rich_items(20)
        path = os.path.join(self.env.home, "export-data")   # S3 export data files have no .gz name
        with gzip.open(path, "wt") as f:
            for i, it in enumerate(items):
                line = {"Item": it} if i % 2 else it        # wrapped and bare lines mixed
                f.write(json.dumps(line, default=lambda b: __import__("base64").b64encode(b).decode()) + "\n")
                if i == 5:
                    f.write("\n")                           # blank lines are skipped
        self.dynamo("import", "-t", name, "-e", "src", "-i", path, check=0)
        self.assertEqual(harness.table_contents(self.src, name), sorted(harness.canonical(i) for i in items))

    def test_import_into_a_non_empty_table_asks(self):
        name, items = self.seeded(5)
        path = os.path.join(self.env.home, "x.jsonl")
        self.dynamo("export", "-t", name, "-e", "src", "-o", path, check=0)
        p = self.dynamo("import", "-t", name, "-e", "src", "-i", path)
        self.assertEqual(p.returncode, 6)
        self.assertOneErrorLine(p, "--yes")

    def test_restore_from_file_puts_then_prunes(self):
        name, items = self.seeded(40)
        path = os.path.join(self.env.home, "snap.jsonl.gz")
        self.dynamo("export", "-t", name, "-e", "src", "-o", path, check=0)
        put_items(self.src, name, [{"PK": {"S": "LATER"}, "SK": {"S": "x"}}])
        self.src.delete_item(TableName=name, Key={"PK": items[0]["PK"], "SK": items[0]["SK"]})
        self.dynamo("restore", "-t", name, "-e", "src", "--from-file", path, "--yes",
                    *(["--no-backup"] if self.backend.name == "dynalite" else []), check=0)
        self.assertEqual(harness.table_contents(self.src, name), sorted(harness.canonical(i) for i in items))

    def test_export_json_to_stdout_is_refused(self):
        name, items = self.seeded(2)
        p = self.dynamo("export", "-t", name, "-e", "src", "-o", "-", "--json")
        self.assertEqual(p.returncode, 2)
        self.assertOneErrorLine(p, "--json")

    # Once a bug: a write that failed when the file was closed came after
    # the summary, so --json said "ok": true and the step summary
    # "succeeded" while dynamo exited 7.
    def test_a_file_that_cannot_be_written_is_reported_as_a_failure(self):
        if not os.path.exists("/dev/full"):
            self.skipTest("no /dev/full")
        name, items = self.seeded(5)
        md = self.env.write("export-summary.md", "")
        # gzip keeps a few small items in its buffer until the file is closed.
        path = os.path.join(self.env.home, "full.jsonl.gz")
        os.symlink("/dev/full", path)
        p = self.dynamo("export", "-t", name, "-e", "src", "-o", path, "--json",
                        extra_env={"GITHUB_STEP_SUMMARY": md})
        self.assertEqual(p.returncode, 7, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual((out["ok"], out["exit_code"]), (False, 7), out)
        self.assertIn(path, out["error"])
        self.assertIn("### dynamo export failed", open(md).read())
