"""dynamo policy: the IAM policy it prints is enough, and every action in it is needed.

A moto with IAM enforced (INITIAL_NO_AUTH_ACTION_COUNT) and an admin user
made with its first requests. For each command line, the admin asks dynamo
for its policy; a user with exactly that policy runs the command, which
must succeed (judged by boto3 as the admin); then, for each action in turn,
a user with the policy minus that action must fail with one line saying
what was not allowed (exit 3), and leave the target as it was.
"""
import json

import boto3

import harness

SETUP_ACTIONS = 4
ADMIN = {"Version": "2012-10-17",
         "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


class Policy(harness.IAMTestCase):

    SETUP_ACTIONS = SETUP_ACTIONS

    @classmethod
    def create_identities(cls):
        _, key, _ = cls.user_with_policy(cls.setup_iam(), "admin", ADMIN)
        kw = dict(endpoint_url=cls.moto.url, region_name="us-east-1",
                  aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        cls.iam = boto3.client("iam", **kw)
        cls.ddb = boto3.client("dynamodb", **kw)
        cls.users = 0
        cls.profiles = {}
        cls.add_profile("admin", key)

    @classmethod
    def add_profile(cls, name, key):
        """The test's AWS files hold exactly these profiles (keys and region)."""
        cls.profiles[name] = key
        cls.env.write(".aws/credentials", "".join(
            "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n\n" %
            (n, k["AccessKeyId"], k["SecretAccessKey"]) for n, k in cls.profiles.items()))
        cls.env.write(".aws/config", "[default]\nregion = us-east-1\n\n" + "".join(
            "[profile %s]\nregion = us-east-1\n\n" % n for n in cls.profiles))

    def user_with(self, policy):
        """A new user whose only rights are policy; returns its profile name."""
        Policy.users += 1
        name = "u%d" % Policy.users
        self.iam.create_user(UserName=name)
        key = self.iam.create_access_key(UserName=name)["AccessKey"]
        self.iam.put_user_policy(UserName=name, PolicyName="only", PolicyDocument=json.dumps(policy))
        self.add_profile(name, key)
        return name

    def policy_for(self, *args):
        p = self.dynamo("policy", *args, "-e", "admin", check=0)
        return json.loads(p.stdout), p

    def without(self, policy, action=None):
        """policy minus action, on every resource: moto checks actions but
        matches no resource ARN for DynamoDB (it asks for "*"), so only the
        actions can be proven here; the ARNs are checked by their shape."""
        doc = json.loads(json.dumps(policy))
        for st in doc["Statement"]:
            st["Resource"] = "*"
        for st in doc["Statement"]:
            st["Action"] = [a for a in st["Action"] if a != action]
        doc["Statement"] = [st for st in doc["Statement"] if st["Action"]]
        return doc

    def seed(self, name, n=30):
        harness.create_table(self.ddb, name)
        harness.put_items(self.ddb, name, [{"PK": {"S": "P%d" % (i % 3)}, "SK": {"S": "%03d" % i},
                                            "v": {"N": str(i)}} for i in range(n)])

    def test_copy_with_exactly_its_policy_and_not_one_action_less(self):
        src, tgt = harness.unique_name("pol-src"), harness.unique_name("pol-tgt")
        self.seed(src)
        harness.create_table(self.ddb, tgt)
        stale = {"PK": {"S": "stale"}, "SK": {"S": "0"}}
        harness.put_items(self.ddb, tgt, [stale])
        args = ["copy", "-t", src, "--target-table", tgt]
        policy, p = self.policy_for(*args)
        # Two profiles' worth of statements, even in one account: a role per side.
        self.assertIn("statement 'Source' is for profile 'admin'", p.stderr)
        sids = {st["Sid"]: st for st in policy["Statement"]}
        self.assertEqual(sorted(sids), ["Source", "Target"])
        self.assertEqual(sids["Source"]["Resource"], ["arn:aws:dynamodb:us-east-1:123456789012:table/" + src])
        self.assertEqual(sids["Target"]["Resource"], ["arn:aws:dynamodb:us-east-1:123456789012:table/" + tgt])
        self.assertNotIn("dynamodb:BatchWriteItem", sids["Source"]["Action"])
        actions = sorted({a for st in policy["Statement"] for a in st["Action"]})
        # The prune reads the source (BatchGetItem), the copy-table workflow once forgot it.
        for want in ("dynamodb:Scan", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem",
                     "dynamodb:CreateBackup", "dynamodb:DescribeTable"):
            self.assertIn(want, actions)
        for action in actions:
            with self.subTest(removed=action):
                user = self.user_with(self.without(policy, action))
                p = self.dynamo(*args, "-e", user, "--yes")
                self.assertNotEqual(p.returncode, 0, "ran without %s" % action)
                self.assertIn(action.split(":")[1], p.stderr)
                self.assertIn("AccessDenied", p.stderr)
                # Checked before anything is written: the prune's BatchGetItem
                # on the source is asked for at the start, not after the copy.
                self.assertEqual(harness.table_contents(self.ddb, tgt), [harness.canonical(stale)])
        user = self.user_with(self.without(policy))
        p = self.dynamo(*args, "-e", user, "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(harness.table_contents(self.ddb, src), harness.table_contents(self.ddb, tgt))

    def test_copy_follow_needs_the_stream_actions_before_anything_is_written(self):
        src, tgt = harness.unique_name("pol-fsrc"), harness.unique_name("pol-ftgt")
        self.ddb.create_table(TableName=src, BillingMode="PAY_PER_REQUEST",
                              KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"},
                                         {"AttributeName": "SK", "KeyType": "RANGE"}],
                              AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                                                    {"AttributeName": "SK", "AttributeType": "S"}],
                              StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        harness.put_items(self.ddb, src, [{"PK": {"S": "P"}, "SK": {"S": "%03d" % i}} for i in range(5)])
        harness.create_table(self.ddb, tgt)
        args = ["copy", "-t", src, "--target-table", tgt, "--follow", "--until-caught-up", "--no-backup"]
        policy, _ = self.policy_for(*args)
        sids = {st["Sid"]: st for st in policy["Statement"]}
        self.assertIn("arn:aws:dynamodb:us-east-1:123456789012:table/%s/stream/*" % src,
                      sids["Source"]["Resource"])
        for action in ("dynamodb:DescribeStream", "dynamodb:GetShardIterator", "dynamodb:GetRecords"):
            self.assertIn(action, sids["Source"]["Action"])
            with self.subTest(removed=action):
                user = self.user_with(self.without(policy, action))
                p = self.dynamo(*args, "-e", user, "--yes")
                self.assertNotEqual(p.returncode, 0, "ran without %s" % action)
                self.assertIn(action.split(":")[1], p.stderr)
                self.assertEqual(harness.table_contents(self.ddb, tgt), [])
        user = self.user_with(self.without(policy))
        p = self.dynamo(*args, "-e", user, "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(harness.table_contents(self.ddb, src), harness.table_contents(self.ddb, tgt))

    def test_query_count_truncate_export_import_with_their_policies(self):
        name = harness.unique_name("pol-t")
        self.seed(name)
        path = harness.os.path.join(self.env.home, "items.jsonl")
        cases = [
            (["query", "-t", name, "--pk", "P1", "--output", "jsonl"], {"dynamodb:Query"}),
            (["export", "-t", name, "-o", path], {"dynamodb:Scan"}),
            (["count", "-t", name, "--pk-prefix", "P1"], {"dynamodb:Scan"}),
            (["count", "-t", name, "--pk", "P1", "--filter", "v > :v", "--values", '{":v":{"N":"3"}}'],
             {"dynamodb:Query"}),
            (["truncate", "-t", name], {"dynamodb:Scan", "dynamodb:BatchWriteItem"}),
            (["import", "-t", name, "-i", path], {"dynamodb:BatchWriteItem"}),
        ]
        for args, must in cases:
            with self.subTest(args=args[0]):
                policy, _ = self.policy_for(*args)
                actions = {a for st in policy["Statement"] for a in st["Action"]}
                self.assertTrue(must <= actions, actions)
                flag = "--yes" if args[0] in ("truncate", "import") else "--quiet"
                for action in sorted(must):
                    user = self.user_with(self.without(policy, action))
                    p = self.dynamo(*args, "-e", user, flag)
                    self.assertNotEqual(p.returncode, 0, "%s ran without %s" % (args[0], action))
                user = self.user_with(self.without(policy))
                p = self.dynamo(*args, "-e", user, flag)
                self.assertEqual(p.returncode, 0, p.stderr)
                if args[0] == "truncate":
                    self.assertEqual(harness.table_contents(self.ddb, name), [])
                if args[0] == "import":
                    self.assertEqual(len(harness.table_contents(self.ddb, name)), 30)

    # Once refused ("dynamo policy does not cover DynamoDB's own export, import
    # or point-in-time restore yet"). moto checks the DynamoDB actions of a
    # user's requests, not the S3 writes DynamoDB's export makes on its side:
    # S3's and CloudWatch Logs' statements are checked by their shape. And a
    # moto that enforces IAM answers every ListObjectsV2 with
    # SignatureDoesNotMatch (boto3's too), which moto's manifest-less exports
    # need to be read: copy --via is run whole with its policy only up to its
    # import (test_native_commands runs it whole without IAM).
    def test_native_export_and_copy_via_with_their_policies(self):
        name, new = harness.unique_name("pol-nat"), harness.unique_name("pol-nat-new")
        self.seed(name)
        self.ddb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
        key = self.profiles["admin"]
        s3 = boto3.client("s3", endpoint_url=self.moto.url, region_name="us-east-1",
                          aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
        s3.create_bucket(Bucket="pol-native")
        cases = [
            (["export", "-t", name, "--to", "s3://pol-native/nightly"], "--quiet",
             {"dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups",
              "dynamodb:ExportTableToPointInTime"}),
            (["copy", "-t", name, "--target-table", new, "--create-target", "--via", "s3://pol-native/via",
              "--no-manifest"], "--yes",
             {"dynamodb:ExportTableToPointInTime"}),
        ]
        for args, flag, must in cases:
            with self.subTest(args=args[0]):
                policy, _ = self.policy_for(*args)
                sids = {st["Sid"]: st for st in policy["Statement"]}
                actions = {a for st in policy["Statement"] for a in st["Action"]}
                self.assertTrue(must <= actions, actions)
                # moto may answer the export COMPLETED at once, so that it is never
                # described: DescribeExport is in the policy, its need not provable here.
                self.assertIn("dynamodb:DescribeExport", actions)
                for action in sorted(must):
                    user = self.user_with(self.without(policy, action))
                    p = self.dynamo(*args, "-e", user, flag)
                    self.assertNotEqual(p.returncode, 0, "%s ran without %s" % (args[0], action))
                    self.assertIn(action.split(":")[1], p.stderr)
                    self.assertNotIn(new, harness.list_tables(self.ddb))
                if args[0] == "copy":
                    self.assertTrue({"dynamodb:ImportTable", "dynamodb:DescribeImport"} <= actions, actions)
                    continue
                user = self.user_with(self.without(policy))
                p = self.dynamo(*args, "-e", user, flag)
                self.assertEqual(p.returncode, 0, p.stderr)
                self.assertTrue(p.stdout.startswith("s3://pol-native/nightly/"), p.stdout)
        # The export writes under its prefix; the copy's import reads there, and logs.
        self.assertEqual(sids["SourceS3"]["Resource"], ["arn:aws:s3:::pol-native/via/*"])
        self.assertIn("s3:PutObject", sids["SourceS3"]["Action"])
        self.assertEqual(sids["TargetS3"]["Resource"], ["arn:aws:s3:::pol-native", "arn:aws:s3:::pol-native/via/*"])
        self.assertEqual(sorted(sids["TargetS3"]["Action"]), ["s3:GetObject", "s3:ListBucket"])
        self.assertEqual(sids["TargetLogs"]["Resource"],
                         ["arn:aws:logs:us-east-1:123456789012:log-group:/aws-dynamodb/*"])
        self.assertIn("arn:aws:dynamodb:us-east-1:123456789012:table/%s/export/*" % name,
                      sids["Source"]["Resource"])
        self.assertIn("arn:aws:dynamodb:us-east-1:123456789012:table/%s/import/*" % new,
                      sids["Target"]["Resource"])

    def test_policy_needs_a_command(self):
        p = self.dynamo("policy", check=2)
        self.assertOneErrorLine(p, "which command?")
        p = self.dynamo("policy", "nosuch", check=2)
        self.assertOneErrorLine(p, "which command?")
