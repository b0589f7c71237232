"""SigV4 end to end: a moto with IAM authentication on checks every signature.

moto checks signatures only once INITIAL_NO_AUTH_ACTION_COUNT requests have
been served, so this starts its own moto and spends exactly those requests
creating, through boto3:
  user 'dynamo'   with an access key and a policy allowing dynamodb:* and sts:*
  role 'dynamo'   trusting that user (moto wants the user's exact ARN as the
                  principal; ':root' is not matched) with the same policy
  user 'nosts'    with an access key and no policy at all
"""
import json
import time

import boto3

import harness

SETUP_ACTIONS = 8
ACCOUNT = "123456789012"
POLICY = {"Version": "2012-10-17",
          "Statement": [{"Effect": "Allow", "Action": ["dynamodb:*", "sts:*"], "Resource": "*"}]}


class SigV4WithIAM(harness.IAMTestCase):

    SETUP_ACTIONS = SETUP_ACTIONS

    @classmethod
    def create_identities(cls):
        iam = cls.setup_iam()
        user, cls.key, policy_arn = cls.user_with_policy(iam, "dynamo", POLICY)
        trust = {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": user["Arn"]}, "Action": "sts:AssumeRole"}]}
        cls.role_arn = iam.create_role(RoleName="dynamo", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
        iam.attach_role_policy(RoleName="dynamo", PolicyArn=policy_arn)
        iam.create_user(UserName="nosts")
        cls.nosts = iam.create_access_key(UserName="nosts")["AccessKey"]
        # From here on every request must be signed correctly.
        cls.ddb = boto3.client("dynamodb", endpoint_url=cls.moto.url, region_name="us-east-1",
                               aws_access_key_id=cls.key["AccessKeyId"],
                               aws_secret_access_key=cls.key["SecretAccessKey"])
        cls.table = harness.unique_name("iam")
        harness.create_table(cls.ddb, cls.table, range_key=None)
        cls.env.write(".aws/credentials", "\n".join([
            "[iam]",
            "aws_access_key_id = %s" % cls.key["AccessKeyId"],
            "aws_secret_access_key = %s" % cls.key["SecretAccessKey"],
            "",
            "[wrongsecret]",
            "aws_access_key_id = %s" % cls.key["AccessKeyId"],
            "aws_secret_access_key = %s" % ("x" * 40),
            "",
            "[unknownkey]",
            "aws_access_key_id = AKIANOTKNOWNTOMOTO00",
            "aws_secret_access_key = %s" % cls.key["SecretAccessKey"],
            "",
            "[nosts]",
            "aws_access_key_id = %s" % cls.nosts["AccessKeyId"],
            "aws_secret_access_key = %s" % cls.nosts["SecretAccessKey"],
            ""]))
        cls.env.write(".aws/config", "\n".join([
            "[default]", "region = us-east-1", "",
            "[profile iam]", "region = us-east-1", "",
            "[profile wrongsecret]", "region = us-east-1", "",
            "[profile unknownkey]", "region = us-east-1", "",
            "[profile nosts]", "region = us-east-1", "",
            "[profile role]", "region = us-east-1", "role_arn = %s" % cls.role_arn,
            "source_profile = iam", "role_session_name = sigv4-e2e", "",
            "[profile role-wrongsecret]", "region = us-east-1", "role_arn = %s" % cls.role_arn,
            "source_profile = wrongsecret", "",
            "[profile role-nosts]", "region = us-east-1", "role_arn = %s" % cls.role_arn,
            "source_profile = nosts", ""]))

    def test_signed_requests_are_accepted(self):
        p = self.dynamo("tables", "-e", "iam", check=0)
        self.assertIn(self.table, p.stdout.split())
        p = self.dynamo("describe", "-t", self.table, "-e", "iam", "--json", check=0)
        self.assertEqual(json.loads(p.stdout)["TableName"], self.table)
        # The same key from the environment.
        p = self.dynamo("tables", check=0, extra_env={"AWS_ACCESS_KEY_ID": self.key["AccessKeyId"],
                                                      "AWS_SECRET_ACCESS_KEY": self.key["SecretAccessKey"]})
        self.assertIn(self.table, p.stdout.split())

    def test_assumed_role_signs_with_its_session_token(self):
        # moto rejects assumed-role keys whose session token is missing or wrong.
        p = self.dynamo("tables", "-e", "role", check=0)
        self.assertIn(self.table, p.stdout.split())
        p = self.dynamo("describe", "-t", self.table, "-e", "role", check=0)
        self.assertIn(self.table, p.stdout)

    def test_wrong_secret_says_the_signature_did_not_match(self):
        for cmd in (["tables"], ["describe", "-t", self.table]):
            p = self.dynamo(*cmd, "-e", "wrongsecret")
            self.assertEqual(p.returncode, 3, p.stderr)
            line = self.assertOneErrorLine(p, "signature does not match", "SignatureDoesNotMatch",
                                           "secret access key", "profile 'wrongsecret'", "~/.aws/credentials",
                                           "clock")
            self.assertNotIn("x" * 40, line)

    def test_unknown_access_key(self):
        p = self.dynamo("tables", "-e", "unknownkey")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "InvalidClientTokenId", "profile 'unknownkey'", "access key id")

    def test_access_denied_names_the_profile(self):
        p = self.dynamo("tables", "-e", "nosts")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "ListTables is not allowed", "profile 'nosts'", "AccessDenied")

    def test_sts_refusal_names_profile_and_role(self):
        p = self.dynamo("tables", "-e", "role-nosts")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "STS refused", "profile 'role-nosts'", self.role_arn, "AccessDenied",
                                "sts:AssumeRole")

    def test_wrong_source_secret_names_the_source_profile(self):
        t0 = time.time()
        p = self.dynamo("tables", "-e", "role-wrongsecret")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "AssumeRole", "signature does not match", "profile 'wrongsecret'",
                                "~/.aws/credentials")
        self.assertLess(time.time() - t0, 10, "a signature error is not worth retrying")
