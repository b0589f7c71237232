"""dynamo's commands over DynamoDB's own export and import, end to end on moto.

  export --to     ExportTableToPointInTime into moto's S3: PITR off is named
                  with --enable-pitr as the way out, --enable-pitr is a
                  confirmed step, the data files hold exactly the table; bad
                  URLs, missing buckets, flags of the other kind of export,
                  --at outside the window: one line, a documented exit code,
                  nothing started
  import -i s3:// an export laid out as DynamoDB writes it (manifest-summary,
                  manifest-files, data/*.json.gz) streamed from S3 into an
                  existing table through the normal write path

boto3 judges: the table's PITR status, the exports DynamoDB lists, the
objects S3 holds, the items a table holds.
"""
import gzip
import json
import os
import time

import data
import harness
from harness import create_table, put_items, unique_name
from test_faults import FaultBase
import test_native_s3
import test_rate_limits
from test_native_s3 import BUCKET, NativeBase
from test_rate_limits import padded_items, spent


class NativeCommandBase(NativeBase):

    def table_with_items(self, prefix, n=80):
        name = unique_name(prefix)
        create_table(self.src, name)
        items = data.rich_items(n) + [data.big_item(0)]
        put_items(self.src, name, items)
        return name, items

    def pitr(self, name):
        d = self.src.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        return d["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"]

    def exports_of(self, name):
        arn = self.src.describe_table(TableName=name)["Table"]["TableArn"]
        return [e for e in self.src.list_exports(TableArn=arn).get("ExportSummaries", [])]

    def keys_under(self, prefix):
        r = self.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
        return [o["Key"] for o in r.get("Contents", [])]

    def exported_items(self, prefix):
        """The items of every data file under prefix, as boto3 reads them from S3."""
        items = []
        for key in self.keys_under(prefix):
            if "/data/" not in key:
                continue
            body = gzip.decompress(self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
            for line in body.decode().splitlines():
                if line.strip():
                    items.append(harness.canonical(json.loads(line)["Item"]))
        return sorted(items)


class ExportToS3(NativeCommandBase):

    def test_pitr_off_then_enabled_as_a_confirmed_step_then_exported_exactly(self):
        name, items = self.table_with_items("exp-s3")
        url = "s3://%s/nightly/" % BUCKET

        # PITR off: one line that says so and names --enable-pitr; nothing changed.
        p = self.dynamo("export", "-t", name, "-e", "src", "--to", url)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "point-in-time recovery is off", name, "--enable-pitr")
        self.assertEqual(self.pitr(name), "DISABLED")

        # --enable-pitr is confirmed: refused without --yes off a terminal.
        p = self.dynamo("export", "-t", name, "-e", "src", "--to", url, "--enable-pitr")
        self.assertEqual(p.returncode, 6, p.stderr)
        self.assertOneErrorLine(p, "turn on point-in-time recovery", "--yes")
        self.assertEqual(self.pitr(name), "DISABLED")
        self.assertEqual(self.exports_of(name), [])

        # The dry run says both steps and does neither.
        p = self.dynamo("export", "-t", name, "-e", "src", "--to", url, "--enable-pitr", "--dry-run", check=0)
        self.assertIn("enable-pitr", p.stdout)
        self.assertIn("ExportTableToPointInTime to s3://%s/nightly" % BUCKET, p.stdout)
        self.assertEqual(self.pitr(name), "DISABLED")

        p = self.dynamo("export", "-t", name, "-e", "src", "--to", url, "--enable-pitr", "--yes", "--json",
                        check=0)
        self.assertEqual(self.pitr(name), "ENABLED")
        exports = self.exports_of(name)
        self.assertEqual(len(exports), 1)
        self.assertEqual(exports[0]["ExportStatus"], "COMPLETED")
        self.assertEqual(self.exported_items("nightly/AWSDynamoDB/"), harness.table_contents(self.src, name))
        result = json.loads(p.stdout.splitlines()[-1])
        self.assertTrue(result["ok"])
        self.assertEqual([s["name"] for s in result["stages"]], ["enable-pitr", "export"])
        self.assertEqual(result["saved"], len(items))
        self.assertTrue(result["stages"][1]["result"].startswith("s3://%s/nightly/" % BUCKET))

        # PITR on now: a second export needs no flag, and prints where it went on stdout.
        p = self.dynamo("export", "-t", name, "-e", "src", "--to", "s3://%s/again" % BUCKET, check=0)
        self.assertTrue(p.stdout.strip().startswith("s3://%s/again/" % BUCKET), p.stdout)
        self.assertIn("exported %d items" % len(items), p.stderr)
        self.assertEqual(len(self.exports_of(name)), 2)
        self.assertEqual(self.exported_items("again/AWSDynamoDB/"), harness.table_contents(self.src, name))

    def test_bad_input_is_one_line_and_starts_nothing(self):
        name, _ = self.table_with_items("exp-bad", n=5)
        self.src.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
        cases = [
            (["--to", "http://%s/x" % BUCKET], 2, ["--to", "not an S3 URL"]),
            (["--to", "s3:///x"], 2, ["--to", "names no bucket"]),
            (["--to", "s3://no-such-bucket-e2e/x"], 4, ["bucket 'no-such-bucket-e2e' does not exist"]),
            (["--to", "s3://%s/x" % BUCKET, "-o", "f.json"], 2, ["-o/--file and --to"]),
            (["-o", "s3://%s/x" % BUCKET], 2, ["-o takes a local file", "--to s3://"]),
            (["-o", "f.json", "--at", "-1h"], 2, ["--at", "--to s3://"]),
            (["--to", "s3://%s/x" % BUCKET, "--segments", "4"], 2, ["--segments", "reads no capacity"]),
            (["--to", "s3://%s/x" % BUCKET, "--s3-bucket-owner", "1234"], 2, ["--s3-bucket-owner", "12-digit"]),
            (["--to", "s3://%s/x" % BUCKET, "--at", "yesterday"], 2, ["--at", "ISO 8601"]),
            (["--to", "s3://%s/x" % BUCKET, "--at", "2001-01-01T00:00:00Z"], 2,
             ["--at 2001-01-01T00:00:00Z is before the earliest time"]),
            (["--to", "s3://%s/x" % BUCKET, "--enable-pitr", "--at", str(int(time.time()) + 1)], 0, []),
        ]
        for args, code, needles in cases:
            with self.subTest(args=args):
                p = self.dynamo("export", "-t", name, "-e", "src", *args)
                self.assertEqual(p.returncode, code, p.stderr)
                if code:
                    self.assertOneErrorLine(p, *needles)
        # Only the last case (PITR on, --enable-pitr is a no-op, --at inside the window) exported.
        self.assertEqual(len(self.exports_of(name)), 1)
        p = self.dynamo("export", "-t", name + "-missing", "-e", "src", "--to", "s3://%s/x" % BUCKET)
        self.assertEqual(p.returncode, 4, p.stderr)


    def test_incremental_windows_are_checked_before_anything_starts(self):
        name, _ = self.table_with_items("exp-inc", n=5)
        url = "s3://%s/inc" % BUCKET
        p = self.dynamo("export", "-t", name, "-e", "src", "--to", url, "--from", "-2h", "--to-time", "-1h")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "point-in-time recovery is off")
        self.src.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
        now = int(time.time())
        cases = [
            (["--from", "-2h"], ["give both --from TIME and --to-time TIME"]),
            (["--to-time", "-1h"], ["give both --from TIME and --to-time TIME"]),
            (["--from", "-2h", "--to-time", "-1h", "--at", "-1h"], ["--at is a full export's", "give one"]),
            # moto's recovery began just now: an hour ago is before it.
            (["--from", "-2h", "--to-time", "-1h"], ["--from", "is before the earliest time"]),
            (["--from", str(now + 5), "--to-time", str(now + 65)], ["15 minutes to 24 hours"]),
            (["--from", str(now + 5), "--to-time", str(now + 3)], ["must come after its start"]),
        ]
        for args, needles in cases:
            with self.subTest(args=args):
                p = self.dynamo("export", "-t", name, "-e", "src", "--to", url, *args)
                self.assertEqual(p.returncode, 2, p.stderr)
                self.assertOneErrorLine(p, *needles)
        p = self.dynamo("export", "-t", name, "-e", "src", "-o", "x.json", "--from", "-2h", "--to-time", "-1h")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertOneErrorLine(p, "add --to s3://")
        self.assertEqual(self.exports_of(name), [])


class ImportFromS3(NativeCommandBase):
    """An export laid out as DynamoDB writes it, loaded into an existing table through the write path."""

    def layout(self, folder, items, nfiles=4, **kw):
        return test_native_s3.ExportReader.layout(self, folder, items, nfiles=nfiles, **kw)

    def url(self, folder):
        return "s3://%s/%s" % (BUCKET, folder)

    def test_an_export_loads_into_a_table_that_has_items(self):
        name = unique_name("imp-s3")
        create_table(self.src, name)
        before = [{"PK": {"S": "KEEP#%d" % i}, "SK": {"S": "x"}, "v": {"N": str(i)}} for i in range(7)]
        put_items(self.src, name, before)
        items = data.rich_items(150) + [data.big_item(i) for i in range(2)]
        folder = "load/AWSDynamoDB/01767225600000-aaaa0001/"
        self.layout(folder, items)

        # The table holds items: the import is confirmed, and refused off a terminal without --yes.
        p = self.dynamo("import", "-t", name, "-e", "src", "-i", self.url(folder))
        self.assertEqual(p.returncode, 6, p.stderr)
        self.assertEqual(len(harness.table_contents(self.src, name)), len(before))

        p = self.dynamo("import", "-t", name, "-e", "src", "-i", self.url(folder), "--yes", "--json",
                        "--max-wcu", "5000", check=0)
        want = sorted(harness.canonical(it) for it in before + items)
        self.assertEqual(harness.table_contents(self.src, name), want)
        result = json.loads(p.stdout.splitlines()[-1])
        self.assertEqual((result["read"], result["written"]), (len(items), len(items)))
        self.assertIn("data file 4 of 5", p.stderr)

        # Named by its manifest-summary.json, into an empty table: no question asked.
        other = unique_name("imp-s3b")
        create_table(self.src, other)
        self.dynamo("import", "-t", other, "-e", "src", "-i", self.url(folder + "manifest-summary.json"), check=0)
        self.assertEqual(harness.table_contents(self.src, other), sorted(harness.canonical(it) for it in items))

    def test_path_style_and_virtual_hosted_through_AWS_ENDPOINT_URL_S3(self):
        items = data.rich_items(40)
        folder = "styles/AWSDynamoDB/01767225600000-aaaa0004/"
        self.layout(folder, items, nfiles=2)
        # A profile like src whose S3 requests are virtual-hosted (as the AWS CLI's s3 settings say).
        with open(os.path.join(self.env.home, ".aws", "config"), "a") as f:
            f.write("\n[profile srcv]\nregion = %s\nendpoint_url = %s\ns3 =\n  addressing_style = virtual\n" %
                    (self.backend.regions["src"], self.backend.endpoint("src")))
        with open(os.path.join(self.env.home, ".aws", "credentials"), "a") as f:
            f.write("\n[srcv]\naws_access_key_id = %s\naws_secret_access_key = %s\n" %
                    (harness.SRC_KEY, harness.SRC_SECRET))
        proxy = harness.start_fault_proxy(self.backend.endpoint("src"))
        try:
            # *.localhost is the loopback for curl: a bucket's own host name reaches the proxy.
            s3_url = proxy.url.replace("127.0.0.1", "localhost")
            seen = 0
            for profile, virtual in (("src", False), ("srcv", True)):
                name = unique_name("imp-" + profile)
                create_table(self.src, name)
                self.dynamo("import", "-t", name, "-e", profile, "-i", self.url(folder),
                            extra_env={"AWS_ENDPOINT_URL_S3": s3_url}, check=0)
                self.assertEqual(harness.table_contents(self.src, name), sorted(harness.canonical(i) for i in items))
                gets = [r for r in proxy.requests() if r["op"] in ("GetObject", "ListObjectsV2")][seen:]
                seen += len(gets)
                self.assertGreaterEqual(len(gets), 4)       # summary, manifest, two data files
                for r in gets:
                    host = r["host"].split(":")[0]
                    if virtual:
                        self.assertEqual((host, r["path"].startswith("/styles/")), (BUCKET + ".localhost", True), r)
                    else:
                        self.assertEqual((host, r["path"].startswith("/%s/styles/" % BUCKET)), ("localhost", True), r)
        finally:
            proxy.stop()

    def test_a_checkpoint_resumes_after_the_files_already_loaded(self):
        name = unique_name("imp-ck")
        create_table(self.src, name)
        items = data.rich_items(120)
        folder = "resume/AWSDynamoDB/01767225600000-aaaa0002/"
        entries = self.layout(folder, items)
        third = entries[2]["dataFileS3Key"]
        original = self.s3.get_object(Bucket=BUCKET, Key=third)["Body"].read()
        self.put(third, gzip.compress(b'{"Item":{"PK":{"S":"forged"},"SK":{"S":"x"}}}\n'))
        ck = self.env.write("import.ck", "")
        os.unlink(ck)

        # The third file is not the one the manifest lists: the run stops there, two files loaded.
        p = self.dynamo("import", "-t", name, "-e", "src", "-i", self.url(folder), "--checkpoint", ck)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("is not the object expected", p.stderr)
        loaded = harness.table_contents(self.src, name)
        first_two = sorted(harness.canonical(json.loads(l)["Item"]) for e in entries[:2]
                           for l in gzip.decompress(self.s3.get_object(Bucket=BUCKET, Key=e["dataFileS3Key"])
                                                    ["Body"].read()).decode().splitlines())
        self.assertEqual(loaded, first_two)
        self.assertNotIn("forged", json.dumps(loaded))
        self.assertTrue(os.path.exists(ck))

        # Repaired, and the table emptied behind dynamo's back: the resumed run loads only
        # the files the first one did not, so the first two files' items stay absent.
        self.put(third, original)
        for it in harness.scan_all(self.src, name):
            self.src.delete_item(TableName=name, Key={"PK": it["PK"], "SK": it["SK"]})
        self.assertEqual(harness.table_contents(self.src, name), [])
        p = self.dynamo("import", "-t", name, "-e", "src", "-i", self.url(folder), "--checkpoint", ck, check=0)
        self.assertIn("2 data files were loaded by an earlier run", p.stderr)
        rest = sorted(set(harness.canonical(it) for it in items) - set(first_two))
        self.assertEqual(harness.table_contents(self.src, name), rest)
        self.assertFalse(os.path.exists(ck))

    def test_what_is_not_an_export_to_load_is_one_line(self):
        name = unique_name("imp-bad")
        create_table(self.src, name)
        inc = "inc/AWSDynamoDB/01767225600000-aaaa0003/"
        self.layout(inc, None, lines=['{"Keys":{"PK":{"S":"a"},"SK":{"S":"b"}},"NewImage":{"PK":{"S":"a"},"SK":{"S":"b"}}}'],
                    summary={"exportType": "INCREMENTAL_EXPORT", "outputView": "NEW_IMAGE",
                             "exportFromTime": "2026-01-01T00:00:00.000Z", "exportToTime": "2026-01-01T01:00:00.000Z"})
        cases = [
            (["-i", "s3://"], 2, ["names no bucket"]),
            (["-i", "s3://no-such-bucket-e2e/x/AWSDynamoDB/1/"], 4, ["no-such-bucket-e2e"]),
            (["-i", self.url("nowhere/AWSDynamoDB/01-x/")], 4, ["manifest-summary.json does not exist"]),
            (["-i", self.url(inc)], 2, ["incremental export", "not items to load"]),
            (["-i", "items.json", "--checkpoint", "ck"], 2, ["--checkpoint", "s3://"]),
        ]
        for args, code, needles in cases:
            with self.subTest(args=args):
                p = self.dynamo("import", "-t", name, "-e", "src", *args)
                self.assertEqual(p.returncode, code, p.stderr)
                self.assertOneErrorLine(p, *needles)
        self.assertEqual(harness.table_contents(self.src, name), [])


class ImportTableFromS3(NativeCommandBase):
    """import --from ... --create-target: DynamoDB's ImportTable into a new table, schema from --like or --schema."""

    def plain_items(self, n):
        # moto's ImportTable cannot parse every attribute type (sets, binaries): plain ones.
        return [{"PK": {"S": "TENANT#%d" % (i % 7)}, "SK": {"S": "ITEM#%04d" % i}, "n": {"N": "%d.25" % i},
                 "GSI1PK": {"S": "G%d" % (i % 3)}} for i in range(n)]

    def test_a_new_table_like_another_or_from_a_described_schema(self):
        like = unique_name("imt-like")
        create_table(self.src, like, gsis=[("GSI1", ("GSI1PK", "S"), None, "ALL")])
        items = self.plain_items(70)
        folder = "imt/AWSDynamoDB/01767225600000-bbbb0001/"
        # moto's ImportTable fails on an empty data file (real exports have them): none here.
        test_native_s3.ExportReader.layout(self, folder, items, nfiles=3, empty_file=False)
        url = "s3://%s/%s" % (BUCKET, folder)

        new = unique_name("imt-new")
        p = self.dynamo("import", "-t", new, "-e", "src", "--from", url, "--create-target", "--like", like,
                        "--dry-run", check=0)
        self.assertIn("ImportTable from %s (70 items in 3 data files" % url, p.stdout)
        self.assertNotIn(new, harness.list_tables(self.src))

        p = self.dynamo("import", "-t", new, "-e", "src", "--from", url, "--create-target", "--like", like,
                        "--json", check=0)
        self.assertEqual(harness.table_contents(self.src, new), sorted(harness.canonical(i) for i in items))
        desc = self.src.describe_table(TableName=new)["Table"]
        self.assertEqual([g["IndexName"] for g in desc.get("GlobalSecondaryIndexes", [])], ["GSI1"])
        result = json.loads(p.stdout.splitlines()[-1])
        self.assertEqual((result["ok"], result["written"]), (True, len(items)))
        self.assertIn("arn:", result["stages"][0]["result"])

        # The schema as 'dynamo describe --json' wrote it, in a file.
        p = self.dynamo("describe", "-t", like, "-e", "src", "--json", check=0)
        schema = self.env.write("schema.json", p.stdout)
        other = unique_name("imt-file")
        self.dynamo("import", "-t", other, "-e", "src", "--from", url, "--create-target", "--schema", schema,
                    check=0)
        self.assertEqual(harness.table_contents(self.src, other), sorted(harness.canonical(i) for i in items))

        # A table that exists is refused, and left as it was.
        p = self.dynamo("import", "-t", other, "-e", "src", "--from", url, "--create-target", "--like", like)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertOneErrorLine(p, "'%s' already exists" % other, "-i URL")

    def test_bad_input_is_one_line_and_creates_nothing(self):
        like = unique_name("imt-bad")
        create_table(self.src, like)
        lsi = unique_name("imt-lsi")
        create_table(self.src, lsi, lsis=[("LSI1", None, ("other", "S"), "ALL")])
        folder = "imtbad/AWSDynamoDB/01767225600000-bbbb0002/"
        test_native_s3.ExportReader.layout(self, folder, self.plain_items(5), nfiles=1)
        url = "s3://%s/%s" % (BUCKET, folder)
        new = unique_name("imt-never")
        bad_schema = self.env.write("bad-schema.json", '{"TableName": "x"}')
        cases = [
            (["--from", url, "--like", like], 2, ["add --create-target"]),
            (["--from", url, "--create-target"], 2, ["--like TABLE", "--schema FILE"]),
            (["--from", url, "--create-target", "--like", like, "--schema", bad_schema], 2, ["one of them"]),
            (["--from", "/tmp/x", "--create-target", "--like", like], 2, ["not an S3 URL"]),
            (["--from", url, "--create-target", "--like", like, "--max-wcu", "10"], 2, ["no write capacity"]),
            (["-i", url, "--create-target"], 2, ["--from s3://"]),
            (["--from", url, "--create-target", "--schema", bad_schema], 2, ["not a table's description"]),
            (["--from", url, "--create-target", "--schema", "/nonexistent/s.json"], 7, ["cannot read --schema"]),
            (["--from", url, "--create-target", "--like", lsi], 2, ["local secondary indexes"]),
            (["--from", url, "--create-target", "--like", like + "-missing"], 4, [like + "-missing"]),
            (["--from", "s3://%s/none/AWSDynamoDB/01-z/" % BUCKET, "--create-target", "--like", like], 4,
             ["manifest-summary.json does not exist"]),
        ]
        for args, code, needles in cases:
            with self.subTest(args=args):
                p = self.dynamo("import", "-t", new, "-e", "src", *args)
                self.assertEqual(p.returncode, code, p.stderr)
                self.assertOneErrorLine(p, *needles)
        self.assertNotIn(new, harness.list_tables(self.src))


class RestorePointInTime(NativeCommandBase):
    """restore --point-in-time TIME --target-table NEW: RestoreTableToPointInTime, judged by boto3."""

    def test_pitr_off_out_of_window_then_restored_into_a_new_table(self):
        name, items = self.table_with_items("pitr", n=60)
        new = name + "-as-of"

        p = self.dynamo("restore", "-t", name, "-e", "src", "--point-in-time", "latest", "--target-table", new)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "point-in-time recovery is off", name)
        self.src.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})

        cases = [
            (["--point-in-time", "latest"], 2, ["--target-table NEW"]),
            (["--point-in-time", "latest", "--target-table", name], 2, ["a new table"]),
            (["--point-in-time", "2001-01-01T00:00:00Z", "--target-table", new], 2,
             ["--point-in-time 2001-01-01T00:00:00Z is outside the times", name]),
            (["--point-in-time", "soon", "--target-table", new], 2, ["--point-in-time", "ISO 8601"]),
            (["--point-in-time", "latest", "--target-table", new, "--backup-name", "x"], 2, ["of its own"]),
            (["--target-table", new, "--from-table", name + "-x"], 2, ["of its own"]),
            (["--point-in-time", "latest", "--target-table", new, "--max-wcu", "5"], 2, ["do not apply"]),
        ]
        for args, code, needles in cases:
            with self.subTest(args=args):
                p = self.dynamo("restore", "-t", name, "-e", "src", *args)
                self.assertEqual(p.returncode, code, p.stderr)
                self.assertOneErrorLine(p, *needles)
        self.assertNotIn(new, harness.list_tables(self.src))

        p = self.dynamo("restore", "-t", name, "-e", "src", "--point-in-time", "latest", "--target-table", new,
                        "--dry-run", check=0)
        self.assertIn("RestoreTableToPointInTime", p.stdout)
        self.assertNotIn(new, harness.list_tables(self.src))

        p = self.dynamo("restore", "-t", name, "-e", "src", "--point-in-time", "latest", "--target-table", new,
                        "--json", check=0)
        self.assertTablesEqual(self.src, name, self.src, new)
        self.assertEqual(len(harness.table_contents(self.src, new)), len(items))
        self.assertTrue(json.loads(p.stdout.splitlines()[-1])["ok"])

        # The new table exists now: a second restore into it is refused, and it stays as it is.
        p = self.dynamo("restore", "-t", name, "-e", "src", "--point-in-time", "latest", "--target-table", new)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertOneErrorLine(p, "'%s' already exists" % new)
        self.assertTablesEqual(self.src, name, self.src, new)


class ImportFromS3Paced(NativeCommandBase, FaultBase):
    """-i s3:// goes through the write path: --max-wcu holds, as the capacity proxy counts it."""

    def test_the_write_cap_holds_across_data_files(self):
        name = unique_name("imp-paced")
        create_table(self.src, name)
        items = padded_items(300)                        # 2 write units each
        folder = "paced/AWSDynamoDB/01767225600000-cccc0001/"
        test_native_s3.ExportReader.layout(self, folder, items, nfiles=3)
        proxy = self.proxy("--capacity")
        p = self.via(proxy, "import", "-t", name, "-e", "src", "-i", "s3://%s/%s" % (BUCKET, folder),
                     "--max-wcu", "150", timeout=120)
        self.assertSucceeded(p)
        self.assertEqual(harness.table_contents(self.src, name), sorted(harness.canonical(i) for i in items))
        writes = spent(proxy.stats()["capacity"], "write")
        self.assertEqual(sum(u for _, u in writes), 600)   # every item once
        test_rate_limits.RateCaps.assertHeld(self, writes, 150)


class ExportThenImport(NativeCommandBase):
    """dynamo's export to S3, then dynamo's import of it, judged by boto3 (moto writes no manifest files)."""

    def test_an_export_without_manifest_loads_with_no_manifest(self):
        name, items = self.table_with_items("rt", n=90)
        p = self.dynamo("export", "-t", name, "-e", "src", "--to", "s3://%s/rt" % BUCKET, "--enable-pitr",
                        "--yes", check=0)
        folder = self.keys_under("rt/AWSDynamoDB/")[0].split("data/")[0]
        self.assertTrue(p.stdout.strip().startswith("s3://%s/rt/" % BUCKET), p.stdout)
        url = "s3://%s/%s" % (BUCKET, folder)
        new = unique_name("rt-into")
        create_table(self.src, new)

        # Without its manifest files the export is refused as one, by name...
        p = self.dynamo("import", "-t", new, "-e", "src", "-i", url)
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertOneErrorLine(p, "manifest-summary.json does not exist")
        # ...and read file by file with --no-manifest.
        p = self.dynamo("import", "-t", new, "-e", "src", "-i", url, "--no-manifest", "--dry-run", check=0)
        self.assertIn("no manifest: items not counted", p.stdout)
        self.dynamo("import", "-t", new, "-e", "src", "-i", url, "--no-manifest", check=0)
        self.assertTablesEqual(self.src, name, self.src, new)
        self.assertEqual(len(harness.table_contents(self.src, new)), len(items))

        p = self.dynamo("import", "-t", new, "-e", "src", "-i", "items.json", "--no-manifest")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertOneErrorLine(p, "--no-manifest", "s3://")


class CopyVia(NativeCommandBase):
    """copy --via s3://: DynamoDB's export, then ImportTable (a new target) or dynamo's writes (an existing one).

    moto writes its exports without manifest files: --no-manifest reads them
    (real exports have them, and are checked against them)."""

    def plain_table(self, prefix, n=60):
        # moto's ImportTable cannot parse every attribute type (sets, binaries): plain ones.
        name = unique_name(prefix)
        create_table(self.src, name)
        put_items(self.src, name, ImportTableFromS3.plain_items(self, n))
        return name

    def test_into_a_new_table_through_import_table_after_a_dry_run_that_compares_costs(self):
        name = self.plain_table("via-new")
        new = unique_name("via-new-into")
        # What ImportTable does not give a table, and the setup stage after it does.
        arn = self.src.describe_table(TableName=name)["Table"]["TableArn"]
        self.src.tag_resource(ResourceArn=arn, Tags=[{"Key": "team", "Value": "core"}])
        self.src.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": "exp"})
        self.src.update_table(TableName=name, DeletionProtectionEnabled=True,
                              StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        args = ("copy", "-t", name, "--target-table", new, "-e", "src", "--create-target",
                "--via", "s3://%s/via" % BUCKET, "--enable-pitr", "--no-manifest")
        p = self.dynamo(*args, "--dry-run", check=0)
        self.assertEqual([l.split()[1] for l in p.stdout.splitlines() if l[:4].strip().rstrip(".").isdigit()],
                         ["enable-pitr", "export", "import", "setup"])
        self.assertIn("ImportTable", p.stdout)
        self.assertRegex(p.stdout, r"estimate: scan \+ write: about \$[0-9.]+ and .*; export to S3 \+ ImportTable: "
                                   r"about \$[0-9.]+ and .*on-demand prices of 20")
        self.assertNotIn("concurrency", p.stdout)   # nothing of it is dynamo's writes
        self.assertEqual(self.pitr(name), "DISABLED")
        self.assertNotIn(new, harness.list_tables(self.src))
        plan = json.loads(self.dynamo(*args, "--dry-run", "--json", check=0).stdout)
        self.assertEqual(set(plan["estimate"]), {"scan_write", "export_import", "prices"})

        p = self.dynamo(*args, "--yes", "--json", check=0)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.src, new), 60)
        self.assertEqual(len(self.exports_of(name)), 1)
        result = json.loads(p.stdout.splitlines()[-1])
        self.assertEqual([s["name"] for s in result["stages"]], ["enable-pitr", "export", "import", "setup"])
        # Under a prefix of the run's own, so that its export is the only one there.
        self.assertIn("/via/dynamo-%s-" % name, result["stages"][1]["result"])
        self.assertNotIn("warning", p.stderr)
        desc = self.src.describe_table(TableName=new)["Table"]
        self.assertTrue(desc["DeletionProtectionEnabled"])
        self.assertEqual(desc["StreamSpecification"], {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        self.assertEqual(self.src.describe_time_to_live(TableName=new)["TimeToLiveDescription"],
                         {"TimeToLiveStatus": "ENABLED", "AttributeName": "exp"})
        self.assertEqual(self.src.list_tags_of_resource(ResourceArn=desc["TableArn"])["Tags"],
                         [{"Key": "team", "Value": "core"}])
        self.assertEqual(self.pitr(new), "ENABLED")
        for t in (name, new):   # so that the suite's cleanup may delete them
            self.src.update_table(TableName=t, DeletionProtectionEnabled=False)

    def test_into_a_table_with_items_backs_up_writes_and_prunes(self):
        name, items = self.table_with_items("via-old", n=50)
        old = unique_name("via-old-into")
        create_table(self.src, old)
        put_items(self.src, old, [{"PK": {"S": "STALE"}, "SK": {"S": "1"}}] + items[:5])
        self.src.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
        p = self.dynamo("copy", "-t", name, "--target-table", old, "-e", "src", "--via", "s3://%s/viaold" % BUCKET,
                        "--no-manifest", "--dry-run", check=0)
        self.assertIn("export to S3 + write from the export's files", p.stdout)
        p = self.dynamo("copy", "-t", name, "--target-table", old, "-e", "src", "--via", "s3://%s/viaold" % BUCKET,
                        "--no-manifest", "--yes", "--json", check=0)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.src, old), len(items))
        result = json.loads(p.stdout.splitlines()[-1])
        self.assertEqual([s["name"] for s in result["stages"]], ["backup", "export", "import", "prune"])
        self.assertEqual(len(self.src.list_backups(TableName=old)["BackupSummaries"]), 1)

    def test_what_an_export_cannot_do_is_refused_before_anything_starts(self):
        name = self.plain_table("via-bad", n=3)
        new = unique_name("via-bad-into")
        via = ("--via", "s3://%s/bad" % BUCKET)
        for extra, needle in ((("--pk", "TENANT#1"), "a selection"),
                              (("--pk-prefix", "TENANT#"), "a selection"),
                              (("--set", 'env={"S":"x"}'), "--set"),
                              (("--checkpoint", "ck.json"), "--checkpoint"),
                              (("--max-rcu", "10"), "--max-rcu")):
            p = self.dynamo("copy", "-t", name, "--target-table", new, "-e", "src", "--create-target", *via, *extra)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertOneErrorLine(p, "--via", needle)
        p = self.dynamo("copy", "-t", name, "--target-table", new, "-e", "src", "--create-target", "--no-manifest")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertOneErrorLine(p, "--no-manifest only goes with --via")
        # PITR off: named, with both ways out; nothing turned on or exported.
        p = self.dynamo("copy", "-t", name, "--target-table", new, "-e", "src", "--create-target", *via)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "point-in-time recovery is off", "--enable-pitr", "without --via")
        p = self.dynamo("copy", "-t", name, "--target-table", new, "-e", "src", "--create-target", "--enable-pitr",
                        "--via", "s3://no-such-bucket-e2e/x", "--yes")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertOneErrorLine(p, "'no-such-bucket-e2e' does not exist", "--via")
        self.assertEqual(self.pitr(name), "DISABLED")
        self.assertEqual(self.exports_of(name), [])
        self.assertNotIn(new, harness.list_tables(self.src))
