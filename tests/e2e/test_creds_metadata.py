"""Container credentials and EC2 instance metadata, against tests/fakes.

The fakes hand out moto credentials for one account, so a table only that
account has proves dynamo used them. With nothing configured at all, dynamo
must fail fast when the metadata service is absent.
"""
import time

import harness
from credtools import Blackhole, closed_port, table_in_account

CONTAINER_ACCOUNT = "610000000000"
IMDS_ACCOUNT = "620000000000"
AUTH_TOKEN = "container-auth-token-e2e-5f2b9c"


class Container(harness.TestCase):

    backends = ("moto",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.table, creds = table_in_account(CONTAINER_ACCOUNT, "container")
        cls.fake = harness.start_fake("container_creds", "--path", "/v2/credentials/e2e",
                                      "--auth-token", AUTH_TOKEN, creds=creds)
        cls.addClassCleanup(cls.fake.stop)
        cls.uri = cls.fake.url + "/v2/credentials/e2e"

    def setUp(self):
        self.seen = len(self.fake.requests())

    def new_requests(self):
        return self.fake.requests()[self.seen:]

    def test_full_uri_with_token(self):
        p = self.dynamo("tables", check=0, extra_env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": self.uri,
                                                      "AWS_CONTAINER_AUTHORIZATION_TOKEN": AUTH_TOKEN})
        self.assertIn(self.table, p.stdout.split())
        reqs = self.new_requests()
        self.assertEqual([(r["method"], r["path"], r["status"]) for r in reqs],
                         [("GET", "/v2/credentials/e2e", 200)])
        self.assertEqual(reqs[0]["headers"]["authorization"], AUTH_TOKEN)

    def test_token_file_is_read_on_each_run(self):
        tok = self.env.write("container-token", "rotated-away\n")
        env = {"AWS_CONTAINER_CREDENTIALS_FULL_URI": self.uri, "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": tok,
               # The file wins over the variable, as in the SDKs.
               "AWS_CONTAINER_AUTHORIZATION_TOKEN": "not-this-one"}
        p = self.dynamo("tables", extra_env=env)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p)
        self.env.write("container-token", AUTH_TOKEN + "\n")
        p = self.dynamo("tables", check=0, extra_env=env)
        self.assertIn(self.table, p.stdout.split())
        self.assertEqual([r["headers"].get("authorization") for r in self.new_requests()],
                         ["rotated-away", AUTH_TOKEN])

    def test_wrong_token_is_one_line(self):
        p = self.dynamo("tables", extra_env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": self.uri,
                                             "AWS_CONTAINER_AUTHORIZATION_TOKEN": "wrong"})
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "container credentials endpoint", self.uri, "401",
                                "AWS_CONTAINER_AUTHORIZATION_TOKEN")
        self.assertNotIn(AUTH_TOKEN, p.stderr)
        self.assertNotIn("wrong", p.stderr, "the token sent is not printed")

    def test_an_endpoint_that_does_not_answer_is_a_credentials_problem(self):
        # A refused connection (or a timeout) exited 1, as if AWS had refused the job.
        url = "http://127.0.0.1:%d/v2/credentials/e2e" % closed_port()
        p = self.dynamo("tables", extra_env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": url}, timeout=60)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "no credentials from the container credentials endpoint", url,
                                "AWS_CONTAINER_CREDENTIALS_FULL_URI")

    def test_plain_http_to_a_remote_host_is_refused(self):
        p = self.dynamo("tables", extra_env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": "http://creds.example.com/x"})
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "AWS_CONTAINER_CREDENTIALS_FULL_URI", "plain http")

    def test_a_profile_with_only_a_region_uses_the_container(self):
        # As botocore: --profile names settings; the credentials come from the task role.
        self.env.write(".aws/config", harness.config_text(self.backend) +
                       "\n[profile in-task]\nregion = us-east-1\n")
        p = self.dynamo("tables", "-e", "in-task", check=0,
                        extra_env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": self.uri,
                                   "AWS_CONTAINER_AUTHORIZATION_TOKEN": AUTH_TOKEN})
        self.assertIn(self.table, p.stdout.split())
        self.assertEqual(len(self.new_requests()), 1)

    def test_a_profile_with_keys_does_not_ask_the_container(self):
        p = self.dynamo("tables", "-e", "src", check=0,
                        extra_env={"AWS_CONTAINER_CREDENTIALS_FULL_URI": self.uri})
        self.assertEqual(self.new_requests(), [])
        self.assertNotIn(self.table, p.stdout.split())


class InstanceMetadata(harness.TestCase):

    backends = ("moto",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.table, creds = table_in_account(IMDS_ACCOUNT, "imds")
        cls.fake = harness.start_fake("imds", "--role", "dynamo-e2e-instance", creds=creds)
        cls.addClassCleanup(cls.fake.stop)

    def setUp(self):
        self.seen = len(self.fake.requests())

    def imds_env(self, url):
        return {"AWS_EC2_METADATA_DISABLED": None, "AWS_EC2_METADATA_SERVICE_ENDPOINT": url}

    def test_imdsv2(self):
        p = self.dynamo("tables", check=0, extra_env=self.imds_env(self.fake.url + "/"))
        self.assertIn(self.table, p.stdout.split())
        reqs = self.fake.requests()[self.seen:]
        self.assertEqual([(r["method"], r["path"], r["status"]) for r in reqs], [
            ("PUT", "/latest/api/token", 200),
            ("GET", "/latest/meta-data/iam/security-credentials/", 200),
            ("GET", "/latest/meta-data/iam/security-credentials/dynamo-e2e-instance", 200)])
        self.assertTrue(reqs[0]["headers"].get("x-aws-ec2-metadata-token-ttl-seconds"))
        token = reqs[1]["headers"].get("x-aws-ec2-metadata-token")
        self.assertTrue(token)
        self.assertEqual(reqs[2]["headers"].get("x-aws-ec2-metadata-token"), token)

    def test_disabled_means_not_asked(self):
        p = self.dynamo("tables", extra_env={"AWS_EC2_METADATA_DISABLED": "true",
                                             "AWS_EC2_METADATA_SERVICE_ENDPOINT": self.fake.url})
        self.assertEqual(p.returncode, 3)
        self.assertOneErrorLine(p, "no AWS credentials found", "~/.aws/config", "~/.aws/credentials")
        self.assertEqual(self.fake.requests()[self.seen:], [])

    def test_no_credentials_and_imds_closed_fails_fast(self):
        url = "http://127.0.0.1:%d" % closed_port()
        t0 = time.time()
        p = self.dynamo("tables", extra_env=self.imds_env(url), timeout=30)
        elapsed = time.time() - t0
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "no credentials found", url)
        self.assertLess(elapsed, 3.0)

    def test_no_credentials_and_imds_silent_fails_fast(self):
        hole = Blackhole()
        self.addCleanup(hole.close)
        t0 = time.time()
        p = self.dynamo("tables", extra_env=self.imds_env(hole.url), timeout=30)
        elapsed = time.time() - t0
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "no credentials found", hole.url)
        self.assertLess(elapsed, 3.5)

    def only_region_profile(self):
        self.env.write(".aws/config", harness.config_text(self.backend) +
                       "\n[profile on-ec2]\nregion = us-east-1\n")

    def test_a_profile_with_only_a_region_uses_the_instance_role(self):
        self.only_region_profile()
        p = self.dynamo("tables", "-e", "on-ec2", check=0, extra_env=self.imds_env(self.fake.url))
        self.assertIn(self.table, p.stdout.split())
        self.assertEqual(len(self.fake.requests()[self.seen:]), 3)

    def test_a_profile_with_only_a_region_off_ec2_names_the_profile(self):
        self.only_region_profile()
        url = "http://127.0.0.1:%d" % closed_port()
        p = self.dynamo("tables", "-e", "on-ec2", extra_env=self.imds_env(url), timeout=30)
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "profile 'on-ec2'", "has no credentials", "credential_process", url)
        self.assertNotIn("pass --profile", p.stderr)
        p = self.dynamo("tables", "-e", "on-ec2", extra_env={"AWS_EC2_METADATA_DISABLED": "true"})
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "profile 'on-ec2'", "has no credentials: give it")

    def test_credential_source_ec2_instance_metadata(self):
        target = "630000000000"
        name, _ = table_in_account(target, "imds-role")
        self.env.write(".aws/config", harness.config_text(self.backend) +
                       "\n[profile on-ec2]\nregion = us-east-1\nrole_arn = arn:aws:iam::%s:role/from-imds\n"
                       "credential_source = Ec2InstanceMetadata\n" % target)
        p = self.dynamo("tables", "-e", "on-ec2", check=0, extra_env=self.imds_env(self.fake.url))
        self.assertIn(name, p.stdout.split())
        self.assertEqual(len(self.fake.requests()[self.seen:]), 3)
