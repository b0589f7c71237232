"""Every configuration or credentials failure is one 'dynamo: ' line naming the
profile and the file, with exit code 3 (2 for a bad command line)."""
import os

import harness

BAD_FILES = [
    # (what, file, text, needles)
    ("malformed config line", ".aws/config", "[default]\nregion = us-east-1\nthis line is junk\n",
     ["~/.aws/config line 3", "key = value"]),
    ("setting before a section", ".aws/config", "region = us-east-1\n[default]\n",
     ["~/.aws/config line 1", "before any [section]"]),
    ("duplicate key in credentials", ".aws/credentials",
     "[src]\naws_access_key_id = A\naws_access_key_id = B\n",
     ["~/.aws/credentials line 3", "'aws_access_key_id'", "[src]", "line 2"]),
    ("duplicate section", ".aws/config", "[default]\nregion = us-east-1\n\n[default]\n",
     ["~/.aws/config line 4", "[default]", "line 1"]),
    ("NUL byte", ".aws/config", "[default]\nregion = us-east-1\0\n", ["~/.aws/config line 2", "NUL"]),
]


class ConfigErrors(harness.TestCase):

    backends = ("moto",)

    def setUp(self):
        self.env.write(".aws/config", harness.config_text(self.backend) + "\n".join([
            "",
            "[profile halfkeys]", "region = us-east-1", "",
            "[profile orphan]", "region = us-east-1", "role_arn = arn:aws:iam::222222222222:role/x",
            "source_profile = nosuch", "",
            "[profile longrole]", "region = us-east-1", "role_arn = arn:aws:iam::222222222222:role/x",
            "source_profile = src", "duration_seconds = 1h", "",
            "[profile loop1]", "region = us-east-1", "role_arn = arn:aws:iam::222222222222:role/x",
            "source_profile = loop2", "",
            "[profile loop2]", "region = us-east-1", "role_arn = arn:aws:iam::222222222222:role/y",
            "source_profile = loop1", "",
            "[profile noregion]", "output = json", ""]))
        self.env.write(".aws/credentials", harness.credentials_text(self.backend) +
                       "\n[halfkeys]\naws_access_key_id = AKIAHALFHALFHALF0000\n"
                       "\n[noregion]\naws_access_key_id = AKIAX\naws_secret_access_key = Y\n")

    def fails(self, *args, code=3, extra_env=None, needles=()):
        p = self.dynamo("tables", *args, extra_env=extra_env)
        self.assertEqual(p.returncode, code, p.stderr)
        self.assertEqual(p.stdout, "")
        return self.assertOneErrorLine(p, *needles)

    def test_malformed_files_name_file_and_line(self):
        for what, rel, text, needles in BAD_FILES:
            with self.subTest(what):
                saved = open(os.path.join(self.env.home, rel)).read()
                self.env.write(rel, text)
                try:
                    self.fails("-e", "src", needles=needles)
                finally:
                    self.env.write(rel, saved)

    def test_unreadable_file(self):
        # Root reads any file whatever its mode, so a directory stands in.
        d = os.path.join(self.env.home, "a-directory")
        os.makedirs(d, exist_ok=True)
        self.fails("-e", "src", extra_env={"AWS_CONFIG_FILE": d}, needles=["cannot read", d])
        self.fails("-e", "src", extra_env={"AWS_SHARED_CREDENTIALS_FILE": d}, needles=["cannot read", d])

    def test_no_such_profile(self):
        self.fails("--profile", "nosuch", needles=["profile 'nosuch' not found", "~/.aws/config",
                                                   "~/.aws/credentials"])
        # AWS_PROFILE too, also when no region is set anywhere (it used to blame the region).
        line = self.fails(extra_env={"AWS_PROFILE": "nosuch"},
                          needles=["profile 'nosuch' not found", "~/.aws/config"])
        self.assertNotIn("region", line)

    def test_missing_secret_key(self):
        # The file named is the one the key id is in (it named ~/.aws/config).
        self.fails("-e", "halfkeys", needles=["profile 'halfkeys' has aws_access_key_id in ~/.aws/credentials",
                                              "aws_secret_access_key"])
        self.fails(extra_env={"AWS_ACCESS_KEY_ID": "AKIAONLYONLYONLY0000"},
                   needles=["AWS_SECRET_ACCESS_KEY"])

    def test_role_profile_errors(self):
        self.fails("-e", "orphan", needles=["profile 'orphan'", "'nosuch'", "~/.aws/config"])
        self.fails("-e", "longrole", needles=["profile 'longrole'", "duration_seconds '1h'"])
        self.fails("-e", "loop1", needles=["loop", "loop1 -> loop2 -> loop1", "~/.aws/config"])

    def test_no_region(self):
        self.fails("-e", "noregion", needles=["no region", "profile 'noregion'", "~/.aws/config", "--region"])

    def test_usage_errors_exit_2(self):
        p = self.dynamo("tables", "--profile")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertOneErrorLine(p, "--profile")
