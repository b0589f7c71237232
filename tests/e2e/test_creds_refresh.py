"""Credentials renewed during a copy, by the background refresher (src/aws/creds.c).

A credential_process hands out credentials that live 66 seconds: 6 seconds
before the mandatory window, so the refresher renews them 3 seconds after
each fetch while the workers keep signing with the current ones. The copy
is paced to last several seconds, so it runs across refreshes; what the
target holds afterwards is checked through boto3. Under `make tsan` the same
test proves the refresh and the workers' snapshots free of data races.
"""
import json
import os

import harness
from credtools import ddb_for, process_command, table_in_account

ACCOUNT = "650000000000"
ITEMS = 300


class BackgroundRefresh(harness.TestCase):
    backends = ("moto",)

    def test_copy_across_credential_refreshes(self):
        name, creds = table_in_account(ACCOUNT, "refresh")
        ddb = ddb_for(creds)
        harness.put_items(ddb, name, [{"PK": {"S": "item-%04d" % i}, "n": {"N": str(i)}}
                                      for i in range(ITEMS)])
        creds_file = self.env.write("refresh-creds.json", json.dumps(creds))
        count = os.path.join(self.env.home, "refresh-runs")
        self.env.write(".aws/config", harness.config_text(self.backend) +
                       "\n[profile short]\nregion = us-east-1\ncredential_process = %s --expires-in 66 --count-file \"%s\"\n"
                       % (process_command(creds_file), count))
        self.addCleanup(self.env.write, ".aws/config", harness.config_text(self.backend))
        p = self.dynamo("copy", "-t", name, "--target-table", name + "-copy", "--source", "short",
                        "--target", "short", "--create-target", "--yes", "--max-wcu", "50", "--debug",
                        timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        copied = harness.scan_all(ddb, name + "-copy")
        self.assertEqual(sorted(i["PK"]["S"] for i in copied), ["item-%04d" % i for i in range(ITEMS)])
        self.assertIn("refreshed the credentials of profile 'short' in the background", p.stderr)
        with open(count) as f:
            self.assertGreaterEqual(f.read().count("run"), 3, "fetched at the start, then renewed")
