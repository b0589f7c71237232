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
import time

import data
import harness
from harness import create_table, put_items, unique_name
from test_native_s3 import BUCKET, NativeBase


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
