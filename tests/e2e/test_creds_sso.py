"""IAM Identity Center (SSO) profiles, as 'aws configure sso' writes them.

No emulator has the SSO portal, so tests/fakes/sso_portal.py plays it: it
checks the bearer token, account and role like the real GetRoleCredentials
and hands out credentials for account SSO_ACCOUNT that moto honours, so a
table that only SSO_ACCOUNT has proves dynamo signed with them.
"""
import harness
from credtools import sha1_hex, sso_cache, table_in_account

SSO_ACCOUNT = "555555555555"
ROLE = "AdminAccess"
TOKEN = "aoa-sso-access-token-e2e-0123456789abcdef"
SESSION = "corp"
LEGACY_URL = "https://legacy-e2e.awsapps.com/start"

CONFIG = """[default]
region = us-east-1

[profile sso]
sso_session = {session}
sso_account_id = {account}
sso_role_name = {role}
region = us-east-1
output = json

[sso-session {session}]
sso_start_url = https://corp-e2e.awsapps.com/start
sso_region = us-east-1
sso_registration_scopes = sso:account:access

[profile sso-legacy]
sso_start_url = {legacy}
sso_region = us-east-1
sso_account_id = {account}
sso_role_name = {role}
region = us-east-1

[profile sso-wrongrole]
sso_session = {session}
sso_account_id = {account}
sso_role_name = ReadOnly
region = us-east-1

[profile sso-otherlogin]
sso_session = other
sso_account_id = {account}
sso_role_name = {role}
region = us-east-1

[sso-session other]
sso_start_url = https://other-e2e.awsapps.com/start
sso_region = us-east-1
"""


class SSO(harness.TestCase):

    backends = ("moto",)

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.table, creds = table_in_account(SSO_ACCOUNT, "sso")
        cls.secrets = [creds["SecretAccessKey"], creds["SessionToken"], TOKEN]
        cls.portal = harness.start_fake("sso_portal", "--token", TOKEN, "--account", SSO_ACCOUNT,
                                        "--role", ROLE, creds=creds)
        cls.addClassCleanup(cls.portal.stop)
        cls.env.write(".aws/config", CONFIG.format(session=SESSION, account=SSO_ACCOUNT, role=ROLE,
                                                   legacy=LEGACY_URL))

    def setUp(self):
        sso_cache(self.env, SESSION, TOKEN)
        sso_cache(self.env, LEGACY_URL, TOKEN, start_url=LEGACY_URL)
        self.seen = len(self.portal.requests())

    def dynamo(self, *args, **kw):
        extra = dict(kw.pop("extra_env", None) or {})
        extra.setdefault("AWS_ENDPOINT_URL_SSO", self.portal.url)
        return harness.run(self.env, *args, extra_env=extra, **kw)

    def new_requests(self):
        return self.portal.requests()[self.seen:]

    def assertNoSecrets(self, p):
        for s in self.secrets:
            self.assertNotIn(s, p.stdout + p.stderr)

    def assertAsked(self, role):
        reqs = self.new_requests()
        self.assertEqual(len(reqs), 1, reqs)
        r = reqs[0]
        self.assertEqual((r["method"], r["path"]), ("GET", "/federation/credentials"))
        self.assertEqual(r["query"], {"role_name": role, "account_id": SSO_ACCOUNT})
        self.assertEqual(r["headers"].get("x-amz-sso_bearer_token"), TOKEN)
        self.assertNotIn("authorization", r["headers"], "the portal call is not SigV4-signed")
        return r

    def test_sso_session_profile(self):
        p = self.dynamo("tables", "-e", "sso", "--debug", check=0)
        self.assertIn(self.table, p.stdout.split())
        self.assertAsked(ROLE)
        self.assertNoSecrets(p)

    def test_aws_profile_selects_the_sso_profile(self):
        p = self.dynamo("describe", "-t", self.table, check=0, extra_env={"AWS_PROFILE": "sso"})
        self.assertIn(self.table, p.stdout)
        self.assertAsked(ROLE)

    def test_legacy_profile_uses_the_start_url_cache(self):
        # Only the legacy cache file: its name is the SHA-1 of the start URL.
        self.env.write(".aws/sso/cache/%s.json" % sha1_hex(SESSION), "{}")
        p = self.dynamo("tables", "-e", "sso-legacy", check=0)
        self.assertIn(self.table, p.stdout.split())
        self.assertAsked(ROLE)

    def test_expired_token_says_run_sso_login(self):
        sso_cache(self.env, SESSION, TOKEN, expires_in=-60)
        p = self.dynamo("tables", "-e", "sso")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "expired", "profile 'sso'", "aws sso login --profile sso")
        self.assertEqual(self.new_requests(), [], "an expired token must not be sent")
        self.assertNoSecrets(p)

    def test_no_login_says_run_sso_login(self):
        p = self.dynamo("tables", "-e", "sso-otherlogin")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "no SSO login", "profile 'sso-otherlogin'",
                                "aws sso login --profile sso-otherlogin")

    def test_token_the_portal_refuses_says_run_sso_login(self):
        sso_cache(self.env, SESSION, "aoa-a-token-the-portal-revoked")
        p = self.dynamo("tables", "-e", "sso")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "profile 'sso'", "aws sso login --profile sso")
        self.assertEqual([r["status"] for r in self.new_requests()], [401])

    def test_role_not_assigned_names_account_and_role(self):
        # 403 ForbiddenException: the login is fine, the role is not yours. Logging in again won't help.
        p = self.dynamo("tables", "-e", "sso-wrongrole")
        self.assertEqual(p.returncode, 3, p.stderr)
        line = self.assertOneErrorLine(p, "profile 'sso-wrongrole'", "'ReadOnly'", SSO_ACCOUNT,
                                       "sso_role_name", "~/.aws/config")
        self.assertNotIn("sso login", line)
        self.assertEqual([r["status"] for r in self.new_requests()], [403])
        self.assertNoSecrets(p)

    def test_incomplete_profile(self):
        self.env.write(".aws/config", CONFIG.format(session=SESSION, account=SSO_ACCOUNT, role=ROLE,
                                                    legacy=LEGACY_URL) +
                       "\n[profile sso-broken]\nsso_session = nosuch\nsso_account_id = 1\nsso_role_name = r\n")
        try:
            p = self.dynamo("tables", "-e", "sso-broken", "--region", "us-east-1")
            self.assertEqual(p.returncode, 3, p.stderr)
            self.assertOneErrorLine(p, "profile 'sso-broken'", "[sso-session nosuch]", "~/.aws/config")
        finally:
            self.env.write(".aws/config", CONFIG.format(session=SESSION, account=SSO_ACCOUNT, role=ROLE,
                                                        legacy=LEGACY_URL))
