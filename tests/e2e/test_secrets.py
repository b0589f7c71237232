"""Every command with --debug, failing ones too: no secret in any output or file.

Secrets: the source profile's secret key, the session tokens of the role the
target profile assumes (read from moto's own records), and anything that
looks like a signature or an Authorization header. Files dynamo writes are
checked too: checkpoints, exports, the GitHub step summary.
"""
import os
import re

import data
import harness
from harness import create_table, put_items, unique_name

SIGNATURE = re.compile(r"Signature=|AWS4-HMAC-SHA256 Credential|Authorization|X-Amz-Security-Token", re.I)


class NoSecrets(harness.TestCase):
    backends = ("moto",)

    def secrets(self):
        state = harness.moto_state(self.backend.endpoint("src"))
        tokens = set()

        def walk(x):
            if isinstance(x, dict):
                for k, v in x.items():
                    if k in ("session_token", "SessionToken", "secret_access_key", "SecretAccessKey") and \
                            isinstance(v, str) and len(v) > 8:
                        tokens.add(v)
                    walk(v)
            elif isinstance(x, list):
                for v in x:
                    walk(v)
        walk(state)
        return {harness.SRC_SECRET} | tokens

    def test_every_command_with_debug(self):
        name = unique_name("secrets")
        create_table(self.src, name, gsis=[("GSI1", ("GSI1PK", "S"), None, "ALL")])
        create_table(self.tgt, name, gsis=[("GSI1", ("GSI1PK", "S"), None, "ALL")])
        put_items(self.src, name, data.rich_items(30))
        files = os.path.join(self.env.home, "out")
        os.makedirs(files)
        summary = os.path.join(files, "step-summary.md")
        ck = os.path.join(files, "copy.ck")
        runs = [
            ["tables", "-e", "tgt"],
            ["describe", "-t", name, "-e", "tgt", "--json"],
            ["copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--checkpoint", ck, "--json"],
            ["copy", "-t", name, "--pk", "USER#0001", "--source", "src", "--target", "tgt", "--yes"],
            ["query", "-t", name, "-e", "tgt", "--pk", "USER#0002", "--output", "jsonl"],
            ["export", "-t", name, "-e", "tgt", "-o", os.path.join(files, "x.jsonl.gz")],
            ["import", "-t", name, "-e", "tgt", "-i", os.path.join(files, "x.jsonl.gz"), "--yes"],
            ["backups", "-t", name, "-e", "tgt"],
            ["truncate", "-t", name, "-e", "tgt", "--yes"],
            ["restore", "-t", name, "-e", "tgt", "--from-table", name + "-nope", "--yes"],   # fails: no table
            ["describe", "-t", "no-such-table", "-e", "tgt"],                              # fails: not found
            ["copy", "-t", name, "--source", "src", "--target", "tgt"],                    # fails: refused
            ["tables", "-e", "tgt", "--endpoint-url", "http://127.0.0.1:9", "--max-retries", "1"],  # fails: down
        ]
        outputs = []
        for argv in runs:
            p = self.dynamo(*argv, "--debug", extra_env={"GITHUB_STEP_SUMMARY": summary}, timeout=120)
            outputs.append((argv, p.stdout + p.stderr))
            self.assertIn("dynamo: debug:", p.stderr, argv)
        for root, _, names in os.walk(files):
            for n in names:
                path = os.path.join(root, n)
                raw = open(path, "rb").read()
                text = raw.decode("utf-8", "replace")
                if n.endswith(".gz"):
                    import gzip
                    text = gzip.decompress(raw).decode("utf-8", "replace")
                outputs.append((path, text))
        secrets = self.secrets()
        self.assertGreater(len(secrets), 2, "moto's records should hold the role's session tokens")
        for what, text in outputs:
            for s in secrets:
                self.assertNotIn(s, text, "a secret appeared in %s" % (what,))
            self.assertIsNone(SIGNATURE.search(text), "a signature or auth header appeared in %s" % (what,))
        self.assertTrue(os.path.exists(summary))
