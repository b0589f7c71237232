"""-t as a table ARN: DynamoDB takes it as the table's name, and the region comes from the ARN.
moto only: dynalite refuses ARNs as table names (as DynamoDB did before resource-based policies)."""

from botocore.config import Config

import harness
from harness import canonical, create_table, put_items, scan_all, unique_name

ITEMS = [{"PK": {"S": "TENANT#%d#U" % (i % 3)}, "SK": {"S": str(i)}, "n": {"N": str(i)}} for i in range(30)]


class TableArn(harness.TestCase):
    backends = ("moto",)

    def west(self):
        """A client of the source account in another region than the profile's (us-west-2)."""
        sess = harness.boto_session(self.env, "src")
        return sess.client("dynamodb", region_name="us-west-2", endpoint_url=self.backend.endpoint("src"),
                           config=Config(retries={"max_attempts": 10, "mode": "standard"}))

    def test_region_comes_from_the_arn(self):
        west = self.west()
        name = unique_name("arn")
        create_table(west, name)
        put_items(west, name, ITEMS)
        arn = west.describe_table(TableName=name)["Table"]["TableArn"]
        self.assertIn(":us-west-2:", arn)
        p = self.dynamo("count", "-t", arn, "-e", "src", "--pk-prefix", "TENANT#1#", check=0)
        self.assertEqual(p.stdout, "10\n")
        # A region flag that says otherwise is a usage error, not a silent choice.
        p = self.dynamo("count", "-t", arn, "-e", "src", "--region", "us-east-1", check=2)
        self.assertOneErrorLine(p, "us-west-2", "us-east-1")
        # The profile's region (us-east-1) has no such table: the ARN's region was used.
        p = self.dynamo("describe", "-t", arn, "-e", "src", "--json", check=0)
        self.assertIn(arn, p.stdout)
        self.dynamo("describe", "-t", name, "-e", "src", check=4)

    def test_copy_from_an_arn_into_the_target_account(self):
        self.require_distinct_target()
        name = unique_name("arnc")
        create_table(self.src, name)
        put_items(self.src, name, ITEMS)
        arn = self.src.describe_table(TableName=name)["Table"]["TableArn"]
        self.dynamo("copy", "-t", arn, "--source", "src", "--target", "tgt", "--create-target", "--yes",
                    check=0)
        self.assertEqual(sorted(canonical(i) for i in scan_all(self.tgt, name)),
                         sorted(canonical(i) for i in ITEMS))
        # Into a target given as an ARN too, with a backup first (named after the table, not the ARN).
        put_items(self.tgt, name, [{"PK": {"S": "extra"}, "SK": {"S": "x"}}])
        tarn = self.tgt.describe_table(TableName=name)["Table"]["TableArn"]
        self.assertIn(":%s:" % harness.TGT_ACCOUNT, tarn)
        self.dynamo("copy", "-t", arn, "--target-table", tarn, "--source", "src", "--target", "tgt", "--yes",
                    check=0)
        self.assertEqual(sorted(canonical(i) for i in scan_all(self.tgt, name)),
                         sorted(canonical(i) for i in ITEMS))

    def test_bad_arns_and_commands_that_take_names(self):
        p = self.dynamo("count", "-t", "arn:aws:dynamodb:us-east-1:123456789012:table/t1/index/GSI1", "-e", "src",
                        check=2)
        self.assertOneErrorLine(p, "index")
        p = self.dynamo("restore", "-t", "arn:aws:dynamodb:us-east-1:123456789012:table/tbl", "-e", "src",
                        "--from-table", "other", check=2)
        self.assertOneErrorLine(p, "restore", "ARN")
