"""--create-target's setup (TTL) is copied, or said not to be; and a rerun finishes what a failed run began.

A source whose TTL may not be read: the copy says so (a warning, the
summary line, --json, the step summary) or, with --strict, stops before
creating anything. A target that refuses UpdateTimeToLive after CreateTable:
the new table is deleted again, so the same command run later creates it
whole; when even that is refused, a rerun with the checkpoint finishes the
setup. A restore --from-table stopped right after it deleted its copy resumes.
The tables are judged through boto3 (moto), refusals come from
fault_proxy.py --deny.
"""
import json
import os

import harness
from harness import create_table, put_items, unique_name


def items(n=30):
    return [{"PK": {"S": "ITEM#%03d" % i}, "SK": {"S": "v"}, "expires": {"N": str(4102444800 + i)}} for i in range(n)]


class SetupFinished(harness.TestCase):
    backends = ("moto",)

    def setUp(self):
        self.dir = harness.tempfile.mkdtemp(prefix="dynamo-setup-")
        self.addCleanup(harness.shutil.rmtree, self.dir, True)

    def source_with_ttl(self):
        name = unique_name("setup-ttl")
        create_table(self.src, name)
        self.src.update_time_to_live(TableName=name, TimeToLiveSpecification={"Enabled": True,
                                                                               "AttributeName": "expires"})
        put_items(self.src, name, items())
        return name

    def proxy(self, side, *flags):
        p = harness.start_fault_proxy(self.backend.endpoint(side), *flags)
        self.addCleanup(p.stop)
        return p

    def ttl(self, name):
        return self.tgt.describe_time_to_live(TableName=name)["TimeToLiveDescription"]

    def exists(self, name):
        return name in self.tgt.list_tables()["TableNames"]

    def copy(self, name, *extra, **kw):
        return self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--create-target", "--yes",
                           *extra, **kw)

    def test_a_ttl_that_cannot_be_read_is_reported(self):
        name = self.source_with_ttl()
        proxy = self.proxy("src", "--deny", "DescribeTimeToLive")
        md = os.path.join(self.dir, "summary.md")
        p = self.copy(name, "--source-endpoint-url", proxy.url, "--json", extra_env={"GITHUB_STEP_SUMMARY": md})
        self.assertEqual(p.returncode, 0, p.stderr)
        warning = [l for l in p.stderr.splitlines() if l.startswith("dynamo: warning:")]
        self.assertEqual(len(warning), 1, p.stderr)
        self.assertIn("TTL", warning[0])
        self.assertIn("AccessDenied", warning[0])
        self.assertIn("1 warning", [l for l in p.stderr.splitlines() if "copy done" in l][0])
        out = json.loads(p.stdout)
        self.assertEqual(len(out["warnings"]), 1)
        self.assertIn("TTL", out["warnings"][0])
        self.assertIn("**Warning:**", open(md).read())
        self.assertEqual(self.ttl(name)["TimeToLiveStatus"], "DISABLED")

    def test_strict_stops_before_creating(self):
        name = self.source_with_ttl()
        proxy = self.proxy("src", "--deny", "DescribeTimeToLive")
        p = self.copy(name, "--source-endpoint-url", proxy.url, "--strict")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertIn("TTL", p.stderr.splitlines()[-1])
        self.assertFalse(self.exists(name))

    def test_a_refused_ttl_undoes_the_create_so_a_rerun_sets_it(self):
        name = self.source_with_ttl()
        proxy = self.proxy("tgt", "--deny", "UpdateTimeToLive")
        p = self.copy(name, "--target-endpoint-url", proxy.url)
        self.assertNotEqual(p.returncode, 0, p.stderr)
        self.assertIn("deleted it again", p.stderr.splitlines()[-1])
        self.assertFalse(self.exists(name))
        self.copy(name, check=0)
        self.assertEqual(self.ttl(name), {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"})
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 30)

    def test_a_rerun_with_the_checkpoint_finishes_the_setup(self):
        name = self.source_with_ttl()
        ck = os.path.join(self.dir, "create.ck")
        proxy = self.proxy("tgt", "--deny", "UpdateTimeToLive,DeleteTable")
        p = self.copy(name, "--target-endpoint-url", proxy.url, "--checkpoint", ck)
        self.assertNotEqual(p.returncode, 0, p.stderr)
        self.assertTrue(self.exists(name))
        self.assertEqual(self.ttl(name)["TimeToLiveStatus"], "DISABLED")
        p = self.copy(name, "--target-endpoint-url", proxy.url, "--checkpoint", ck, "--dry-run", check=0)
        self.assertIn("finish the setup", p.stdout)
        proxy.configure(deny="")
        p = self.copy(name, "--target-endpoint-url", proxy.url, "--checkpoint", ck, check=0)
        self.assertIn("finishing the setup", p.stderr)
        self.assertEqual(self.ttl(name), {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires"})
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 30)
        self.assertFalse(os.path.exists(ck))

    def test_restore_stopped_after_dropping_its_copy_resumes(self):
        name = unique_name("setup-restore")
        saved = name + "-saved"
        create_table(self.tgt, name)
        create_table(self.tgt, saved)
        put_items(self.tgt, saved, items(40))
        put_items(self.tgt, name, items(10) + [{"PK": {"S": "NEW"}, "SK": {"S": "v"}}])
        ck = os.path.join(self.dir, "restore.ck")
        # DeleteTable reaches the server, then its answer is lost (a 500) and no retry is allowed.
        proxy = self.proxy("tgt", "--ops", "DeleteTable", "--error-after", "1")
        args = ["restore", "-t", name, "-e", "tgt", "--from-table", saved, "--yes", "--checkpoint", ck,
                "--endpoint-url", proxy.url]
        p = self.dynamo(*args, "--max-retries", "0")
        self.assertNotEqual(p.returncode, 0, p.stderr)
        self.assertFalse(self.exists(saved))
        self.assertTrue(os.path.exists(ck))
        proxy.configure(error_after=0)
        p = self.dynamo(*args)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("only the drop is left", p.stderr)
        self.assertFalse(os.path.exists(ck))
        self.assertEqual(harness.table_contents(self.tgt, name), sorted(harness.canonical(i) for i in items(40)))
