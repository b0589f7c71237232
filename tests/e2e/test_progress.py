"""Progress off a terminal: plain lines now and then, never redraws.

In a CI log, --progress redrew five times a second with \\r and escape
sequences, a screenful of noise per second. Off a terminal it now prints a
plain line every --progress-interval (10 s by default). A proxy that holds
each write half a second makes the copy last long enough to see lines.
"""
import re

import harness
from harness import create_table, put_items, unique_name


class ProgressOffTerminal(harness.TestCase):

    backends = ("moto",)

    def slow_copy(self, *flags):
        name = unique_name("progress")
        create_table(self.src, name)
        create_table(self.tgt, name)
        put_items(self.src, name, [{"PK": {"S": "k%03d" % i}, "SK": {"S": "1"}} for i in range(200)])
        proxy = harness.start_fault_proxy(self.backend.endpoint("src"), "--ops", "BatchWriteItem",
                                          "--delay", "1", "--delay-seconds", "0.4")
        self.addCleanup(proxy.stop)
        p = self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                        "-c", "1", "--endpoint-url", proxy.url, *flags)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(len(harness.table_contents(self.tgt, name)), 200)
        return p.stderr

    def test_plain_lines_at_the_interval(self):
        err = self.slow_copy("--progress-interval", "1s")
        self.assertNotIn("\r", err)
        self.assertNotIn("\033", err)
        lines = [l for l in err.splitlines() if re.match(r"^copy +[0-9,]+(/~[0-9,]+)? items", l)]
        # 8 batches of 25 at 0.4 s: about 3 s, so a line a second and the final one.
        self.assertGreaterEqual(len(lines), 3, err)
        self.assertLessEqual(len(lines), 12, err)

    def test_no_progress_off_a_terminal_unless_asked(self):
        err = self.slow_copy()
        self.assertEqual([l for l in err.splitlines() if " items " in l and "/s" in l], [], err)
