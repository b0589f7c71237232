"""dynamo restore and dynamo backups, judged by boto3."""
import json
import time

import botocore.exceptions

import data
import harness
from harness import create_table, put_items, unique_name
from test_truncate import run_on_tty, summary

GSI = ("GSI1", ("GSI1PK", "S"), ("GSI1SK", "S"), "ALL")
LSI = ("LSI1", None, ("LSI1SK", "N"), "ALL")


def exists(ddb, name):
    try:
        ddb.describe_table(TableName=name)
        return True
    except botocore.exceptions.ClientError as e:
        if e.response["Error"]["Code"] == "ResourceNotFoundException":
            return False
        raise


class RestoreFromTable(harness.TestCase):
    """restore --from-table B: truncate T, copy B into T, delete B (dynamo-cmdline's restore_from_backup)."""

    def pair(self, hash_key=("PK", "S"), range_key=("SK", "S"), n_t=40, n_b=60):
        t, b = unique_name("rst-t"), unique_name("rst-b")
        kw = dict(hash_key=hash_key, range_key=range_key)
        if range_key:
            kw.update(gsis=[GSI], lsis=[LSI])
        create_table(self.src, t, **kw)
        create_table(self.src, b, **kw)
        pk, sk = hash_key[0], range_key[0] if range_key else None

        def items(n, first):
            out = []
            for i in range(first, first + n):
                it = data.rich_item(i, pk=pk, sk=sk)
                if range_key and i % 2:  # a sparse GSI
                    it["GSI1PK"] = {"S": "G%d" % (i % 3)}
                    it["GSI1SK"] = {"S": "%04d" % i}
                    it["LSI1SK"] = {"N": data.NUMBERS[i % len(data.NUMBERS)]}
                out.append(it)
            return out

        # T and B overlap: some of B's items replace T's, some of T's must go.
        put_items(self.src, t, items(n_t, 0))
        put_items(self.src, b, items(n_b, n_t // 2))
        return t, b

    def test_puts_the_copy_back_and_deletes_it(self):
        t, b = self.pair()
        want = harness.table_contents(self.src, b)
        p = self.dynamo("restore", "-t", t, "-e", "src", "--from-table", b, "--yes", check=0)
        self.assertEqual(harness.table_contents(self.src, t), want)
        self.assertFalse(exists(self.src, b), "the --from-table table was not deleted")
        # B's 60 items are put over T; of T's 40, the 20 that B lacks are deleted.
        self.assertIn("60 read, 60 written, 20 deleted", summary(p, "restore"))
        # The sparse GSI follows the items.
        q = dict(TableName=t, IndexName="GSI1", KeyConditionExpression="GSI1PK = :p",
                 ExpressionAttributeValues={":p": {"S": "G1"}})
        self.assertEqual(sorted(harness.canonical(i) for i in self.src.query(**q)["Items"]),
                         sorted(i for i in want if '"GSI1PK", ["S", "G1"]' in i))

    def test_keep_source(self):
        t, b = self.pair(hash_key=("name", "S"), range_key=("status", "S"))
        want = harness.table_contents(self.src, b)
        self.dynamo("restore", "-t", t, "-e", "src", "--from-table", b, "--keep-source", "--yes", check=0)
        self.assertEqual(harness.table_contents(self.src, t), want)
        self.assertEqual(harness.table_contents(self.src, b), want)

    def test_odd_key_names(self):
        t, b = self.pair(hash_key=("a b#c.d:e", "S"), range_key=("x.y:z", "S"), n_t=10, n_b=25)
        want = harness.table_contents(self.src, b)
        self.dynamo("restore", "-t", t, "-e", "src", "-from-table", b, "--yes", check=0)
        self.assertEqual(harness.table_contents(self.src, t), want)
        self.assertFalse(exists(self.src, b))

    def test_numeric_hash_only_keys(self):
        t, b = unique_name("rst-n"), unique_name("rst-nb")
        for table, n in ((t, 10), (b, 25)):
            create_table(self.src, table, hash_key=("id", "N"), range_key=None)
            put_items(self.src, table, [{"id": {"N": str(i * 3 + (table == b))}, "v": {"N": data.NUMBERS[i % 11]}}
                                        for i in range(n)])
        want = harness.table_contents(self.src, b)
        self.dynamo("restore", "-t", t, "-e", "src", "--from-table", b, "--yes", check=0)
        self.assertEqual(harness.table_contents(self.src, t), want)
        self.assertFalse(exists(self.src, b))

    def test_empty_copy_empties_the_table(self):
        t, b = self.pair(n_b=0)
        self.dynamo("restore", "-t", t, "-e", "src", "--from-table", b, "--yes", check=0)
        self.assertEqual(harness.table_contents(self.src, t), [])
        self.assertFalse(exists(self.src, b))

    def test_refuses_without_yes_saying_what_would_go(self):
        t, b = self.pair()
        before = harness.table_contents(self.src, t), harness.table_contents(self.src, b)
        p = self.dynamo("restore", "-t", t, "-e", "src", "--from-table", b)
        self.assertEqual(p.returncode, 6)
        line = self.assertOneErrorLine(p, "--yes", "put every item of '%s' into '%s'" % (b, t),
                                       "delete the items of '%s'" % t, "delete table '%s'" % b)
        self.assertIn("--keep-source", line)
        p = self.dynamo("restore", "-t", t, "-e", "src", "--from-table", b, "--keep-source")
        self.assertEqual(p.returncode, 6)
        line = self.assertOneErrorLine(p, "--yes", "delete the items of '%s'" % t)
        self.assertNotIn("delete table", line)
        self.assertEqual((harness.table_contents(self.src, t), harness.table_contents(self.src, b)), before)

    def test_asks_on_a_terminal(self):
        t, b = self.pair(n_t=5, n_b=8)
        before = harness.table_contents(self.src, t), harness.table_contents(self.src, b)
        p, tty = run_on_tty(self.env, ["restore", "-t", t, "-e", "src", "--from-table", b], "n")
        self.assertEqual(p.returncode, 6, p.stderr)
        self.assertIn("delete table '%s'" % b, tty)
        self.assertEqual((harness.table_contents(self.src, t), harness.table_contents(self.src, b)), before)
        p, tty = run_on_tty(self.env, ["restore", "-t", t, "-e", "src", "--from-table", b], "y")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(harness.table_contents(self.src, t), before[1])
        self.assertFalse(exists(self.src, b))

    def test_dry_run_prints_the_plan_and_changes_nothing(self):
        t, b = self.pair(n_t=5, n_b=8)
        before = harness.table_contents(self.src, t), harness.table_contents(self.src, b)
        p = self.dynamo("restore", "-t", t, "-e", "src", "--from-table", b, "--dry-run", check=0)
        stages = [l.split()[1] for l in p.stdout.splitlines() if l.startswith("  ")]
        # Copy first, prune after: no delete can hit a key the copy writes.
        self.assertEqual(stages, ["copy", "prune", "drop"], p.stdout)
        p = self.dynamo("restore", "-t", t, "-e", "src", "--from-table", b, "--dry-run", "--keep-source", check=0)
        stages = [l.split()[1] for l in p.stdout.splitlines() if l.startswith("  ")]
        self.assertEqual(stages, ["copy", "prune"], p.stdout)
        self.assertEqual((harness.table_contents(self.src, t), harness.table_contents(self.src, b)), before)

    def test_bad_input_is_one_line_and_changes_nothing(self):
        t, b = self.pair(n_t=5, n_b=8)
        other = unique_name("rst-o")
        create_table(self.src, other, range_key=("Other", "S"))
        before = harness.table_contents(self.src, t), harness.table_contents(self.src, b)
        missing = unique_name("rst-none")
        cases = [
            (2, ["--from-table", b, "--backup-arn", "arn:aws:dynamodb:us-east-1:123456789012:table/x/backup/1"],
             ["exactly one", "--from-table", "--backup-arn"]),
            (2, ["--from-table", b, "--backup-name", "nightly"], ["exactly one"]),
            (2, [], ["exactly one"]),
            (2, ["--from-table", t], ["--from-table", "another table"]),
            (4, ["--from-table", missing], [missing, "not found"]),
            (2, ["--from-table", other], ["key schemas differ", "Other"]),
        ]
        for code, args, needles in cases:
            p = self.dynamo("restore", "-t", t, "-e", "src", "--yes", *args)
            self.assertEqual(p.returncode, code, (args, p.stderr))
            self.assertOneErrorLine(p, *needles)
        p = self.dynamo("restore", "-t", missing, "-e", "src", "--yes", "--from-table", b)
        self.assertEqual(p.returncode, 4)
        self.assertOneErrorLine(p, missing, "not found")
        self.assertEqual((harness.table_contents(self.src, t), harness.table_contents(self.src, b)), before)
        self.assertTrue(exists(self.src, other))


class BackupCase(harness.TestCase):
    backends = ("moto",)  # dynalite has no backups

    def table_with_backups(self, names):
        """A table and one backup per name (a second apart), each after writing more items.

        Returns (table, [(backup ARN, contents at that time)]).
        """
        t = unique_name("bk")
        create_table(self.src, t, gsis=[GSI], lsis=[LSI])
        out = []
        for i, bk in enumerate(names):
            put_items(self.src, t, data.rich_items(10 * (i + 1)))
            arn = self.src.create_backup(TableName=t, BackupName=bk)["BackupDetails"]["BackupArn"]
            out.append((arn, harness.table_contents(self.src, t)))
            time.sleep(0.01)  # distinct creation times (moto keeps microseconds)
        return t, out


class RestoreBackup(BackupCase):

    def test_backup_arn_into_a_new_table(self):
        t, bks = self.table_with_backups(["first", "second"])
        new = unique_name("bk-new")
        # Not destructive: no --yes needed, even without a terminal.
        p = self.dynamo("restore", "-t", new, "-e", "src", "--backup-arn", bks[0][0], check=0)
        self.assertEqual(self.src.describe_table(TableName=new)["Table"]["TableStatus"], "ACTIVE")
        self.assertEqual(harness.table_contents(self.src, new), bks[0][1])
        summary(p, "restore")

    def test_backup_name_restores_the_latest_of_that_name(self):
        t, bks = self.table_with_backups(["nightly", "nightly", "other"])
        self.src.delete_table(TableName=t)
        self.dynamo("restore", "-t", t, "-e", "src", "--backup-name", "nightly", check=0)
        self.assertEqual(harness.table_contents(self.src, t), bks[1][1])

    def test_backup_name_under_another_table_name(self):
        # What the error for an existing table suggests: restore under another name with -t.
        nightly = unique_name("nightly")
        t, bks = self.table_with_backups([nightly, nightly])
        new = unique_name("bk-other")
        self.dynamo("restore", "-t", new, "-e", "src", "--backup-name", nightly, check=0)
        self.assertEqual(harness.table_contents(self.src, new), bks[1][1])
        self.assertEqual(harness.table_contents(self.src, t), bks[1][1])
        # Two tables with backups of that name: which one is meant is not guessed.
        self.table_with_backups([nightly])
        newer = unique_name("bk-other")
        p = self.dynamo("restore", "-t", newer, "-e", "src", "--backup-name", nightly)
        self.assertEqual(p.returncode, 2)
        self.assertOneErrorLine(p, "'%s'" % nightly, "--backup-arn")
        self.assertFalse(exists(self.src, newer))

    def test_existing_table_is_refused(self):
        t, bks = self.table_with_backups(["nightly"])
        put_items(self.src, t, [{"PK": {"S": "LATER"}, "SK": {"S": "x"}}])
        before = harness.table_contents(self.src, t)
        for args in (["--backup-arn", bks[0][0]], ["--backup-name", "nightly"]):
            p = self.dynamo("restore", "-t", t, "-e", "src", "--yes", *args)
            self.assertEqual(p.returncode, 2)
            self.assertOneErrorLine(p, "'%s' already exists" % t, "-t")
        self.assertEqual(harness.table_contents(self.src, t), before)

    def test_unknown_backup_is_one_line(self):
        t, bks = self.table_with_backups(["nightly"])
        new = unique_name("bk-none")
        p = self.dynamo("restore", "-t", new, "-e", "src", "--backup-name", "weekly")
        self.assertEqual(p.returncode, 4)
        self.assertOneErrorLine(p, "'weekly'", "dynamo backups")
        gone = bks[0][0][:-8] + "00000000"
        p = self.dynamo("restore", "-t", new, "-e", "src", "--backup-arn", gone)
        self.assertEqual(p.returncode, 4)
        self.assertOneErrorLine(p, gone, "dynamo backups")
        self.assertFalse(exists(self.src, new))

    def test_dry_run_creates_nothing(self):
        t, bks = self.table_with_backups(["nightly"])
        new = unique_name("bk-dry")
        p = self.dynamo("restore", "-t", new, "-e", "src", "--backup-arn", bks[0][0], "--dry-run", check=0)
        self.assertIn(bks[0][0], p.stdout)
        self.assertFalse(exists(self.src, new))


class Backups(BackupCase):

    def test_lists_the_tables_backups_newest_first(self):
        t, bks = self.table_with_backups(["aaa", "bbb", "aaa"])
        other, _ = self.table_with_backups(["bbb"])
        want = sorted(self.src.list_backups(TableName=t)["BackupSummaries"],
                      key=lambda b: b["BackupCreationDateTime"], reverse=True)
        self.assertEqual(len(want), 3)
        p = self.dynamo("backups", "-t", t, "-e", "src", check=0)
        lines = p.stdout.splitlines()
        self.assertEqual([l.split()[-1] for l in lines], [b["BackupArn"] for b in want])
        self.assertEqual([l.split()[0] for l in lines], [b["BackupName"] for b in want])
        p = self.dynamo("backups", "-t", t, "-e", "src", "--json", check=0)
        got = json.loads(p.stdout)
        self.assertEqual([b["BackupArn"] for b in got], [b["BackupArn"] for b in want])
        self.assertEqual({b["TableName"] for b in got}, {t})

    def test_a_table_without_backups(self):
        t = unique_name("bk-none")
        create_table(self.src, t)
        p = self.dynamo("backups", "-t", t, "-e", "src", check=0)
        self.assertEqual(p.stdout, "")
        p = self.dynamo("backups", "-t", t, "-e", "src", "--json", check=0)
        self.assertEqual(json.loads(p.stdout), [])


class BackupsUnsupported(harness.TestCase):
    backends = ("dynalite",)

    def test_backups_says_the_endpoint_has_none(self):
        t = unique_name("bk-dl")
        create_table(self.src, t)
        p = self.dynamo("backups", "-t", t, "-e", "src")
        self.assertEqual(p.returncode, 1)
        self.assertOneErrorLine(p, "does not support backups", "profile 'src'", t)

    def test_restore_from_a_backup_says_the_endpoint_has_none(self):
        t, new = unique_name("bk-dl"), unique_name("bk-dl-new")
        create_table(self.src, t)
        for args in (["--backup-name", "nightly"],
                     ["--backup-arn", "arn:aws:dynamodb:us-east-1:123456789012:table/%s/backup/01795294942366-0cbb0650" % t]):
            p = self.dynamo("restore", "-t", new, "-e", "src", *args)
            self.assertEqual(p.returncode, 1)
            self.assertOneErrorLine(p, "does not support backups", "profile 'src'")
            self.assertFalse(exists(self.src, new))

    # Once "DescribeContinuousBackups failed: UnknownOperationException",
    # which named neither the endpoint nor what to do instead.
    def test_point_in_time_and_native_export_say_the_endpoint_has_no_pitr(self):
        t, new = unique_name("pitr-dl"), unique_name("pitr-dl-new")
        create_table(self.src, t)
        p = self.dynamo("restore", "-t", t, "-e", "src", "--point-in-time", "2026-01-01T00:00:00Z",
                        "--target-table", new, "--yes")
        self.assertEqual(p.returncode, 1)
        self.assertOneErrorLine(p, "does not support point-in-time recovery", "profile 'src'", t)
        self.assertFalse(exists(self.src, new))
        # dynamo looks at the S3 prefix first, through the same endpoint, which answers no
        # S3 listing: one retry is enough for that (the default ten took 15 s of this class's 20).
        p = self.dynamo("export", "-t", t, "-e", "src", "--to", "s3://bucket/pfx", "--max-retries", "1")
        self.assertEqual(p.returncode, 1)
        self.assertOneErrorLine(p, "does not support point-in-time recovery", "profile 'src'", "-o FILE")
