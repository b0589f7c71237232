"""S3 and DynamoDB's own export, import and restore, end to end on moto.

The modules are driven here by tests/e2e/native_driver.c (built by make
test-build next to the tests; $DYNAMO_DRIVER), below the commands that use
them (test_native_commands.py tests those), with the same environment,
profiles and endpoints as dynamo. boto3 judges: the bytes S3 holds, the items a table
holds.

  S3 client       listing over pages, streamed and windowed GetObject, byte
                  for byte; memory that does not grow with the object; broken
                  transfers taken up where they stopped (fault_proxy.py
                  --drop-response); a server that ignores Range; missing keys;
                  secrets S3 echoes in a SignatureDoesNotMatch
  export reader   moto's ExportTableToPointInTime read back exactly; exports
                  laid out as DynamoDB writes them (manifest-summary.json,
                  manifest-files.json, data/*.json.gz) read and checked (MD5,
                  ETag, counts, gzip trailer, keys outside the folder, ION,
                  an export moved elsewhere), incremental records
  control plane   PITR, export, import into a new table, point-in-time restore
  signatures      a moto with IAM authentication checks every S3 signature
"""
import base64
import gzip
import hashlib
import json
import os
import re
import subprocess

from botocore.config import Config

import data
import harness
from harness import create_table, put_items, unique_name
from test_secrets_echoed import SIGNATURE

DRIVER = os.environ.get("DYNAMO_DRIVER") or os.path.join(os.path.dirname(harness.BIN), "tests", "native_driver")
BUCKET = "e2e-native"


def dynamodb_json(item):
    """An item as DynamoDB's export writes it: binaries in base64."""
    return json.dumps(item, default=lambda b: base64.b64encode(bytes(b)).decode())


def maxrss_kb(stderr):
    m = re.search(rb"peak_rss_kb (\d+)", stderr)
    return int(m.group(1))


class Driver:
    """Running the driver, and what its failures look like."""

    def drive(self, *args, extra_env=None, check=None, timeout=180):
        """Runs the driver; returns CompletedProcess with bytes stdout and stderr."""
        args = [str(a) for a in args]
        if "-e" not in args:
            args = ["-e", "src"] + args
        argv = harness.WRAP + [DRIVER] + args
        p = subprocess.run(argv, capture_output=True, env=self.env.environ(extra_env), timeout=timeout)
        if check is not None and p.returncode != check:
            raise AssertionError("native_driver %s exited %d, wanted %d\nstderr: %s" %
                                 (" ".join(map(str, args)), p.returncode, check, p.stderr.decode(errors="replace")))
        return p

    def error_line(self, p, *needles):
        """The one 'dynamo: ' error line (the driver's own lines start with '# '), with every needle in it."""
        lines = [l for l in p.stderr.decode(errors="replace").splitlines()
                 if l.strip() and not l.startswith("# ")]
        self.assertEqual(len(lines), 1, "wanted one error line, got:\n%s" % "\n".join(lines))
        self.assertTrue(lines[0].startswith("dynamo: "), lines[0])
        for n in needles:
            self.assertIn(n, lines[0])
        return lines[0]

    def put(self, key, body):
        return self.s3.put_object(Bucket=BUCKET, Key=key, Body=body)["ETag"]


class NativeBase(Driver, harness.TestCase):
    backends = ("moto",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.s3 = harness.client(cls.env, "src", "s3")
        cls.s3.create_bucket(Bucket=BUCKET)


class S3Client(NativeBase):

    KEYS = ["list/plain.json", "list/a b+c.json.gz", "list/100%.txt", "list/caf\u00e9/\u65e5\u672c.gz",
            "list/tilde~/x", "list/amp&lt<gt>'quote\"", "list/double//slash", "list/sp  ace",
            "list/\u2603 snow", "list/emoji \U0001F600"] + ["list/many/%03d" % i for i in range(13)]

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        for i, k in enumerate(cls.KEYS):
            cls.s3.put_object(Bucket=BUCKET, Key=k, Body=("body %d of %s" % (i, k)).encode())
        cls.s3.put_object(Bucket=BUCKET, Key="lisu/outside", Body=b"x")
        cls.blob = os.urandom(3 << 20)
        cls.s3.put_object(Bucket=BUCKET, Key="blob/3mb", Body=cls.blob)
        cls.s3.put_object(Bucket=BUCKET, Key="blob/empty", Body=b"")

    def boto_list(self, prefix):
        out, token = [], None
        while True:
            kw = {"ContinuationToken": token} if token else {}
            r = self.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix, **kw)
            out += [(o["Key"], o["Size"], o["ETag"]) for o in r.get("Contents", [])]
            token = r.get("NextContinuationToken")
            if not r["IsTruncated"]:
                return out

    def test_listing_walks_every_page_in_order(self):
        p = self.drive("--max-keys", 4, "s3-list", "s3://%s/list/" % BUCKET, check=0)
        got = [tuple(l.split("\t")) for l in p.stdout.decode().splitlines()]
        got = [(k, int(n), e) for k, n, e in got]
        want = self.boto_list("list/")
        self.assertEqual(len(want), len(self.KEYS))
        self.assertEqual(got, want)
        self.assertIn(b"# pages 6", p.stderr)      # 23 keys, 4 a page
        p = self.drive("s3-list", "s3://%s/nothing-here/" % BUCKET, check=0)
        self.assertEqual(p.stdout, b"")

    def test_every_object_comes_back_byte_for_byte(self):
        for key in self.KEYS[:10]:
            want = self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
            p = self.drive("s3-get", "s3://%s/%s" % (BUCKET, key), check=0)
            self.assertEqual(p.stdout, want, key)
        p = self.drive("s3-get", "s3://%s/blob/3mb" % BUCKET, check=0)
        self.assertEqual(hashlib.sha256(p.stdout).hexdigest(), hashlib.sha256(self.blob).hexdigest())
        p = self.drive("s3-get", "s3://%s/blob/empty" % BUCKET, check=0)
        self.assertEqual(p.stdout, b"")
        p = self.drive("--window", 262144, "s3-read", "s3://%s/blob/3mb" % BUCKET, check=0)
        self.assertEqual(p.stdout, self.blob)
        self.assertIn(b"# windows 12", p.stderr)
        p = self.drive("--window", 262144, "s3-read", "s3://%s/blob/empty" % BUCKET, check=0)
        self.assertEqual(p.stdout, b"")
        # A range, as S3 cuts it.
        want = self.s3.get_object(Bucket=BUCKET, Key="blob/3mb", Range="bytes=1000-1999")["Body"].read()
        p = self.drive("--offset", 1000, "--length", 1000, "s3-get", "s3://%s/blob/3mb" % BUCKET, check=0)
        self.assertEqual(p.stdout, want)

    def test_memory_does_not_grow_with_the_object(self):
        small, big = os.urandom(1 << 20), os.urandom(32 << 20)
        self.put("mem/small", small)
        self.put("mem/big", big)
        for args in (["s3-get"], ["--window", 1 << 20, "s3-read"]):
            ps = self.drive(*args, "s3://%s/mem/small" % BUCKET, check=0)
            pb = self.drive(*args, "s3://%s/mem/big" % BUCKET, check=0)
            self.assertEqual(pb.stdout, big)
            grew = maxrss_kb(pb.stderr) - maxrss_kb(ps.stderr)
            self.assertLess(grew, 8 << 10, "%s: 32 MB took %d KB more than 1 MB" % (args, grew))

    def test_broken_transfers_are_taken_up_where_they_stopped(self):
        proxy = harness.start_fault_proxy(self.backend.endpoint("src"), "--ops", "GetObject",
                                          "--drop-response", "0.4", "--seed", "5")
        self.addCleanup(proxy.stop)
        env = {"AWS_ENDPOINT_URL": proxy.url}
        p = self.drive("s3-get", "s3://%s/blob/3mb" % BUCKET, extra_env=env, check=0)
        self.assertEqual(p.stdout, self.blob)
        p = self.drive("--window", 524288, "s3-read", "s3://%s/blob/3mb" % BUCKET, extra_env=env, check=0)
        self.assertEqual(p.stdout, self.blob)
        self.assertGreater(proxy.stats()["faults"].get("drop_response", 0), 2)

    def test_a_server_that_ignores_range_is_refused(self):
        proxy = harness.start_fault_proxy(self.backend.endpoint("src"), "--ops", "GetObject",
                                          "--hostile", "ignore_range")
        self.addCleanup(proxy.stop)
        p = self.drive("--offset", 10, "s3-get", "s3://%s/blob/3mb" % BUCKET,
                       extra_env={"AWS_ENDPOINT_URL": proxy.url})
        self.assertEqual(p.returncode, 1, p.stderr)
        self.error_line(p, "the bytes from 10", "the whole object")
        self.assertEqual(p.stdout, b"")

    def test_missing_keys_and_buckets(self):
        p = self.drive("s3-get", "s3://%s/no/such/key" % BUCKET)
        self.assertEqual(p.returncode, 4, p.stderr)
        self.error_line(p, "s3://%s/no/such/key does not exist" % BUCKET)
        p = self.drive("s3-list", "s3://no-such-bucket-e2e/x")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.error_line(p, "bucket 'no-such-bucket-e2e' does not exist")
        p = self.drive("s3-get", "s3://a/x")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.error_line(p, "not a valid S3 bucket name")

    def test_echoed_secrets_never_reach_the_output(self):
        proxy = harness.start_fault_proxy(self.backend.endpoint("src"), "--ops", "GetObject,ListObjectsV2",
                                          "--hostile", "echo_secrets")
        self.addCleanup(proxy.stop)
        # 'tgt' signs with an assumed role's session token.
        env = {"AWS_ENDPOINT_URL_S3": proxy.url}
        outs = []
        for args in (["s3-get", "s3://%s/blob/empty" % BUCKET], ["s3-list", "s3://%s/list/" % BUCKET]):
            p = self.drive("-e", "tgt", *args, extra_env=env)
            self.assertEqual(p.returncode, 3, p.stderr)
            line = self.error_line(p, "SignatureDoesNotMatch", "secret access key")
            outs.append(p.stdout.decode(errors="replace") + p.stderr.decode(errors="replace"))
            self.assertIn("[REDACTED]", line)
        secrets = harness.moto_secrets(self.backend.endpoint("src")) | {harness.SRC_SECRET}
        self.assertTrue(secrets)
        for text in outs:
            for s in secrets:
                self.assertNotIn(s, text)
            self.assertIsNone(SIGNATURE.search(text), text)
        self.assertGreater(proxy.stats()["faults"].get("echo_secrets", 0), 1)


class ExportReader(NativeBase):
    """Exports laid out as DynamoDB writes them, read back through S3 and checked."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.items = data.rich_items(120) + [data.big_item(i) for i in range(2)]

    def layout(self, folder, items, nfiles=3, summary=None, files=None, lines=None, empty_file=True):
        """Writes an export of items under folder (…/AWSDynamoDB/ID/): data files, manifests.

        summary / files: changes to the summary and to each file's manifest entry (a function of
        (index, entry)); lines: the data lines (default {"Item": item}); empty_file: one more data
        file, empty, as an empty partition's. Returns the entries."""
        lines = lines or ['{"Item":%s}' % dynamodb_json(it) for it in items]
        entries = []
        for f in range(nfiles + (1 if empty_file else 0)):
            part = lines[f::nfiles] if f < nfiles else []
            blob = gzip.compress("".join(l + "\n" for l in part).encode())
            key = "%sdata/%08x-part%d.json.gz" % (folder, f * 2654435761 % 2 ** 32, f)
            etag = self.put(key, blob).strip('"')
            entry = {"itemCount": len(part), "md5Checksum": base64.b64encode(hashlib.md5(blob).digest()).decode(),
                     "etag": etag, "dataFileS3Key": key}
            entries.append(files(f, entry) if files else entry)
        self.put(folder + "manifest-files.json", "".join(json.dumps(e) + "\n" for e in entries).encode())
        s = {"version": "2020-06-30", "exportArn": "arn:aws:dynamodb:us-east-1:123456789012:table/t/export/%s" %
             folder.rstrip("/").rsplit("/", 1)[-1], "startTime": "2026-01-01T00:00:00.000Z",
             "endTime": "2026-01-01T00:05:00.000Z", "tableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/t",
             "exportTime": "2026-01-01T00:00:00.000Z", "s3Bucket": BUCKET, "s3Prefix": folder.split("/")[0],
             "s3SseAlgorithm": "AES256", "s3SseKmsKeyId": None, "manifestFilesS3Key": folder + "manifest-files.json",
             "billedSizeBytes": 1234, "itemCount": sum(e["itemCount"] for e in entries),
             "outputFormat": "DYNAMODB_JSON", "exportType": "FULL_EXPORT"}
        s.update(summary or {})
        self.put(folder + "manifest-summary.json", json.dumps(s).encode())
        self.put(folder + "_started", b"")
        return entries

    def read(self, folder, *extra, check=None):
        return self.drive("--window", 65536, *extra, "export-read", "s3://%s/%s" % (BUCKET, folder), check=check)

    def items_of(self, p):
        return sorted(harness.canonical(json.loads(l)) for l in p.stdout.decode().splitlines())

    def test_an_export_is_read_back_exactly(self):
        folder = "good/AWSDynamoDB/01767225600000-a1b2c3d4/"
        self.layout(folder, self.items)
        p = self.read(folder, check=0)
        self.assertEqual(self.items_of(p), sorted(harness.canonical(it) for it in self.items))
        self.assertIn(b"# files 4 items %d" % len(self.items), p.stderr)
        self.assertIn(b"complete 1", p.stderr)
        # Named by its manifest-summary.json too.
        p = self.read(folder + "manifest-summary.json", check=0)
        self.assertEqual(len(p.stdout.splitlines()), len(self.items))

    def test_an_export_moved_to_another_prefix_is_read_there(self):
        folder = "orig/AWSDynamoDB/01767225600001-b2c3d4e5/"
        self.layout(folder, self.items[:30])
        moved = "copied/" + folder
        for o in self.s3.list_objects_v2(Bucket=BUCKET, Prefix=folder)["Contents"]:
            self.s3.copy_object(Bucket=BUCKET, Key="copied/" + o["Key"],
                                CopySource={"Bucket": BUCKET, "Key": o["Key"]})
            self.s3.delete_object(Bucket=BUCKET, Key=o["Key"])
        p = self.read(moved, check=0)
        self.assertEqual(self.items_of(p), sorted(harness.canonical(it) for it in self.items[:30]))

    def refused(self, folder, code, *needles, **layout):
        self.layout(folder, self.items[:20], **layout)
        p = self.read(folder)
        self.assertEqual(p.returncode, code, p.stderr)
        return self.error_line(p, *needles)

    def test_a_file_that_is_not_the_one_listed_is_refused(self):
        def wrong_md5(i, e):
            if i == 1:
                e["md5Checksum"] = base64.b64encode(hashlib.md5(b"other").digest()).decode()
            return e
        self.refused("md5/AWSDynamoDB/01-a/", 1, "data/", "MD5", "the manifest says", files=wrong_md5)

        def wrong_count(i, e):
            if i == 2:
                e["itemCount"] += 1
            return e
        self.refused("count/AWSDynamoDB/01-b/", 1, "holds 6 items, the export's manifest says 7",
                     files=wrong_count)

    def test_counts_that_do_not_add_up_are_refused(self):
        self.refused("sum/AWSDynamoDB/01-c/", 1, "its summary says 21", summary={"itemCount": 21})

    def test_a_replaced_file_is_refused(self):
        folder = "replaced/AWSDynamoDB/01-d/"
        entries = self.layout(folder, self.items[:20])
        self.put(entries[0]["dataFileS3Key"], gzip.compress(b'{"Item":{"PK":{"S":"forged"}}}\n'))
        p = self.read(folder)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.error_line(p, entries[0]["dataFileS3Key"], "is not the object expected", entries[0]["etag"])
        self.assertNotIn(b"forged", p.stdout)

    def test_a_data_file_cut_short_is_refused(self):
        def cut(i, e):
            if i == 0:
                blob = self.s3.get_object(Bucket=BUCKET, Key=e["dataFileS3Key"])["Body"].read()
                e["etag"] = self.put(e["dataFileS3Key"], blob[:len(blob) * 2 // 3]).strip('"')
                e["md5Checksum"] = base64.b64encode(hashlib.md5(blob[:len(blob) * 2 // 3]).digest()).decode()
            return e
        self.refused("cut/AWSDynamoDB/01-e/", 1, "is cut short", files=cut)

    def test_a_manifest_pointing_elsewhere_is_refused(self):
        def elsewhere(i, e):
            if i == 1:
                e["dataFileS3Key"] = "list/plain.json"
            return e
        self.refused("elsewhere/AWSDynamoDB/01-f/", 1, "line 2 of", "not in the export's data folder",
                     files=elsewhere)

    def test_formats_it_cannot_read_are_named(self):
        self.refused("ion/AWSDynamoDB/01-g/", 1, "Amazon Ion format", "ExportFormat DYNAMODB_JSON",
                     summary={"outputFormat": "ION"})
        p = self.read("nowhere/AWSDynamoDB/01-h/")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.error_line(p, "manifest-summary.json does not exist", "AWSDynamoDB/EXPORT-ID")

    def test_incremental_records(self):
        folder = "inc/AWSDynamoDB/01767225600002-c3d4e5f6/"
        recs = []
        for i in range(30):
            keys = {"PK": {"S": "K%02d" % i}}
            rec = {"Metadata": {"WriteTimestampMicros": {"N": str(1767225600000000 + i)}}, "Keys": keys}
            if i % 3:
                rec["NewImage"] = dict(keys, v={"N": str(i)}, b={"B": b"\x00\x01"})
            if i % 2:
                rec["OldImage"] = dict(keys, v={"N": "0"})
            recs.append(rec)
        self.layout(folder, None, lines=[dynamodb_json(r) for r in recs],
                    summary={"exportType": "INCREMENTAL_EXPORT", "outputView": "NEW_AND_OLD_IMAGES",
                             "exportFromTime": "2026-01-01T00:00:00.000Z", "exportToTime": "2026-01-01T01:00:00.000Z"})
        p = self.read(folder, check=0)
        got = {}
        for line in p.stdout.decode().splitlines():
            kind, rest = line.split(" ", 1)
            dec = json.JSONDecoder()
            keys, end = dec.raw_decode(rest)
            got[keys["PK"]["S"]] = (kind, harness.canonical(json.loads(rest[end:])) if kind == "PUT" else None)
        want = {r["Keys"]["PK"]["S"]: ("PUT", harness.canonical(r["NewImage"])) if "NewImage" in r else ("DELETE", None)
                for r in recs}
        self.assertEqual(got, want)


class NativeControlPlane(NativeBase):
    """PITR, ExportTableToPointInTime, ImportTable and RestoreTableToPointInTime on moto, read back."""

    def test_export_read_back_and_restore(self):
        name = unique_name("native")
        create_table(self.src, name, gsis=[("GSI1", ("GSI1PK", "S"), None, "ALL")])
        items = data.rich_items(150) + [data.big_item(i) for i in range(2)]
        for i, it in enumerate(items):
            if i % 2:
                it["GSI1PK"] = {"S": "G%d" % (i % 3)}
        put_items(self.src, name, items)

        # No PITR: the export is refused, and says why.
        p = self.drive("pitr", name, check=0)
        self.assertEqual(p.stdout, b"disabled\n")
        p = self.drive("--prefix", "nopitr", "export", name, BUCKET)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.error_line(p, "PointInTimeRecoveryUnavailableException")
        p = self.drive("pitr-enable", name, check=0)
        self.assertEqual(p.stdout, b"enabled\n")
        pitr = self.src.describe_continuous_backups(TableName=name)["ContinuousBackupsDescription"]
        self.assertEqual(pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"], "ENABLED")

        # The export, then its data files read back through S3: exactly the table.
        p = self.drive("--prefix", "nightly", "export", name, BUCKET, check=0)
        arn, status, count = p.stdout.decode().split()
        self.assertEqual((status, int(count)), ("COMPLETED", len(items)))
        keys = [o["Key"] for o in self.s3.list_objects_v2(Bucket=BUCKET, Prefix="nightly/AWSDynamoDB/")["Contents"]]
        self.assertTrue(keys)
        folder = keys[0].split("data/")[0]
        p = self.drive("--list-data", "--window", 65536, "export-read", "s3://%s/%s" % (BUCKET, folder), check=0)
        got = sorted(harness.canonical(json.loads(l)) for l in p.stdout.decode().splitlines())
        self.assertEqual(got, harness.table_contents(self.src, name))
        self.assertEqual(len(got), len(items))

        # Point-in-time restore into another new table.
        restored = name + "-restored"
        p = self.drive("restore", name, restored, check=0)
        self.assertTablesEqual(self.src, name, self.src, restored)

    def test_import_into_a_new_table_like_another(self):
        # moto's ImportTable cannot parse every attribute type (it fails on rich_items): plain ones.
        name = unique_name("native-imp")
        create_table(self.src, name, gsis=[("GSI1", ("GSI1PK", "S"), None, "ALL")])
        items = [{"PK": {"S": "TENANT#%d" % (i % 7)}, "SK": {"S": "ITEM#%04d" % i}, "n": {"N": "%d.25" % i},
                  "GSI1PK": {"S": "G%d" % (i % 3)}} for i in range(60)]
        put_items(self.src, name, items)
        self.drive("pitr-enable", name, check=0)
        self.drive("--prefix", "forimport", "export", name, BUCKET, check=0)
        key = self.s3.list_objects_v2(Bucket=BUCKET, Prefix="forimport/AWSDynamoDB/")["Contents"][0]["Key"]
        # ImportTable into a new table with the source's schema: the same items, the same GSI.
        new = name + "-imported"
        p = self.drive("import", BUCKET, key.split("data/")[0] + "data/", new, name, check=0)
        self.assertEqual(p.stdout.decode().split(), ["COMPLETED", str(len(items))])
        self.assertTablesEqual(self.src, name, self.src, new)
        desc = self.src.describe_table(TableName=new)["Table"]
        self.assertEqual([g["IndexName"] for g in desc.get("GlobalSecondaryIndexes", [])], ["GSI1"])

    def test_import_refuses_what_it_cannot_create(self):
        name = unique_name("native-lsi")
        create_table(self.src, name, lsis=[("LSI1", None, ("other", "S"), "ALL")])
        p = self.drive("import", BUCKET, "x/", name + "-copy", name)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.error_line(p, "cannot create local secondary indexes")
        self.assertNotIn(name + "-copy", harness.list_tables(self.src))


class S3SignaturesWithIAM(Driver, harness.TestCase):
    """moto with IAM authentication on checks each S3 request's SigV4 signature."""

    backends = ("moto",)
    SETUP_ACTIONS = 6

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.moto = harness.start_moto(env={"INITIAL_NO_AUTH_ACTION_COUNT": str(cls.SETUP_ACTIONS)})
        try:
            key, role = harness.iam_user_and_role(cls.moto.url, "s3user", ["s3:*", "sts:*"])
            # From here on every request must be signed right.
            # moto checks no aws-chunked upload's signature right: plain bodies.
            cfg = Config(request_checksum_calculation="when_required")
            cls.s3 = harness.boto3.client("s3", endpoint_url=cls.moto.url, region_name="us-east-1", config=cfg,
                                  aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
            cls.s3.create_bucket(Bucket=BUCKET)
            cls.body = os.urandom(100000)
            # (moto's own check of a key with '+' fails, boto3's requests too)
            cls.s3.put_object(Bucket=BUCKET, Key="signed/a b~c.bin", Body=cls.body)
            cls.env.write(".aws/credentials", "[iam]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n"
                          "[wrong]\naws_access_key_id = %s\naws_secret_access_key = %s\n" %
                          (key["AccessKeyId"], key["SecretAccessKey"], key["AccessKeyId"], "w" * 40))
            cls.env.write(".aws/config", "[default]\nregion = us-east-1\n\n[profile iam]\nregion = us-east-1\n\n"
                          "[profile wrong]\nregion = us-east-1\n\n[profile role]\nregion = us-east-1\n"
                          "role_arn = %s\nsource_profile = iam\n" % role)
        except Exception:
            cls.moto.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        super().tearDownClass()

    def test_signed_requests_are_accepted_and_a_wrong_secret_is_named(self):
        env = {"AWS_ENDPOINT_URL": self.moto.url}
        url = "s3://%s/signed/a b~c.bin" % BUCKET
        for profile in ("iam", "role"):
            # (moto's check of a query with '/' fails, boto3's too: no '/' in the prefix)
            p = self.drive("-e", profile, "s3-list", "s3://%s/signed" % BUCKET, extra_env=env, check=0)
            self.assertEqual(p.stdout.decode().split("\t")[0], "signed/a b~c.bin")
            p = self.drive("-e", profile, "s3-get", url, extra_env=env, check=0)
            self.assertEqual(p.stdout, self.body)
            p = self.drive("-e", profile, "--offset", 5, "--length", 10, "s3-get", url, extra_env=env, check=0)
            self.assertEqual(p.stdout, self.body[5:15])
        p = self.drive("-e", "wrong", "s3-get", url, extra_env=env)
        self.assertEqual(p.returncode, 3, p.stderr)
        line = self.error_line(p, "SignatureDoesNotMatch", "secret access key", "profile 'wrong'")
        self.assertNotIn("w" * 40, line)
