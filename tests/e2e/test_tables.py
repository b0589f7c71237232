"""dynamo tables / describe against real servers, and cross-account through a role."""
import json

import harness


class Tables(harness.TestCase):

    def test_lists_every_table_with_pagination(self):
        names = sorted(harness.unique_name("tbl-%02d" % i) for i in range(105))
        for n in names:
            harness.create_table(self.src, n, range_key=None)
        p = self.dynamo("tables", "-e", "src", check=0)
        listed = p.stdout.split()
        for n in names:
            self.assertIn(n, listed)
        self.assertEqual(len(listed), len(set(listed)))
        p = self.dynamo("tables", "--profile", "src", "--json", check=0)
        self.assertTrue(set(names) <= set(json.loads(p.stdout)))

    def test_profiles_see_their_own_account(self):
        a = harness.unique_name("only-src")
        b = harness.unique_name("only-tgt")
        harness.create_table(self.src, a, range_key=None)
        harness.create_table(self.tgt, b, range_key=None)
        src = self.dynamo("tables", "-e", "src", check=0).stdout.split()
        tgt = self.dynamo("tables", "-e", "tgt", check=0).stdout.split()
        self.assertIn(a, src)
        self.assertNotIn(b, src)
        self.assertIn(b, tgt)
        self.assertNotIn(a, tgt)

    def test_unknown_profile_is_one_clear_line(self):
        p = self.dynamo("tables", "-e", "nosuchprofile")
        self.assertEqual(p.returncode, 3)
        self.assertOneErrorLine(p, "nosuchprofile", "~/.aws/config")


class Describe(harness.TestCase):

    def test_describe_shows_keys_indexes_and_billing(self):
        name = harness.unique_name("desc")
        harness.create_table(self.src, name, hash_key=("id", "N"), range_key=("name", "S"),
                             gsis=[("byStatus", ("status", "S"), ("created", "N"), "KEYS_ONLY")],
                             lsis=[("byName", None, ("alt", "B"), "ALL")])
        harness.put_items(self.src, name, [{"id": {"N": str(i)}, "name": {"S": "n%d" % i}} for i in range(3)])
        out = self.dynamo("describe", "-t", name, "-e", "src", check=0).stdout
        self.assertIn("id (N, hash) + name (S, range)", out)
        self.assertIn("byStatus: global, status (S, hash) + created (N, range), projection KEYS_ONLY", out)
        self.assertIn("byName: local, id (N, hash) + alt (B, range), projection ALL", out)
        self.assertIn("PAY_PER_REQUEST", out)
        text = self.dynamo("describe", "-t", name, "-e", "src", "--json", check=0).stdout
        raw = json.loads(text)
        # Indented, as the man page says: two spaces a level, as jq prints it.
        self.assertEqual(text, json.dumps(raw, indent=2) + "\n")
        want = self.src.describe_table(TableName=name)["Table"]
        self.assertEqual(raw["KeySchema"], want["KeySchema"])
        self.assertEqual(raw["TableName"], name)

    def test_keys_from_the_environment_are_not_called_profile_default(self):
        env = {"AWS_ACCESS_KEY_ID": "AKIAENVKEYS000000000", "AWS_SECRET_ACCESS_KEY": "s" * 40,
               "AWS_REGION": "us-east-1", "AWS_PROFILE": ""}
        p = self.dynamo("describe", "-t", "no-such-table", "--endpoint-url", self.backend.endpoint("src"),
                        extra_env=env)
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertOneErrorLine(p, "not found in the account of AWS_ACCESS_KEY_ID", "'dynamo tables')")
        self.assertNotIn("profile 'default'", p.stderr)

    def test_missing_table_exits_4_naming_table_and_profile(self):
        p = self.dynamo("describe", "-t", "no-such-table", "-e", "src")
        self.assertEqual(p.returncode, 4)
        self.assertOneErrorLine(p, "'no-such-table'", "profile 'src'")
