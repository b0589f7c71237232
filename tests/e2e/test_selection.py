"""Selections (--pk-prefix, --filter/--names/--values) on copy, export, truncate, count and query,
judged by boto3: only the selected items move or go, the rest of the target is untouched."""
import base64
import json
import os

import harness
from harness import canonical, create_table, put_items, scan_all, unique_name


def tenant_items(tenant, users=3, orders=4, status_of=None):
    items = []
    for u in range(users):
        for o in range(orders):
            items.append({
                "PK": {"S": "TENANT#%s#USER#%d" % (tenant, u)},
                "SK": {"S": "ORDER#2026-0%d#%d" % (o % 9 + 1, o)},
                "status": {"S": (status_of or (lambda u, o: "OPEN" if o % 2 else "CLOSED"))(u, o)},
                "amount": {"N": "%d.%02d" % (u * 100 + o, o)},
                "email": {"S": "user%d.%s@example.org" % (u, tenant)},
            })
    return items


def contents(ddb, table, pred=lambda it: True):
    return sorted(canonical(it) for it in scan_all(ddb, table, ConsistentRead=True) if pred(it))


def tenant_of(it, tenant):
    return it["PK"]["S"].startswith("TENANT#%s#" % tenant)


class SelectionCopy(harness.TestCase):

    def tables(self):
        self.require_distinct_target()
        name = unique_name("sel")
        create_table(self.src, name)
        create_table(self.tgt, name)
        return name

    def copy(self, name, *args, check=0):
        return self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes",
                           "--no-backup", *args, check=check)

    def test_tenant_copy_prunes_only_inside_the_tenant(self):
        name = self.tables()
        put_items(self.src, name, tenant_items("42") + tenant_items("7"))
        # The target: tenant 42 stale (one item the source no longer has, one changed),
        # tenant 7 and a tenant whose id begins like 42 ("420") that must stay as they are.
        stale = {"PK": {"S": "TENANT#42#USER#9"}, "SK": {"S": "ORDER#gone"}, "status": {"S": "OPEN"}}
        changed = dict(tenant_items("42")[0], email={"S": "old@example.org"})
        others = tenant_items("7", users=2, status_of=lambda u, o: "TARGET") + tenant_items("420", users=1)
        put_items(self.tgt, name, [stale, changed] + others)
        before_others = contents(self.tgt, name, lambda it: not tenant_of(it, "42"))
        self.copy(name, "--pk-prefix", "TENANT#42#")
        self.assertEqual(contents(self.tgt, name, lambda it: tenant_of(it, "42")),
                         contents(self.src, name, lambda it: tenant_of(it, "42")))
        self.assertEqual(contents(self.tgt, name, lambda it: not tenant_of(it, "42")), before_others)

    def test_filtered_copy_touches_only_matching_items(self):
        name = self.tables()
        put_items(self.src, name, tenant_items("1"))
        # In the target: a CLOSED item the source lacks (outside the filter: stays), an OPEN one
        # the source lacks (inside: pruned).
        closed = {"PK": {"S": "TENANT#1#USER#8"}, "SK": {"S": "X"}, "status": {"S": "CLOSED"}}
        opened = {"PK": {"S": "TENANT#1#USER#8"}, "SK": {"S": "Y"}, "status": {"S": "OPEN"}}
        put_items(self.tgt, name, [closed, opened])
        self.copy(name, "--filter", "#s = :v", "--names", '{"#s":"status"}',
                  "--values", '{":v":{"S":"OPEN"}}')
        want = contents(self.src, name, lambda it: it["status"]["S"] == "OPEN") + [canonical(closed)]
        self.assertEqual(contents(self.tgt, name), sorted(want))

    def test_names_and_values_from_files(self):
        name = self.tables()
        put_items(self.src, name, tenant_items("1"))
        self.env.write("names.json", '{"#s": "status"}')
        self.env.write("values.json", '{":v": {"S": "CLOSED"}}')
        home = self.env.home
        self.copy(name, "--filter", "#s = :v", "--names", "@" + os.path.join(home, "names.json"),
                  "--values", "@" + os.path.join(home, "values.json"))
        self.assertEqual(contents(self.tgt, name),
                         contents(self.src, name, lambda it: it["status"]["S"] == "CLOSED"))

    def test_rejected_filter_writes_nothing(self):
        name = self.tables()
        put_items(self.src, name, tenant_items("1"))
        put_items(self.tgt, name, tenant_items("2"))
        before = contents(self.tgt, name)
        # A syntax error only DynamoDB finds: the message is its own, and nothing is written.
        p = self.copy(name, "--filter", "#s = = :v", "--names", '{"#s":"status"}',
                      "--values", '{":v":{"S":"OPEN"}}', check=None)
        self.assertNotEqual(p.returncode, 0)
        line = self.assertOneErrorLine(p, "refused")
        self.assertIn("ValidationException", line)
        self.assertEqual(contents(self.tgt, name), before)


class SelectionOneTable(harness.TestCase):
    """export, truncate, count and query over a selection of one table."""

    def table(self):
        name = unique_name("selt")
        create_table(self.src, name)
        put_items(self.src, name, tenant_items("42") + tenant_items("7") + tenant_items("420", users=1))
        return name

    def test_export_of_one_tenant(self):
        name = self.table()
        out = os.path.join(self.env.home, "t42.jsonl")
        self.dynamo("export", "-t", name, "-e", "src", "--pk-prefix", "TENANT#42#", "-o", out, check=0)
        with open(out) as f:
            got = sorted(canonical(json.loads(l)["Item"]) for l in f if l.strip())
        self.assertEqual(got, contents(self.src, name, lambda it: tenant_of(it, "42")))

    def test_truncate_of_one_tenant_asks_and_deletes_only_it(self):
        name = self.table()
        keep = contents(self.src, name, lambda it: not tenant_of(it, "42"))
        # Without --yes and without a terminal: refused, nothing deleted.
        p = self.dynamo("truncate", "-t", name, "-e", "src", "--pk-prefix", "TENANT#42#", check=None)
        self.assertNotEqual(p.returncode, 0)
        self.assertEqual(len(contents(self.src, name)), len(keep) + 12)
        # The dry run names the selection, as text and as JSON fields.
        p = self.dynamo("truncate", "-t", name, "-e", "src", "--pk-prefix", "TENANT#42#", "--dry-run", check=0)
        self.assertIn("beginning with 'TENANT#42#'", p.stdout)
        p = self.dynamo("truncate", "-t", name, "-e", "src", "--pk-prefix", "TENANT#42#", "--dry-run",
                        "--json", check=0)
        self.assertEqual(json.loads(p.stdout)["stages"][0]["selection"], {"pk_prefix": "TENANT#42#"})
        self.dynamo("truncate", "-t", name, "-e", "src", "--pk-prefix", "TENANT#42#", "--yes", check=0)
        self.assertEqual(contents(self.src, name), keep)

    def test_truncate_of_a_tenant_asks_on_a_terminal_naming_it(self):
        from test_truncate import run_on_tty
        name = self.table()
        before = contents(self.src, name)
        args = ["truncate", "-t", name, "-e", "src", "--pk-prefix", "TENANT#42#"]
        p, seen = run_on_tty(self.env, args, "n")
        self.assertEqual(p.returncode, 6, p.stderr)
        self.assertIn("partition key 'PK' beginning with 'TENANT#42#'", seen)
        self.assertEqual(contents(self.src, name), before)
        p, seen = run_on_tty(self.env, args, "y")
        self.assertEqual(p.returncode, 0, p.stderr)
        left = scan_all(self.src, name)
        self.assertFalse([it for it in left if tenant_of(it, "42")])
        self.assertEqual(len(left), len(before) - 12)

    def test_filtered_truncate_deletes_only_matching_items(self):
        name = self.table()
        keep = contents(self.src, name, lambda it: not (tenant_of(it, "7") and it["status"]["S"] == "OPEN"))
        self.dynamo("truncate", "-t", name, "-e", "src", "--pk-prefix", "TENANT#7#", "--filter", "#s = :v",
                    "--names", '{"#s":"status"}', "--values", '{":v":{"S":"OPEN"}}', "--yes", check=0)
        self.assertEqual(contents(self.src, name), keep)

    def test_count(self):
        name = self.table()
        every = len(scan_all(self.src, name))
        p = self.dynamo("count", "-t", name, "-e", "src", "--segments", "3", check=0)
        self.assertEqual(p.stdout, "%d\n" % every)
        p = self.dynamo("count", "-t", name, "-e", "src", "--pk-prefix", "TENANT#42#", check=0)
        self.assertEqual(p.stdout, "%d\n" % len(contents(self.src, name, lambda it: tenant_of(it, "42"))))
        p = self.dynamo("count", "-t", name, "-e", "src", "--filter", "#s = :v", "--names", '{"#s":"status"}',
                        "--values", '{":v":{"S":"OPEN"}}', "--json", check=0)
        got = json.loads(p.stdout)
        self.assertEqual(got["count"], len(contents(self.src, name, lambda it: it["status"]["S"] == "OPEN")))
        self.assertEqual(got["stages"][0]["selection"]["filter"], "#s = :v")
        # By partition key: Queries with the filter.
        p = self.dynamo("count", "-t", name, "-e", "src", "--pk", "TENANT#7#USER#{0..2}", "--filter",
                        "#s = :v", "--names", '{"#s":"status"}', "--values", '{":v":{"S":"CLOSED"}}', check=0)
        self.assertEqual(p.stdout, "%d\n" % len(contents(
            self.src, name, lambda it: tenant_of(it, "7") and it["status"]["S"] == "CLOSED")))

    def test_binary_partition_key_prefix(self):
        # Judged against the server's own begins_with on B, as boto3 asks it. Neither emulator
        # compares binaries as DynamoDB does (moto finds none, dynalite too many), so this shows
        # the request is the one boto3 makes, not DynamoDB's answer.
        name = unique_name("selb")
        create_table(self.src, name, hash_key=("PK", "B"), range_key=None)
        keys = [bytes([a, b, c]) for a in (0, 1, 0x80, 0xff) for b in (0, 0x7f, 0xff) for c in (1, 2)]
        put_items(self.src, name, [{"PK": {"B": k}, "v": {"N": str(i)}} for i, k in enumerate(keys)])
        for prefix in (b"\x80", b"\xff\x7f", b"\x00\x00\x01"):
            want = scan_all(self.src, name, FilterExpression="begins_with(PK, :p)",
                            ExpressionAttributeValues={":p": {"B": prefix}})
            # One segment: moto fails segmented scans of binary keys.
            p = self.dynamo("count", "-t", name, "-e", "src", "--segments", "1", "--pk-prefix",
                            base64.b64encode(prefix).decode(), check=0)
            self.assertEqual(p.stdout, "%d\n" % len(want))
        p = self.dynamo("count", "-t", name, "-e", "src", "--pk-prefix", "not base64!", check=2)
        self.assertOneErrorLine(p, "--pk-prefix", "base64")

    def test_query_count_with_filter(self):
        name = self.table()
        p = self.dynamo("query", "-t", name, "-e", "src", "--pk", "TENANT#42#USER#1", "--count",
                        "--filter", "amount > :a", "--values", '{":a":{"N":"102"}}', check=0)
        want = [it for it in scan_all(self.src, name)
                if it["PK"]["S"] == "TENANT#42#USER#1" and float(it["amount"]["N"]) > 102]
        self.assertEqual(p.stdout, "%d\n" % len(want))

    def test_rejected_filter_is_dynamodbs_message(self):
        name = self.table()
        p = self.dynamo("count", "-t", name, "-e", "src", "--filter", "attribute_exists(", check=None)
        self.assertNotEqual(p.returncode, 0)
        self.assertOneErrorLine(p, "refused", "ValidationException")
        before = len(scan_all(self.src, name))
        p = self.dynamo("truncate", "-t", name, "-e", "src", "--filter", "size(#s) >", "--names",
                        '{"#s":"status"}', "--yes", check=None)
        self.assertNotEqual(p.returncode, 0)
        self.assertOneErrorLine(p, "refused")
        self.assertEqual(len(scan_all(self.src, name)), before)


class SelectionCheckpoint(harness.TestCase):

    def test_a_checkpoint_names_its_selection_and_transforms(self):
        name, target = unique_name("selck"), unique_name("selckt")
        create_table(self.src, name)
        create_table(self.src, target)
        put_items(self.src, name, tenant_items("42") + tenant_items("7"))
        ck = os.path.join(self.env.home, "t.ck")
        # A rename that makes every key too long: the copy fails on its first item, leaving a checkpoint.
        too_long = "TENANT#42#=TENANT#" + "x" * 2100 + "#"
        base = ["copy", "-t", name, "--target-table", target, "-e", "src", "--yes", "--no-backup",
                "--checkpoint", ck, "--no-truncate"]
        p = self.dynamo(*base, "--pk-prefix", "TENANT#42#", "--rename-prefix", too_long, check=None)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("cannot be transformed", p.stderr)
        self.assertTrue(os.path.exists(ck))
        with open(ck) as f:
            job = json.load(f)["job"]
        self.assertEqual(job["selection"], {"pk_prefix": "TENANT#42#"})
        self.assertEqual(job["transforms"]["rename_prefix"],
                         [{"from": "TENANT#42#", "to": too_long.split("=", 1)[1]}])
        # Another tenant, or other transforms, with the same checkpoint: another job, refused.
        for other in (["--pk-prefix", "TENANT#7#", "--rename-prefix", too_long],
                      ["--pk-prefix", "TENANT#42#", "--rename-prefix", "TENANT#42#=TENANT#43#"]):
            p = self.dynamo(*base, *other, check=2)
            self.assertOneErrorLine(p, "another job")
        self.assertEqual(scan_all(self.src, target), [])


class CountFails(harness.TestCase):
    backends = ("moto",)

    def test_a_count_that_gives_up_says_nothing_changed(self):
        name = unique_name("self")
        create_table(self.src, name)
        put_items(self.src, name, tenant_items("1"))
        proxy = harness.start_fault_proxy(self.backend.endpoint("src"), "--ops", "Scan", "--error-before", "1")
        self.addCleanup(proxy.stop)
        p = self.dynamo("count", "-t", name, "-e", "src", "--max-retries", "1",
                        extra_env={"AWS_ENDPOINT_URL": proxy.url}, check=5)
        self.assertIn("nothing was changed: run it again for the count", p.stderr)
        self.assertNotIn("were not written", p.stderr)
