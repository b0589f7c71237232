"""export and import: DynamoDB JSON lines, gzip, stdin/stdout; a round trip is exact."""
import gzip
import json
import os
import subprocess

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

    def test_a_full_disk_saves_nothing_and_says_so(self):
        # A file size limit stands for a full disk: dynamo died of SIGXFSZ,
        # leaving its temporary; then it said "N saved" of a file not kept.
        import resource
        name, items = self.seeded(300)
        path = os.path.join(self.env.home, "limited.jsonl.gz")
        with open(path, "w") as f:
            f.write("the previous export\n")
        limit = lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (16384, 16384))
        argv = harness.WRAP + [harness.BIN, "export", "-t", name, "-e", "src", "-o", path]
        p = subprocess.run(argv, capture_output=True, text=True, env=self.env.environ(), timeout=60,
                           preexec_fn=limit)
        self.assertEqual(p.returncode, 7, p.stderr)
        self.assertIn("File too large", p.stderr)
        self.assertIn(" 0 saved", p.stderr)
        self.assertEqual(open(path).read(), "the previous export\n")
        self.assertEqual([f for f in os.listdir(self.env.home) if "limited" in f], ["limited.jsonl.gz"])

    def test_export_to_a_closed_pipe_ends_quietly(self):
        # export -o - | head: as coreutils do, SIGPIPE (141) and not a word.
        name, items = self.seeded(300)
        sh = "%s export -e src -t %s -o - | head -c 100 >/dev/null; echo \"status ${PIPESTATUS[0]}\"" % (
            harness.BIN, name)
        p = subprocess.run(["bash", "-c", sh], capture_output=True, text=True, env=self.env.environ(), timeout=60)
        self.assertEqual(p.stdout, "status 141\n", p.stderr)
        self.assertEqual(p.stderr, "")

    def test_stdout_to_stdin_plain_lines(self):
        name, items = self.seeded(50)
        p = self.dynamo("export", "-t", name, "-e", "src", "-o", "-", check=0)
        # split on newlines only: U+2028 in a string is a line break to splitlines()
        self.assertEqual(len(p.stdout.rstrip("\n").split("\n")), len(items))
        other = unique_name("imp2")
        create_table(self.tgt, other, gsis=[("GSI1", ("GSI1PK", "S"), None, "ALL")])
        self.dynamo("import", "-t", other, "-e", "tgt", "-i", "-", input=p.stdout, check=0)
        self.assertTablesEqual(self.src, name, self.tgt, other)

    def test_reads_aws_scan_output_and_query_output_ddb(self):
        # One JSON document, not lines: 'aws dynamodb scan' prints the
        # response indented by four spaces (binaries in base64), and
        # 'dynamo query --output ddb' an array.
        name, items = self.seeded(40)
        pages, kw = [], {}
        while True:
            page = self.src.scan(TableName=name, **kw)
            pages.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            kw["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        doc = {"Items": pages, "Count": len(pages), "ScannedCount": len(pages), "ConsumedCapacity": None}
        path = os.path.join(self.env.home, "scan.json")
        with open(path, "w") as f:
            f.write("\ufeff" + json.dumps(doc, indent=4, ensure_ascii=False,
                                         default=lambda b: __import__("base64").b64encode(b).decode()))
        other = unique_name("imp-scan")
        create_table(self.tgt, other, gsis=[("GSI1", ("GSI1PK", "S"), None, "ALL")])
        self.dynamo("import", "-t", other, "-e", "tgt", "-i", path, check=0)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, other), len(items))

        keyed = unique_name("imp-q")
        create_table(self.src, keyed)
        put_items(self.src, keyed, [dict(it, PK={"S": "P"}, SK={"S": "%03d" % i}) for i, it in enumerate(items)])
        p = self.dynamo("query", "-t", keyed, "-e", "src", "--pk", "P", "--output", "ddb", check=0)
        third = unique_name("imp-q2")
        create_table(self.tgt, third)
        self.dynamo("import", "-t", third, "-e", "tgt", "-i", "-", input=p.stdout, check=0)
        self.assertEqual(self.assertTablesEqual(self.src, keyed, self.tgt, third), len(items))

    def test_an_item_dynamodb_would_refuse_is_named_by_its_line(self):
        # In a batch of 25, DynamoDB's refusal names no item; dynamo names the line.
        name = unique_name("imp-bad")
        create_table(self.tgt, name)     # PK (S) + SK (S)
        good = ['{"PK":{"S":"a%d"},"SK":{"S":"1"}}' % i for i in range(10)]
        cases = [
            ('{"PK":{"S":"nosk"}}', "line 11 of", "no sort key 'SK' (S)"),
            ('{"PK":{"N":"1"},"SK":{"S":"1"}}', "line 11 of", "partition key 'PK' is not of type S"),
            ('{"PK":{"S":"x"},"SK":{"S":""}}', "line 11 of", "sort key 'SK' is empty"),
        ]
        for bad, where, why in cases:
            with self.subTest(bad=bad):
                path = os.path.join(self.env.home, "bad.jsonl")
                with open(path, "w") as f:
                    f.write("\n".join(good + [bad] + good) + "\n")
                p = self.dynamo("import", "-t", name, "-e", "tgt", "-i", path, "--yes")
                self.assertEqual(p.returncode, 1, p.stderr)
                last = p.stderr.splitlines()[-1]
                self.assertIn("%s '%s': the item cannot go into table '%s'" % (where, path, name), last)
                self.assertIn(why, last)

    def test_a_cut_scan_output_is_refused_naming_the_line(self):
        name = unique_name("imp-cut")
        create_table(self.tgt, name)
        path = os.path.join(self.env.home, "cut.json")
        with open(path, "w") as f:
            f.write('{\n    "Items": [\n        {"PK": {"S": "a"}, "SK": {"S": "1"}},\n        {"PK": {"S": "b"}')
        p = self.dynamo("import", "-t", name, "-e", "tgt", "-i", path)
        self.assertEqual(p.returncode, 7, p.stderr)
        last = p.stderr.splitlines()[-1]
        self.assertIn("'%s' line 4" % path, last)
        self.assertIn("cut short", last)

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
