"""--debug shows each request, and never a secret, whatever the credentials' source.

For each kind of provider, 'dynamo tables --debug' must log every request
(operation, HTTP status, latency, attempt) and print none of: secret keys,
session tokens, the SSO access token, the web identity token, the container
authorization token, the IMDS session token, or an Authorization header.
"""
import json
import re

import harness
from credtools import (MOTO_TOKEN_PREFIX, assumed_roles, process_command, sso_cache, table_in_account)

ACCOUNT = "710000000000"
SSO_TOKEN = "aoa-debug-sso-access-token-7c1d"
CONTAINER_TOKEN = "debug-container-auth-token-3e9a"
WEBID_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJkZWJ1ZyJ9.debug-webid-signature"
DEBUG_LINE = re.compile(r"^dynamo: debug: \S+ (\w+) (\d{3}) [\d.]+ms attempt (\d+)")


class DebugHidesSecrets(harness.TestCase):

    backends = ("moto",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.table, cls.creds = table_in_account(ACCOUNT, "debug")
        cls.sso = harness.start_fake("sso_portal", "--token", SSO_TOKEN, "--account", ACCOUNT,
                                     "--role", "Debug", creds=cls.creds)
        cls.addClassCleanup(cls.sso.stop)
        cls.container = harness.start_fake("container_creds", "--auth-token", CONTAINER_TOKEN, creds=cls.creds)
        cls.addClassCleanup(cls.container.stop)
        cls.imds = harness.start_fake("imds", creds=cls.creds)
        cls.addClassCleanup(cls.imds.stop)
        creds_file = cls.env.write("debug-creds.json", json.dumps(cls.creds))
        webid = cls.env.write("debug-webid-token", WEBID_TOKEN)
        cls.env.write(".aws/config", harness.config_text(cls.backend) + "\n".join([
            "",
            "[profile role]", "region = us-east-1",
            "role_arn = arn:aws:iam::%s:role/debug" % ACCOUNT, "source_profile = src", "",
            "[profile webid]", "region = us-east-1",
            "role_arn = arn:aws:iam::%s:role/debug-webid" % ACCOUNT, "web_identity_token_file = %s" % webid, "",
            "[profile sso]", "region = us-east-1", "sso_session = debug",
            "sso_account_id = %s" % ACCOUNT, "sso_role_name = Debug", "",
            "[sso-session debug]", "sso_start_url = https://debug.awsapps.com/start", "sso_region = us-east-1", "",
            "[profile proc]", "region = us-east-1", "credential_process = %s" % process_command(creds_file), "",
            "[profile static]", "region = us-east-1",
            "aws_access_key_id = %s" % cls.creds["AccessKeyId"],
            "aws_secret_access_key = %s" % cls.creds["SecretAccessKey"],
            "aws_session_token = %s" % cls.creds["SessionToken"], ""]))
        sso_cache(cls.env, "debug", SSO_TOKEN)

    def run_debug(self, *args, extra_env=None):
        p = self.dynamo("tables", "--debug", *args, check=0, extra_env=extra_env)
        self.assertIn(self.table, p.stdout.split())
        return p

    def assertClean(self, p, *more_secrets):
        out = p.stdout + p.stderr
        secrets = [harness.SRC_SECRET, self.creds["SecretAccessKey"], self.creds["SessionToken"], SSO_TOKEN,
                   CONTAINER_TOKEN, WEBID_TOKEN] + list(more_secrets)
        for s in secrets:
            self.assertNotIn(s, out)
        self.assertNotIn(MOTO_TOKEN_PREFIX, out)
        for word in ("Authorization", "AWS4-HMAC-SHA256", "Signature=", "X-Amz-Security-Token",
                     "x-amz-sso_bearer_token", "X-aws-ec2-metadata-token"):
            self.assertNotIn(word.lower(), out.lower())
        # Every debug line is a request log line or a short note; ListTables is among them.
        ops = []
        for line in p.stderr.splitlines():
            m = DEBUG_LINE.match(line)
            if m:
                ops.append((m.group(1), m.group(2), m.group(3)))
        self.assertIn(("ListTables", "200", "1"), ops, p.stderr)
        return ops

    def test_static_keys(self):
        self.assertClean(self.run_debug("-e", "static"))

    def test_environment_keys(self):
        self.assertClean(self.run_debug(extra_env={"AWS_ACCESS_KEY_ID": self.creds["AccessKeyId"],
                                                   "AWS_SECRET_ACCESS_KEY": self.creds["SecretAccessKey"],
                                                   "AWS_SESSION_TOKEN": self.creds["SessionToken"]}))

    def test_assumed_role(self):
        p = self.run_debug("-e", "role")
        ops = self.assertClean(p, *[r["secret_access_key"] for r in assumed_roles()] +
                               [r["session_token"] for r in assumed_roles()])
        self.assertIn(("AssumeRole", "200", "1"), ops)

    def test_web_identity(self):
        p = self.run_debug("-e", "webid")
        ops = self.assertClean(p, *[r["secret_access_key"] for r in assumed_roles()])
        self.assertIn(("AssumeRoleWithWebIdentity", "200", "1"), ops)

    def test_sso(self):
        p = self.run_debug("-e", "sso", extra_env={"AWS_ENDPOINT_URL_SSO": self.sso.url})
        ops = self.assertClean(p)
        self.assertIn(("GetRoleCredentials", "200", "1"), ops)

    def test_credential_process(self):
        self.assertClean(self.run_debug("-e", "proc"))

    def test_container(self):
        p = self.run_debug(extra_env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": self.container.url + "/creds",
                                      "AWS_CONTAINER_AUTHORIZATION_TOKEN": CONTAINER_TOKEN})
        ops = self.assertClean(p)
        self.assertIn(("ContainerCredentials", "200", "1"), ops)

    def test_instance_metadata(self):
        seen = len(self.imds.requests())
        p = self.run_debug(extra_env={"AWS_EC2_METADATA_DISABLED": None,
                                      "AWS_EC2_METADATA_SERVICE_ENDPOINT": self.imds.url})
        imds_tokens = [r["headers"].get("x-aws-ec2-metadata-token") for r in self.imds.requests()[seen:]]
        ops = self.assertClean(p, *[t for t in imds_tokens if t])
        self.assertEqual(sum(op == "InstanceMetadata" for op, _, _ in ops), 3)

    def test_retries_are_counted(self):
        # A throttled or failed attempt shows its attempt number; here the
        # endpoint is closed, so every attempt is a connection error.
        p = self.dynamo("tables", "-e", "static", "--debug", "--max-retries", "2",
                        extra_env={"AWS_ENDPOINT_URL": "http://127.0.0.1:%d" % harness.free_port()})
        self.assertNotEqual(p.returncode, 0)
        attempts = [l for l in p.stderr.splitlines() if " ListTables " in l and "debug:" in l]
        self.assertEqual(len(attempts), 3, p.stderr)
        for n, line in enumerate(attempts, 1):
            self.assertIn("attempt %d" % n, line)
        self.assertNotIn(self.creds["SecretAccessKey"], p.stderr)
