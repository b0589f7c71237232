"""A flag's value is never another flag, and never empty where it names keys.

With PK= empty in a script, 'dynamo copy ... --pk $PK --dry-run --yes' once
took '--dry-run' for the partition key and ran a real copy. Such a command
line is refused with one line saying what to write instead, exit 2, before
any request: a proxy in front of the server counts them.
"""
import harness
from harness import create_table, put_items, unique_name


class FlagValues(harness.TestCase):
    backends = ("moto",)

    def test_a_value_that_is_a_flag_is_refused_before_any_request(self):
        name = unique_name("flags")
        create_table(self.src, name)
        create_table(self.tgt, name)
        put_items(self.src, name, [{"PK": {"S": "A"}, "SK": {"S": "1"}}])
        put_items(self.tgt, name, [{"PK": {"S": "B"}, "SK": {"S": "1"}}])
        proxy = harness.start_fault_proxy(self.backend.endpoint("src"))
        self.addCleanup(proxy.stop)
        base = ["copy", "-t", name, "--source", "src", "--target", "tgt", "--endpoint-url", proxy.url]
        cases = [
            (["--pk", "--dry-run", "--yes"], "--pk needs a value; got the flag --dry-run: write --pk=--dry-run"),
            (["--pk", "-n", "--yes"], "got the flag -n"),
            (["--pk", "--dry", "--yes"], "got the flag --dry"),                     # an abbreviation
            (["-pk", "--yes", "--dry-run"], "got the flag --yes"),
            (["--pk", "A", "--sk", "--yes", "--dry-run"], "--sk needs a value"),
            (["--pk", "", "--yes", "--dry-run"], "--pk needs a non-empty value"),
            (["--pk", "A", "--sk", "", "--yes", "--dry-run"], "--sk needs a non-empty value"),
            (["--target-table", "--no-backup", "--yes", "--dry-run"], "--target-table needs a value"),
        ]
        for extra, needle in cases:
            with self.subTest(args=extra):
                p = self.dynamo(*base, *extra)
                self.assertEqual(p.returncode, 2, "%s: %s" % (extra, p.stderr))
                self.assertOneErrorLine(p, needle)
        self.assertEqual(proxy.stats()["requests"], {}, "requests were sent")
        self.assertEqual(len(harness.table_contents(self.tgt, name)), 1)

    def test_a_value_that_only_looks_like_a_flag_is_a_value(self):
        name = unique_name("flags-neg")
        create_table(self.src, name, hash_key=("PK", "N"), range_key=None)
        put_items(self.src, name, [{"PK": {"N": "-5"}, "v": {"S": "minus five"}}])
        p = self.dynamo("query", "-t", name, "-e", "src", "--pk", "-5", "--output", "jsonl", check=0)
        self.assertIn("minus five", p.stdout)
        # Written with '=', a flag's name is a value too.
        p = self.dynamo("query", "-t", name, "-e", "src", "--pk=--count", "--output", "jsonl")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertOneErrorLine(p, "'--count' is not a valid number")
