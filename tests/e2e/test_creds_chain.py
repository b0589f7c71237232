"""The credential chain end to end: which credentials, region and endpoint dynamo uses.

Accounts tell credentials apart in moto: static AKIA keys are account
123456789012 (harness.SRC_ACCOUNT), keys from AssumeRole are the role's
account. Each test that proves a choice lists a table only the expected
account has. Regions are told apart the same way (moto keeps tables per
region), and endpoints by pointing the ones that must lose at a closed port.
"""
import json
import os

import harness
from credtools import (assume, assumed_roles, closed_port, ddb_for, process_command, table_in_account,
                       MOTO_TOKEN_PREFIX)

ENV_ACCOUNT = "333333333333"
HOP_ACCOUNTS = ("410000000001", "410000000002", "410000000003")
ALT_ACCOUNT = "444444444444"
SHORT_ACCOUNT = "460000000000"
PROCESS_ACCOUNT = "470000000000"
CSRC_ACCOUNT = "480000000000"


def role(account, name="dynamo-e2e"):
    return "arn:aws:iam::%s:role/%s" % (account, name)


class Chain(harness.TestCase):

    backends = ("moto",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.src_table = harness.unique_name("chain-src")
        harness.create_table(cls.src, cls.src_table, range_key=None)
        cls.env_table, cls.env_creds = table_in_account(ENV_ACCOUNT, "chain-env")
        cls.hop_table, _ = table_in_account(HOP_ACCOUNTS[-1], "chain-hop")
        cls.proc_table, proc_creds = table_in_account(PROCESS_ACCOUNT, "chain-proc")
        cls.csrc_table, _ = table_in_account(CSRC_ACCOUNT, "chain-csrc")
        cls.creds_file = cls.env.write("proc-creds.json", json.dumps(proc_creds))
        cls.count_file = os.path.join(cls.env.home, "proc-runs")
        cls.env.write(".aws/config", "\n".join([
            harness.config_text(cls.backend),
            "# a comment, then hops of roles; the last one is what dynamo signs with",
            "[profile hop1]",
            "role_arn = %s" % role(HOP_ACCOUNTS[0]),
            "source_profile = src",
            "[profile hop2]",
            "role_arn = %s" % role(HOP_ACCOUNTS[1]),
            "source_profile = hop1",
            "; semicolons start comments too",
            "[profile hop3]",
            "role_arn = %s" % role(HOP_ACCOUNTS[2], "last-hop"),
            "source_profile = hop2",
            "role_session_name = dynamo-hop3",
            "external_id = ext-hop3",
            "region = us-east-1",
            "",
            "[profile short]",
            "role_arn = %s" % role(SHORT_ACCOUNT, "short"),
            "source_profile = src",
            "duration_seconds = 900",
            "region = us-east-1",
            "",
            "[profile fromenv]",
            "role_arn = %s" % role(CSRC_ACCOUNT),
            "credential_source = Environment",
            "region = us-east-1",
            "",
            "[profile mfa]",
            "role_arn = %s" % role(HOP_ACCOUNTS[0]),
            "source_profile = src",
            "mfa_serial = arn:aws:iam::%s:mfa/e2e" % harness.SRC_ACCOUNT,
            "region = us-east-1",
            "",
            "[profile proc]",
            "credential_process = %s --count-file \"%s\"" % (process_command(cls.creds_file), cls.count_file),
            "region = us-east-1",
            "",
            "[profile proc-fails]",
            "credential_process = %s --mode fail" % process_command(cls.creds_file),
            "region = us-east-1",
            "",
            "[profile webid]",
            "role_arn = %s" % role(ENV_ACCOUNT, "webid-profile"),
            "web_identity_token_file = %s" % os.path.join(cls.env.home, "webid-token"),
            "role_session_name = webid-from-profile",
            "region = us-east-1",
            "",
            "[profile eu]",
            "region = eu-west-1",
            "",
            "[profile keys-in-config]",
            "aws_access_key_id = %s" % harness.SRC_KEY,
            "aws_secret_access_key = %s" % harness.SRC_SECRET,
            "region = us-east-1",
            ""]))
        cls.env.write("webid-token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJlMmUifQ.c2ln-webid-e2e\n")

    def tables(self, *args, **kw):
        return self.dynamo("tables", *args, check=0, **kw).stdout.split()

    # ---- which credentials ----

    def test_environment_keys(self):
        env = {"AWS_ACCESS_KEY_ID": self.env_creds["AccessKeyId"],
               "AWS_SECRET_ACCESS_KEY": self.env_creds["SecretAccessKey"],
               "AWS_SESSION_TOKEN": self.env_creds["SessionToken"]}
        listed = self.tables(extra_env=env)
        self.assertIn(self.env_table, listed)
        self.assertNotIn(self.src_table, listed)
        # AWS_PROFILE does not override them (as in the AWS CLI)...
        self.assertIn(self.env_table, self.tables(extra_env=dict(env, AWS_PROFILE="src")))
        # ...an explicit --profile / -e / --env does.
        for flag in ("--profile", "-e", "--env"):
            listed = self.tables(flag, "src", extra_env=env)
            self.assertIn(self.src_table, listed, flag)
            self.assertNotIn(self.env_table, listed, flag)

    def test_aws_profile_and_default_profile(self):
        self.assertIn(self.hop_table, self.tables(extra_env={"AWS_PROFILE": "hop3"}))
        # The default profile has no keys here; give it some in the credentials file.
        creds = harness.credentials_text(self.backend) + \
            "\n[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (
                self.env_creds["AccessKeyId"], self.env_creds["SecretAccessKey"])
        path = self.env.write("alt/credentials-with-default", creds)
        listed = self.tables(extra_env={"AWS_SHARED_CREDENTIALS_FILE": path})
        self.assertIn(self.env_table, listed)

    def test_keys_in_the_config_file(self):
        self.assertIn(self.src_table, self.tables("-e", "keys-in-config"))

    def test_shared_files_from_the_environment(self):
        alt_table, alt_creds = table_in_account(ALT_ACCOUNT, "chain-alt")
        cfg = self.env.write("alt/my-config", "[profile alt]\r\nregion = us-east-1\r\n")
        cred = self.env.write("alt/my-credentials", "[alt]\r\naws_access_key_id = %s\r\n"
                              "aws_secret_access_key = %s\r\naws_session_token = %s\r\n" % (
                                  alt_creds["AccessKeyId"], alt_creds["SecretAccessKey"],
                                  alt_creds["SessionToken"]))
        listed = self.tables("-e", "alt", extra_env={"AWS_CONFIG_FILE": cfg, "AWS_SHARED_CREDENTIALS_FILE": cred})
        self.assertIn(alt_table, listed)
        # Without them, ~/.aws has no such profile.
        p = self.dynamo("tables", "-e", "alt")
        self.assertEqual(p.returncode, 3)
        self.assertOneErrorLine(p, "profile 'alt' not found", "~/.aws/config", "~/.aws/credentials")

    def test_config_written_with_crlf_indentation_and_continuations(self):
        cfg = self.env.write("alt/windows-config", (
            "# edited on Windows\r\n"
            "[profile win]\r\n"
            "  region = us-east-1\r\n"
            "  role_arn = %s\r\n"
            "  source_profile = src\r\n"
            "  description = a profile that\r\n"
            "      spans lines\r\n"
            "\r\n"
            "[profile src]\r\n"
            "region = us-east-1\r\n") % role(HOP_ACCOUNTS[2], "last-hop"))
        self.assertIn(self.hop_table, self.tables("-e", "win", extra_env={"AWS_CONFIG_FILE": cfg}))

    # ---- roles ----

    def test_long_role_session_name_is_sent_whole(self):
        name = "s" * 64
        cfg = self.env.write("alt/long-session", harness.config_text(self.backend) +
                             "\n[profile longsession]\nregion = us-east-1\nrole_arn = %s\n"
                             "source_profile = src\nrole_session_name = %s\n" % (role(ALT_ACCOUNT, "long"), name))
        self.tables("-e", "longsession", extra_env={"AWS_CONFIG_FILE": cfg})
        self.assertIn(name, [r["session_name"] for r in assumed_roles(role(ALT_ACCOUNT, "long"))])

    def test_role_chain_of_several_hops(self):
        before = len(assumed_roles(role(HOP_ACCOUNTS[2], "last-hop")))
        listed = self.tables("-e", "hop3")
        self.assertIn(self.hop_table, listed)
        self.assertNotIn(self.src_table, listed)
        hops = assumed_roles(role(HOP_ACCOUNTS[2], "last-hop"))[before:]
        self.assertEqual(len(hops), 1)
        # role_session_name and external_id reach STS.
        self.assertEqual(hops[0]["session_name"], "dynamo-hop3")
        self.assertEqual(hops[0]["external_id"], "ext-hop3")
        for account in HOP_ACCOUNTS[:2]:
            self.assertTrue(assumed_roles(role(account)), "hop into %s not assumed" % account)

    def test_short_role_sessions_are_not_renewed_per_request(self):
        # duration_seconds = 900 is the refresh window itself; two ListTables
        # pages must still share one AssumeRole.
        creds = assume(SHORT_ACCOUNT, "short")
        ddb = ddb_for(creds)
        have = set(ddb.list_tables(Limit=100).get("TableNames", []))
        for i in range(101 - len(have)):
            ddb.create_table(TableName=harness.unique_name("short-%03d" % i),
                             KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
                             AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}],
                             BillingMode="PAY_PER_REQUEST")
        p = self.dynamo("tables", "-e", "short", "--debug", check=0)
        self.assertGreaterEqual(len(p.stdout.split()), 101)
        debug = p.stderr.splitlines()
        self.assertEqual(sum(" ListTables 200 " in l for l in debug), 2, p.stderr)
        self.assertEqual(sum(" AssumeRole 200 " in l for l in debug), 1, p.stderr)

    def test_credential_source_environment(self):
        env = {"AWS_ACCESS_KEY_ID": harness.SRC_KEY, "AWS_SECRET_ACCESS_KEY": harness.SRC_SECRET}
        self.assertIn(self.csrc_table, self.tables("-e", "fromenv", extra_env=env))
        p = self.dynamo("tables", "-e", "fromenv")
        self.assertEqual(p.returncode, 3)
        self.assertOneErrorLine(p, "profile 'fromenv'", "credential_source", "AWS_ACCESS_KEY_ID")

    def test_mfa_is_refused_without_a_terminal(self):
        p = self.dynamo("tables", "-e", "mfa", input="")
        self.assertEqual(p.returncode, 3)
        self.assertOneErrorLine(p, "profile 'mfa'", "MFA", "mfa_serial", "not a terminal")

    def test_sts_endpoint_from_the_environment(self):
        # AWS_ENDPOINT_URL (all services) points nowhere; the per-service ones win.
        dead = "http://127.0.0.1:%d" % closed_port()
        env = {"AWS_ENDPOINT_URL": dead, "AWS_ENDPOINT_URL_DYNAMODB": self.backend.endpoint("src"),
               "AWS_ENDPOINT_URL_STS": self.backend.endpoint("src")}
        self.assertIn(self.hop_table, self.tables("-e", "hop3", "--max-retries", "0", extra_env=env))
        p = self.dynamo("tables", "-e", "hop3", "--max-retries", "0",
                        extra_env=dict(env, AWS_ENDPOINT_URL_STS=dead))
        # Exit 3, not 1: the engine turns every credentials failure into
        # CredentialsError and drops the exit code (src/aws/call_sign.c).
        self.assertNotEqual(p.returncode, 0, p.stderr)
        self.assertOneErrorLine(p, "AssumeRole", dead[7:], "ConnectionError")

    # ---- web identity ----

    def test_web_identity_from_the_environment(self):
        token = self.env.write("env-webid-token", "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJlbnYifQ.env-webid\n")
        arn = role(ENV_ACCOUNT, "webid-env")
        before = len(assumed_roles(arn))
        listed = self.tables(extra_env={"AWS_WEB_IDENTITY_TOKEN_FILE": token, "AWS_ROLE_ARN": arn,
                                        "AWS_ROLE_SESSION_NAME": "webid-e2e"})
        self.assertIn(self.env_table, listed)
        new = assumed_roles(arn)[before:]
        self.assertEqual([r["session_name"] for r in new], ["webid-e2e"])

    def test_web_identity_from_the_profile(self):
        arn = role(ENV_ACCOUNT, "webid-profile")
        before = len(assumed_roles(arn))
        self.assertIn(self.env_table, self.tables("-e", "webid"))
        self.assertEqual([r["session_name"] for r in assumed_roles(arn)[before:]], ["webid-from-profile"])

    def test_web_identity_token_file_missing(self):
        p = self.dynamo("tables", extra_env={"AWS_WEB_IDENTITY_TOKEN_FILE": "/nonexistent/token",
                                             "AWS_ROLE_ARN": role(ENV_ACCOUNT, "webid-env")})
        self.assertEqual(p.returncode, 3)
        self.assertOneErrorLine(p, "/nonexistent/token")

    # ---- credential_process ----

    def test_credential_process(self):
        if os.path.exists(self.count_file):
            os.unlink(self.count_file)
        listed = self.tables("-e", "proc")
        self.assertIn(self.proc_table, listed)
        with open(self.count_file) as f:
            self.assertEqual(f.read().count("run"), 1, "the helper runs once per invocation")

    def test_credential_process_failure(self):
        p = self.dynamo("tables", "-e", "proc-fails")
        self.assertEqual(p.returncode, 3)
        # The helper's own stderr line comes through, then dynamo's one line.
        lines = [l for l in p.stderr.splitlines() if l.startswith("dynamo: ")]
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertIn("credential_process", lines[0])
        self.assertIn("profile 'proc-fails'", lines[0])
        self.assertIn("exit status 3", lines[0])

    # ---- region ----

    def test_region_order(self):
        name = harness.unique_name("eu")
        harness.create_table(ddb_for(assume(harness.SRC_ACCOUNT), region="eu-west-1"), name, range_key=None)
        self.assertIn(name, self.tables("-e", "src", "--region", "eu-west-1"))
        self.assertNotIn(name, self.tables("-e", "src"))
        self.assertIn(name, self.tables("-e", "src", extra_env={"AWS_REGION": "eu-west-1"}))
        self.assertIn(name, self.tables("-e", "src", extra_env={"AWS_DEFAULT_REGION": "eu-west-1"}))
        keys = {"AWS_ACCESS_KEY_ID": harness.SRC_KEY, "AWS_SECRET_ACCESS_KEY": harness.SRC_SECRET}
        self.assertIn(name, self.tables(extra_env=dict(keys, AWS_PROFILE="eu")))
        # --region beats AWS_REGION beats AWS_DEFAULT_REGION beats the profile.
        self.assertNotIn(name, self.tables("-e", "src", "--region", "us-east-1",
                                           extra_env={"AWS_REGION": "eu-west-1"}))
        self.assertNotIn(name, self.tables("-e", "src", extra_env={"AWS_REGION": "us-east-1",
                                                                   "AWS_DEFAULT_REGION": "eu-west-1"}))
        self.assertNotIn(name, self.tables(extra_env=dict(keys, AWS_PROFILE="eu", AWS_DEFAULT_REGION="us-east-1")))

    def test_unknown_region(self):
        p = self.dynamo("tables", "-e", "src", "--region", "us-esat-1", extra_env={"AWS_ENDPOINT_URL": None})
        self.assertEqual(p.returncode, 3)
        self.assertOneErrorLine(p, "'us-esat-1'", "not a known AWS region")

    def test_malformed_region_names_profile_and_file(self):
        cfg = self.env.write("alt/commented-region", "[profile src]\nregion = us-east-1 # home\n")
        p = self.dynamo("tables", "-e", "src", extra_env={"AWS_CONFIG_FILE": cfg})
        self.assertEqual(p.returncode, 3)
        self.assertOneErrorLine(p, "'us-east-1 # home'", "profile 'src'", cfg)

    # ---- endpoints ----

    def test_endpoint_order(self):
        moto = self.backend.endpoint("src")
        dead = "http://127.0.0.1:%d" % closed_port()
        fast = ("--max-retries", "0")
        self.assertIn(self.src_table, self.tables("-e", "src", "--endpoint-url", moto, *fast,
                                                  extra_env={"AWS_ENDPOINT_URL_DYNAMODB": dead}))
        self.assertIn(self.src_table, self.tables("-e", "src", *fast, extra_env={
            "AWS_ENDPOINT_URL": dead, "AWS_ENDPOINT_URL_DYNAMODB": moto}))
        # The profile's services block beats its endpoint_url; both lose to the environment.
        cfg = self.env.write("alt/endpoints-config", "\n".join([
            "[profile ep]", "region = us-east-1", "endpoint_url = %s" % dead, "services = ep-svc", "",
            "[services ep-svc]", "dynamodb =", "  endpoint_url = %s" % moto, "",
            "[profile ep-plain]", "region = us-east-1", "endpoint_url = %s" % moto, ""]))
        cred = self.env.write("alt/endpoints-credentials", "[ep]\naws_access_key_id = %s\naws_secret_access_key = %s\n"
                              "[ep-plain]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (
                                  harness.SRC_KEY, harness.SRC_SECRET, harness.SRC_KEY, harness.SRC_SECRET))
        files = {"AWS_CONFIG_FILE": cfg, "AWS_SHARED_CREDENTIALS_FILE": cred, "AWS_ENDPOINT_URL": None}
        self.assertIn(self.src_table, self.tables("-e", "ep", *fast, extra_env=files))
        self.assertIn(self.src_table, self.tables("-e", "ep-plain", *fast, extra_env=files))
        p = self.dynamo("tables", "-e", "ep", *fast, extra_env=dict(files, AWS_ENDPOINT_URL=dead))
        self.assertEqual(p.returncode, 1)
        self.assertOneErrorLine(p, "ListTables", dead[7:])

    # ---- secrets never printed ----

    def test_role_secrets_are_not_printed(self):
        p = self.dynamo("tables", "-e", "hop3", "--debug", check=0)
        out = p.stdout + p.stderr
        self.assertNotIn(harness.SRC_SECRET, out)
        self.assertNotIn(MOTO_TOKEN_PREFIX, out)
        for r in assumed_roles():
            self.assertNotIn(r["secret_access_key"], out)
