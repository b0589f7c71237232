"""A credential_process that hands out expired credentials is asked once more, then refused.

It used to be run again for every request (90 times in a 0.4 s copy), the
expired credentials used each time. The helper (tests/fakes/cred_process.py)
counts its runs in a file; the copy's table is in the helper's account.
"""
import json
import os

import harness
from credtools import iso, process_command, table_in_account

ACCOUNT = "640000000000"


class ExpiredProcessCredentials(harness.TestCase):
    backends = ("moto",)

    def test_expired_credentials_are_refused_after_one_retry(self):
        name, creds = table_in_account(ACCOUNT, "expired-proc")
        creds_file = self.env.write("expired-creds.json", json.dumps(dict(creds, Expiration=iso(1700000000))))
        count = os.path.join(self.env.home, "expired-runs")
        self.env.write(".aws/config", harness.config_text(self.backend) +
                       "\n[profile stale]\nregion = us-east-1\ncredential_process = %s --count-file \"%s\"\n"
                       % (process_command(creds_file), count))
        self.addCleanup(self.env.write, ".aws/config", harness.config_text(self.backend))
        p = self.dynamo("copy", "-t", name, "--target-table", name + "-copy", "--source", "stale",
                        "--create-target", "--yes", "-c", "64")
        self.assertEqual(p.returncode, 3, p.stderr)
        self.assertOneErrorLine(p, "profile 'stale'", "already expired")
        with open(count) as f:
            self.assertEqual(f.read().count("run"), 2, "the helper runs once, then once more")
