"""Secrets a server echoes back never reach stderr, --json, --debug or the step summary.

AWS's InvalidSignatureException (SignatureDoesNotMatch for STS) quotes the
canonical request, whose headers hold x-amz-security-token; a proxy or an
agent may quote anything it was sent. Here each path answers so, quoting
what dynamo sent it: DynamoDB (fault_proxy.py --hostile echo_secrets), STS
(the same, for the AssumeRole of a role profile whose source has a session
token) and the container credentials endpoint (container_creds.py
--echo-auth, quoting the authorization token). The secrets are known to the
test; each must be absent from every output, and the echo must have been
seen, scrubbed.
"""
import os
import re

import harness
from harness import create_table, unique_name

SIGNATURE = re.compile(r"Signature=[0-9a-f]{16}|x-amz-security-token:\s*[A-Za-z0-9+/=]{8}", re.I)
SESSION_TOKEN = "FwoGZXIvYXdzEBYaDEXAMPLESESSIONTOKENe2e/redaction+test=="
CONTAINER_TOKEN = "container-secret-token-0123456789abcdef"


class SecretsEchoed(harness.TestCase):
    backends = ("moto",)

    def setUp(self):
        self.dir = harness.tempfile.mkdtemp(prefix="dynamo-echo-")
        self.addCleanup(harness.shutil.rmtree, self.dir, True)
        self.summary = os.path.join(self.dir, "summary.md")

    def moto_secrets(self):
        """The assumed role's keys and tokens, from moto's own records."""
        out = set()

        def walk(x):
            if isinstance(x, dict):
                for k, v in x.items():
                    if k in ("session_token", "SessionToken", "secret_access_key", "SecretAccessKey",
                             "access_key_id", "AccessKeyId") and isinstance(v, str) and len(v) >= 8:
                        out.add(v)
                    walk(v)
            elif isinstance(x, list):
                for v in x:
                    walk(v)
        walk(harness.moto_state(self.backend.endpoint("src")))
        return out

    def run_all_ways(self, *args, extra_env=None):
        """The command plain, with --json and with --debug, into one step summary; the outputs to search."""
        env = dict(extra_env or {}, GITHUB_STEP_SUMMARY=self.summary)
        outs = []
        for extra in ([], ["--json"], ["--debug"]):
            p = self.dynamo(*args, *extra, extra_env=env, timeout=120)
            self.assertNotEqual(p.returncode, 0, "%s %s: %s" % (args, extra, p.stderr))
            outs.append(("%s %s" % (" ".join(args), " ".join(extra)), p.stdout + p.stderr))
        outs.append(("the step summary", open(self.summary).read()))
        return outs

    def assertClean(self, outs, secrets):
        secrets = {s for s in secrets if s}
        self.assertTrue(secrets)
        for what, text in outs:
            for s in secrets:
                self.assertNotIn(s, text, "a secret in %s:\n%s" % (what, text))
            self.assertIsNone(SIGNATURE.search(text), "a signature or token in %s:\n%s" % (what, text))
        # The echo got through, scrubbed: the test saw what it meant to test.
        self.assertTrue(any("[REDACTED]" in text for _, text in outs), outs)

    def test_dynamodb_echoing_the_canonical_request(self):
        name = unique_name("echo")
        create_table(self.tgt, name)
        proxy = harness.start_fault_proxy(self.backend.endpoint("src"), "--ops", "DescribeTable,Scan",
                                          "--hostile", "echo_secrets")
        self.addCleanup(proxy.stop)
        outs = self.run_all_ways("describe", "-t", name, "-e", "tgt", "--endpoint-url", proxy.url)
        outs += self.run_all_ways("export", "-t", name, "-e", "tgt", "-o", os.path.join(self.dir, "x.jsonl"),
                                  extra_env={"AWS_ENDPOINT_URL_DYNAMODB": proxy.url})
        self.assertGreater(proxy.stats()["faults"].get("echo_secrets", 0), 0)
        self.assertClean(outs, self.moto_secrets())

    def test_sts_echoing_the_source_session_token(self):
        # The role profile's source signs AssumeRole with a session token of its own.
        self.env.write(".aws/credentials", harness.credentials_text(self.backend) +
                       "\n[withtoken]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n"
                       % (harness.SRC_KEY, harness.SRC_SECRET, SESSION_TOKEN))
        self.env.write(".aws/config", harness.config_text(self.backend) +
                       "\n[profile echo]\nregion = us-east-1\nrole_arn = %s\nsource_profile = withtoken\n"
                       % harness.ROLE_ARN)
        self.addCleanup(self.env.write, ".aws/credentials", harness.credentials_text(self.backend))
        self.addCleanup(self.env.write, ".aws/config", harness.config_text(self.backend))
        proxy = harness.start_fault_proxy(self.backend.endpoint("src"), "--ops", "STS",
                                          "--hostile", "echo_secrets")
        self.addCleanup(proxy.stop)
        outs = self.run_all_ways("tables", "-e", "echo", extra_env={"AWS_ENDPOINT_URL_STS": proxy.url})
        self.assertGreater(proxy.stats()["faults"].get("echo_secrets", 0), 0)
        self.assertClean(outs, {SESSION_TOKEN, harness.SRC_SECRET, harness.SRC_KEY})

    def test_container_endpoint_echoing_its_token(self):
        fake = harness.start_fake("container_creds", "--path", "/creds", "--echo-auth")
        self.addCleanup(fake.stop)
        env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": fake.url + "/creds",
               "AWS_CONTAINER_AUTHORIZATION_TOKEN": CONTAINER_TOKEN}
        outs = self.run_all_ways("tables", extra_env=env)
        self.assertTrue(fake.requests())
        self.assertClean(outs, {CONTAINER_TOKEN})
