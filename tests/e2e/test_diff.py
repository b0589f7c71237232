"""dynamo diff and copy --verify: boto3 makes the differences, each must be reported once with the right sign.

The tables are seeded by boto3 with items of every attribute type; the test
then adds, removes and changes items on either side (each change touching
one attribute type) and checks dynamo's lines against what it did. Number
spellings DynamoDB holds equal (1, 1.0, 1E0; NS in another order) must not
be differences. An interrupted diff is killed at a BatchGetItem count (the
fault proxy holds the target's lookups), then resumed from its checkpoint.
"""
import copy
import json
import os

import data
import harness
from harness import create_table, put_items, unique_name
from test_faults import FaultBase
from test_rate_limits import average_rate, busiest_window, padded_items, spent

CHANGES = {
    # attribute -> a new value of the same type (or another shape)
    "num": {"N": "123456789012345678901234567890.12345678"},
    "str": {"S": "changed"},
    "bin": {"B": "AAEC"},
    "empty_bin": {"B": "AA=="},
    "flag": {"BOOL": True},
    "nothing": {"S": "no longer null"},
    "tags": {"SS": ["a", "zz"]},
    "nums": {"NS": ["1", "2"]},
    "blobs": {"BS": ["AAE="]},
    "list": {"L": [{"S": "x"}]},
    "map": {"M": {"a": {"N": "1.51"}}},
    "reserved": {"S": ""},
}


def parse_lines(out):
    """{sign: sorted list of PK values} from diff's short lines ("+ {"PK":"..","SK":".."}")."""
    seen = {"+": [], "-": [], "~": []}
    for line in out.splitlines():
        sign, key = line[0], json.loads(line[2:])
        seen[sign].append(key["PK"])
    return {k: sorted(v) for k, v in seen.items()}


class Diff(harness.TestCase):

    def seeded(self, n=40, target_table=None):
        name = unique_name("diff")
        tname = target_table or name
        create_table(self.src, name)
        create_table(self.tgt, tname)
        items = [data.rich_item(i, pk_value="P#%03d" % i, sk_value="S") for i in range(n)]
        put_items(self.src, name, items)
        put_items(self.tgt, tname, items)
        return name, tname, items

    def diff(self, name, *extra, check=None):
        return self.dynamo("diff", "-t", name, "--source", "src", "--target", "tgt", *extra, check=check)

    def test_equal_tables_exit_0(self):
        self.require_distinct_target()
        name, _, _ = self.seeded()
        p = self.diff(name, check=0)
        self.assertEqual(p.stdout, "")
        self.assertIn("0 only in source, 0 only in target, 0 different, 40 equal", p.stderr)

    def test_every_change_reported_once_with_its_sign(self):
        self.require_distinct_target()
        name, _, items = self.seeded(n=60)
        want = {"+": [], "-": [], "~": []}
        # Changed: one attribute type per item, on the target (each reported once as ~).
        for i, (attr, value) in enumerate(sorted(CHANGES.items())):
            it = dict(items[i])
            it[attr] = value
            put_items(self.tgt, name, [it])
            want["~"].append(it["PK"]["S"])
        # An attribute only on one side, and a nested change.
        it = dict(items[20]); it["extra"] = {"S": ""}
        put_items(self.tgt, name, [it]); want["~"].append(it["PK"]["S"])
        it = dict(items[21]); del it["map"]
        put_items(self.src, name, [it]); want["~"].append(it["PK"]["S"])
        it = copy.deepcopy(items[22])
        it["map"]["M"]["nested"]["M"]["l"]["L"][1] = {"SS": ["x", "z"]}
        put_items(self.tgt, name, [it]); want["~"].append(it["PK"]["S"])
        # Removed from the target: only in the source (+); added to the target: only there (-).
        for i in (30, 31):
            self.tgt.delete_item(TableName=name, Key={"PK": items[i]["PK"], "SK": items[i]["SK"]})
            want["+"].append(items[i]["PK"]["S"])
        for i in (0, 1):
            extra = data.rich_item(i, pk_value="EXTRA#%d" % i, sk_value="S")
            put_items(self.tgt, name, [extra])
            want["-"].append("EXTRA#%d" % i)
        p = self.diff(name, "--segments", "3", check=1)
        self.assertEqual(parse_lines(p.stdout), {k: sorted(v) for k, v in want.items()}, p.stderr)
        self.assertIn("2 only in source, 2 only in target, %d different" % len(want["~"]), p.stderr)

    def test_number_spellings_and_set_order_are_not_differences(self):
        self.require_distinct_target()
        name = unique_name("diff-num")
        create_table(self.src, name)
        create_table(self.tgt, name)
        a = {"PK": {"S": "n"}, "SK": {"S": "1"}, "x": {"N": "1"}, "y": {"N": "100"},
             "ns": {"NS": ["1", "2.5", "10"]}, "ss": {"SS": ["b", "a"]},
             "m": {"M": {"k": {"N": "0.50"}, "j": {"L": [{"N": "7"}]}}}}
        b = {"PK": {"S": "n"}, "SK": {"S": "1"}, "x": {"N": "1.0"}, "y": {"N": "1E2"},
             "ns": {"NS": ["10.00", "1E0", "2.50"]}, "ss": {"SS": ["a", "b"]},
             "m": {"M": {"j": {"L": [{"N": "7.0"}]}, "k": {"N": "5e-1"}}}}
        put_items(self.src, name, [a])
        put_items(self.tgt, name, [b])
        p = self.diff(name, check=0)
        self.assertEqual(p.stdout, "")
        # ...but a number that differs in its 38th digit is one.
        self.tgt.put_item(TableName=name, Item=dict(b, x={"N": "1.0000000000000000000000000000000000001"}))
        p = self.diff(name, check=1)
        self.assertEqual(parse_lines(p.stdout)["~"], ["n"])

    def test_target_table_full_format_and_jsonl(self):
        self.require_distinct_target()
        tname = unique_name("diff-other")
        name, _, items = self.seeded(n=10, target_table=tname)
        it = dict(items[3]); it["str"] = {"S": "new"}
        put_items(self.src, name, [it])
        p = self.diff(name, "--target-table", tname, "--format", "full", check=1)
        self.assertEqual(p.stdout.splitlines()[0], '~ {"PK":"P#003","SK":"S"}')
        self.assertIn('    "str": {"S":', p.stdout)
        self.assertTrue(p.stdout.replace(" ", "").rstrip().endswith('->{"S":"new"}'), p.stdout)
        p = self.diff(name, "--target-table", tname, "--output", "jsonl", "--format", "full", check=1)
        obj = json.loads(p.stdout)
        self.assertEqual((obj["diff"], obj["key"]), ("~", {"PK": {"S": "P#003"}, "SK": {"S": "S"}}))
        self.assertEqual(obj["changes"]["str"]["source"], {"S": "new"})

    def test_a_selection_compares_only_its_items(self):
        self.require_distinct_target()
        name, _, items = self.seeded(n=30)
        for i in (2, 12):        # P#002 and P#012: only P#01x is selected
            it = dict(items[i]); it["str"] = {"S": "other"}
            put_items(self.tgt, name, [it])
        put_items(self.tgt, name, [{"PK": {"S": "P#019x"}, "SK": {"S": "S"}}, {"PK": {"S": "Q"}, "SK": {"S": "S"}}])
        p = self.diff(name, "--pk-prefix", "P#01", check=1)
        self.assertEqual(parse_lines(p.stdout), {"+": [], "-": ["P#019x"], "~": ["P#012"]})
        p = self.diff(name, "--pk", "P#002", check=1)
        self.assertEqual(parse_lines(p.stdout), {"+": [], "-": [], "~": ["P#002"]})
        p = self.diff(name, "--pk", "P#003", "--json", check=0)
        self.assertTrue(json.loads(p.stdout.splitlines()[-1])["equal_tables"])

    def test_an_index_selection(self):
        self.require_distinct_target()
        name = unique_name("diff-ix")
        gsis = [("ByOwner", ("owner", "S"), None, "ALL"), ("ByOwnerKeys", ("owner", "S"), None, "KEYS_ONLY")]
        create_table(self.src, name, gsis=gsis)
        create_table(self.tgt, name, gsis=gsis)
        items = [{"PK": {"S": "P#%02d" % i}, "SK": {"S": "S"}, "owner": {"S": "O%d" % (i % 3)}, "n": {"N": str(i)}}
                 for i in range(30)]
        put_items(self.src, name, items)
        put_items(self.tgt, name, items)
        self.tgt.put_item(TableName=name, Item=dict(items[4], n={"N": "4.5"}))       # owner O1: changed
        self.tgt.put_item(TableName=name, Item=dict(items[5], n={"N": "-5"}))        # owner O2: not selected
        self.tgt.put_item(TableName=name, Item={"PK": {"S": "X"}, "SK": {"S": "S"}, "owner": {"S": "O1"}})
        self.src.delete_item(TableName=name, Key={"PK": items[7]["PK"], "SK": items[7]["SK"]})  # O1
        p = self.diff(name, "-i", "ByOwner", "--pk", "O1", check=1)
        self.assertEqual(parse_lines(p.stdout), {"+": [], "-": ["P#07", "X"], "~": ["P#04"]})
        # An index that projects part of each item cannot be compared whole: refused, exit 2.
        p = self.diff(name, "-i", "ByOwnerKeys", "--pk", "O1", check=2)
        self.assertOneErrorLine(p, "ByOwnerKeys", "KEYS_ONLY")

    def test_json_summary_and_errors_do_not_say_different(self):
        self.require_distinct_target()
        name, _, items = self.seeded(n=5)
        self.tgt.delete_item(TableName=name, Key={"PK": items[0]["PK"], "SK": items[0]["SK"]})
        p = self.diff(name, "--json", check=1)
        res = json.loads(p.stdout.splitlines()[-1])
        self.assertEqual((res["only_in_source"], res["only_in_target"], res["different"], res["equal"]), (1, 0, 0, 4))
        # A missing table is exit 4, never 1 (1 says "different").
        p = self.diff(name, "--target-table", "no-such-table-%s" % name, check=4)
        p = self.diff(name, "--sample", "2", check=2)
        p = self.diff(name, "--output", "json", check=2)

    def test_sample_says_so(self):
        self.require_distinct_target()
        name, _, _ = self.seeded(n=40)
        p = self.diff(name, "--segments", "8", "--sample", "0.25", check=0)
        self.assertIn("a sample: 0.25 of the source's segments", p.stderr)


class DiffResume(harness.TestCase):

    def setUp(self):
        self.tmp = harness.tempfile.mkdtemp(prefix="dynamo-diff-ck-")
        self.addCleanup(harness.shutil.rmtree, self.tmp, True)

    def test_an_interrupted_diff_resumes_and_still_reports_what_it_found(self):
        self.require_distinct_target()
        name = unique_name("diff-ck")
        create_table(self.src, name)
        create_table(self.tgt, name)
        items = [{"PK": {"S": "P#%04d" % i}, "SK": {"S": "S"}, "n": {"N": str(i)}} for i in range(300)]
        put_items(self.src, name, items)
        put_items(self.tgt, name, items)
        changed = range(3, 300, 10)     # 30 items, spread over every segment
        put_items(self.tgt, name, [dict(items[i], n={"N": "-1"}) for i in changed])
        proxy = harness.start_fault_proxy(self.backend.endpoint("tgt"), "--page-limit", "25")
        self.addCleanup(proxy.stop)
        ck = os.path.join(self.tmp, "diff.ck")
        args = ["diff", "-t", name, "--source", "src", "--target", "tgt", "--target-endpoint-url", proxy.url,
                "--checkpoint", ck, "--segments", "4", "--concurrency", "2"]
        # Hold the target's lookups after the first 2: dynamo is killed with those in flight.
        first = harness.kill_when_held(self, proxy, args, ck, hold_after=2, hold_ops="BatchGetItem")
        r = self.dynamo(*(args + ["--json"]))
        self.assertIn("resuming from checkpoint", r.stderr)
        self.assertEqual(r.returncode, 1, r.stderr)
        # Every changed item is reported by one of the runs (one may repeat what the other printed)...
        lines = set(first.splitlines()) | set(r.stdout.splitlines()[:-1])
        self.assertEqual(lines, {'~ {"PK":"P#%04d","SK":"S"}' % i for i in changed})
        self.assertLess(len(r.stdout.splitlines()[:-1]), 30, "the resumed run read everything again")
        # ...and the resumed run's counts include what the killed run found (the checkpoint keeps them).
        self.assertGreaterEqual(json.loads(r.stdout.splitlines()[-1])["different"], 30)
        self.assertFalse(os.path.exists(ck))


class CopyVerify(harness.TestCase):

    def test_verified_copy_and_a_target_that_differs(self):
        self.require_distinct_target()
        name = unique_name("verify")
        create_table(self.src, name)
        create_table(self.tgt, name)
        put_items(self.src, name, data.rich_items(30))
        p = self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                        "--verify", "--json", check=0)
        self.assertTrue(json.loads(p.stdout.splitlines()[-1])["verified"])
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 30)
        # A slice would check only its share: refused, with what to do instead.
        p = self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                        "--verify", "--slice", "1/2", "--segments", "4", check=2)
        self.assertOneErrorLine(p, "--slice", "dynamo diff")
        # Writes lost on their way to the target: the copy cannot know, the verify does.
        proxy = harness.start_fault_proxy(self.backend.endpoint("tgt"), "--hostile", "lose_writes",
                                          "--hostile-skip", "1", "--ops", "BatchWriteItem")
        self.addCleanup(proxy.stop)
        put_items(self.src, name, [{"PK": {"S": "new%d" % i}, "SK": {"S": "x"}} for i in range(60)])
        # A target seeded with an extra item over the same selection, which --no-truncate keeps.
        put_items(self.tgt, name, [{"PK": {"S": "USER#0001"}, "SK": {"S": "EXTRA"}}])
        p = self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                        "--no-truncate", "--verify", "--json", "--target-endpoint-url", proxy.url, check=5)
        lost = 90 - len(harness.scan_all(self.tgt, name)) + 1
        self.assertGreater(lost, 0)
        self.assertEqual(len([l for l in p.stdout.splitlines() if l.startswith("+ ")]), lost, p.stdout)
        self.assertNotIn("EXTRA", p.stdout)   # --no-truncate: the target's other items are not differences
        res = json.loads(p.stdout.splitlines()[-1])
        self.assertFalse(res["verified"])
        self.assertEqual(res["exit_code"], 5)
        # Without --no-truncate the copy prunes the extra item, and the verify passes.
        self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                    "--verify", check=0)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 90)



class DiffReadCaps(FaultBase):
    """--max-rcu holds on each side: the source's scan and lookups, the target's lookups and scan.

    Each side goes through its own fault proxy in capacity mode (the source's
    also carries STS), which logs the units each read spent."""

    backends = ("moto",)

    def test_each_side_is_held_to_the_cap(self):
        name = unique_name("diff-rcu")
        create_table(self.src, name)
        create_table(self.tgt, name)
        put_items(self.src, name, padded_items(400))
        put_items(self.tgt, name, padded_items(400)[:390])
        src_proxy = self.proxy("--capacity")
        tgt_proxy = harness.start_fault_proxy(self.backend.endpoint("tgt"), "--capacity")
        self.addCleanup(tgt_proxy.stop)
        p = self.via(src_proxy, "diff", "-t", name, "--source", "src", "--target", "tgt", "--max-rcu", "100",
                     "--segments", "4", "--target-endpoint-url", tgt_proxy.url, timeout=120)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertEqual(len(p.stdout.splitlines()), 10)
        for side, proxy in (("source", src_proxy), ("target", tgt_proxy)):
            reads = spent(proxy.stats()["capacity"], "read")
            # Each side's items are read whole once (lookups charge 1 unit an item: 400 or 390 at least).
            self.assertGreaterEqual(sum(u for _, u in reads), 390, side)
            rate = average_rate(reads)
            largest = max(u for _, u in reads)
            self.assertLessEqual(rate, 100 * 1.05, "%s over the cap on average: %.1f units/s" % (side, rate))
            worst = busiest_window(reads, 2.0)
            self.assertLessEqual(worst, 2.25 * 100 * 1.05 + largest, "%s: a burst of %.1f units in 2 s" % (side, worst))
