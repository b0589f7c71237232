"""Hostile input: bad flags, odd arguments, servers that answer garbage, oversized items.

Each case must end with one clear 'dynamo: ' line, a documented exit code,
within a bounded time: no crash, no hang, no traceback. (The suite also
runs under ASan/UBSan, which turns a leak or an overflow into a failure.)
"""
import json
import os
import sys
import time

import harness
from harness import create_table, put_items, unique_name

FAKES = os.path.join(harness.TESTS, "fakes")


class BadFlags(harness.TestCase):
    backends = ("moto",)

    def test_each_bad_value_names_the_flag(self):
        cases = [
            (["copy", "-t", "tbl", "--segments", "0"], "--segments"),
            (["copy", "-t", "tbl", "--segments", "12abc"], "--segments"),
            (["copy", "-t", "tbl", "--concurrency", "99999"], "--concurrency"),
            (["query", "-t", "tbl", "--pk", "x", "--limit", "-1"], "--limit"),
            (["tables", "--timeout", "5x"], "--timeout"),
            (["tables", "--connect-timeout", "0"], "--connect-timeout"),
            (["tables", "--max-retries", "1000"], "--max-retries"),
            (["query", "-t", "tbl", "--pk", "x", "--output", "xml"], "--output"),
            (["query", "-t", "tbl", "--pk", "x", "--pk-type", "Z"], "--pk-type"),
            (["copy", "-t", "tbl", "--max-wcu", "lots"], "--max-wcu"),
            (["tables", "--bogus"], "--bogus"),
            (["describe", "-t"], "-t"),
            (["describe", "-t", "tbl", "extra"], "extra"),
            (["describe", "-t", "x"], "'x'"),
            (["describe", "-t", "bad name!"], "bad name!"),
            (["truncate", "-e", "src"], "--table"),
            (["nosuchcommand"], "nosuchcommand"),
            (["query", "-t", "tbl", "--pk", "P{9..1}"], "--pk"),
        ]
        for argv, needle in cases:
            p = self.dynamo(*argv)
            self.assertEqual(p.returncode, 2, "%s: %s" % (argv, p.stderr))
            self.assertOneErrorLine(p, needle)
            self.assertEqual(p.stdout, "", argv)

    def test_non_utf8_argument(self):
        p = harness.subprocess.run([harness.BIN, "describe", "-t", b"caf\xe9\xff"], capture_output=True,
                                   env=self.env.environ(), timeout=20)
        self.assertEqual(p.returncode, 2)
        err = p.stderr.decode("utf-8", "replace")
        self.assertEqual(len(err.strip().splitlines()), 1, err)
        self.assertIn("UTF-8", err)

    def test_help_and_version_exit_zero(self):
        for argv in (["--help"], ["help", "copy"], ["copy", "--help"], ["--version"]):
            p = self.dynamo(*argv, check=0)
            self.assertTrue(p.stdout.strip(), argv)
        p = self.dynamo()
        self.assertEqual(p.returncode, 2)


class BadServer(harness.TestCase):
    """dynamo pointed at a server that misbehaves in one way per test."""
    backends = ("moto",)

    def bad(self, mode):
        path = os.path.join(FAKES, "bad_server.py")
        srv = harness.Server("bad-" + mode, lambda port: [sys.executable, path, "--port", str(port),
                                                          "--mode", mode]).start()
        self.addCleanup(srv.stop)
        return srv.url

    def run_against(self, mode, *argv, timeout=60):
        url = self.bad(mode)
        t0 = time.time()
        p = self.dynamo(*argv, "-e", "src", "--endpoint-url", url, "--max-retries", "2",
                        "--timeout", "2s", timeout=timeout)
        return p, time.time() - t0

    def test_garbage_bodies_are_one_error_line(self):
        for mode in ("garbage", "truncated", "empty"):
            p, secs = self.run_against(mode, "describe", "-t", "some-table")
            self.assertEqual(p.returncode, 1, "%s: %s" % (mode, p.stderr))
            self.assertOneErrorLine(p, "not a JSON object")

    def test_enormous_response_is_refused(self):
        p, secs = self.run_against("huge", "describe", "-t", "some-table")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertOneErrorLine(p, "larger than")

    def test_html_error_pages_are_retried_then_reported(self):
        p, secs = self.run_against("html", "tables")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertOneErrorLine(p, "3 attempts", "502")

    def test_silent_and_closing_servers_do_not_hang(self):
        for mode in ("silent", "close"):
            p, secs = self.run_against(mode, "tables")
            self.assertEqual(p.returncode, 1, "%s: %s" % (mode, p.stderr))
            self.assertOneErrorLine(p)
            self.assertLess(secs, 30, mode)

    def test_unknown_error_type_keeps_the_service_words(self):
        p, secs = self.run_against("badtype", "tables")
        self.assertEqual(p.returncode, 1)
        self.assertOneErrorLine(p, "WhatIsThisException", "strange")

    def test_copy_from_a_garbage_source_writes_nothing(self):
        name = unique_name("hostile-copy")
        create_table(self.tgt, name)
        put_items(self.tgt, name, [{"PK": {"S": "KEEP"}, "SK": {"S": "1"}}])
        url = self.bad("garbage")
        p = self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--source-endpoint-url", url,
                        "--yes", "--max-retries", "1")
        self.assertEqual(p.returncode, 1)
        self.assertOneErrorLine(p, "not a JSON object")
        self.assertEqual(len(harness.table_contents(self.tgt, name)), 1)


class OversizedItems(harness.TestCase):

    def test_item_over_400kb_in_an_import_file_is_reported(self):
        name = unique_name("hostile-big")
        create_table(self.src, name)
        path = os.path.join(self.env.home, "big.jsonl")
        with open(path, "w") as f:
            f.write(json.dumps({"Item": {"PK": {"S": "ok"}, "SK": {"S": "1"}}}) + "\n")
            f.write(json.dumps({"Item": {"PK": {"S": "big"}, "SK": {"S": "1"},
                                         "blob": {"S": "x" * 500_000}}}) + "\n")
        p = self.dynamo("import", "-t", name, "-e", "src", "-i", path, "--yes")
        self.assertEqual(p.returncode, 1, p.stderr)
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        self.assertTrue(lines[-1].startswith("dynamo: "), p.stderr)
        self.assertIn("ValidationException", lines[-1])
        self.assertNotIn("run it again", lines[-1])

    def test_item_without_the_key_attributes(self):
        name = unique_name("hostile-nokey")
        create_table(self.src, name)
        path = os.path.join(self.env.home, "nokey.jsonl")
        with open(path, "w") as f:
            f.write(json.dumps({"Item": {"other": {"S": "x"}}}) + "\n")
        p = self.dynamo("import", "-t", name, "-e", "src", "-i", path, "--yes")
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("line 1 of '%s': the item cannot go into table '%s': it has no partition key 'PK' (S)" % (path, name),
                      p.stderr.splitlines()[-1])

    def test_a_nul_byte_is_an_error_naming_its_line(self):
        # It used to hide the rest of its line, dropping an item silently.
        name = unique_name("hostile-nul")
        create_table(self.src, name)
        path = os.path.join(self.env.home, "nul.jsonl")
        with open(path, "wb") as f:
            f.write(b'{"PK":{"S":"a"},"SK":{"S":"1"}}\n\0{"PK":{"S":"b"},"SK":{"S":"2"}}\n'
                    b'{"PK":{"S":"c"},"SK":{"S":"3"}}\n')
        p = self.dynamo("import", "-t", name, "-e", "src", "-i", path, "--yes")
        self.assertEqual(p.returncode, 7, p.stderr)
        self.assertIn("line 2", p.stderr.splitlines()[-1])
        self.assertIn("NUL", p.stderr.splitlines()[-1])

    def test_a_file_that_is_not_json_lines(self):
        name = unique_name("hostile-file")
        create_table(self.src, name)
        path = os.path.join(self.env.home, "bad.jsonl")
        with open(path, "wb") as f:
            f.write(b"\x1f\x8b\x08\x00garbage that claims to be gzip")
        p = self.dynamo("import", "-t", name, "-e", "src", "-i", path, "--yes")
        self.assertEqual(p.returncode, 7, p.stderr)
        self.assertIn(path, p.stderr.splitlines()[-1])
        p = self.dynamo("import", "-t", name, "-e", "src", "-i", os.path.join(self.env.home, "missing"), "--yes")
        self.assertEqual(p.returncode, 7)
        self.assertOneErrorLine(p, "missing")
