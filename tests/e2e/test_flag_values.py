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

    def test_short_flags_with_equals_as_dynamo_cmdline_took_them(self):
        # argparse read "-t=app" as "-t app"; getopt read it as an
        # abbreviation of a long flag, or as the value "=app".
        name = unique_name("flags-eq")
        create_table(self.src, name)
        put_items(self.src, name, [{"PK": {"S": "A"}, "SK": {"S": "1"}, "v": {"S": "found"}}])
        p = self.dynamo("query", "-t=" + name, "-e=src", "--pk=A", "--output", "jsonl")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("found", p.stdout)
        # As the value of the flag before it, it stays a value.
        p = self.dynamo("query", "-t", name, "-e", "src", "--pk", "-t=A", "--output", "jsonl")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout.strip(), "")

    def test_flags_before_the_command_say_where_they_go(self):
        p = self.dynamo("-e", "src", "tables", check=2)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertOneErrorLine(p, "flags go after the command: write 'dynamo tables -e src'")
        p = self.dynamo("--debug", check=2)
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertOneErrorLine(p, "'--debug' is a flag, and flags go after the command")

    def test_an_unquoted_brace_range_after_pk_is_taken_whole(self):
        # The shell expands --pk S{08..11} before dynamo sees it: the values
        # that follow are the rest of the range, not stray arguments.
        name = unique_name("flags-brace")
        create_table(self.src, name)
        put_items(self.src, name, [{"PK": {"S": "S%02d" % i}, "SK": {"S": str(k)}}
                                   for i in range(7, 13) for k in range(3)])
        p = self.dynamo("query", "-t", name, "-e", "src", "--pk", "S08", "S09", "S10", "S11", "--count")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(p.stdout, "12\n")
        # Not a range (a gap): still an unexpected argument.
        p = self.dynamo("query", "-t", name, "-e", "src", "--pk", "S08", "S10", "--count")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertOneErrorLine(p, "unexpected argument 'S10'")
