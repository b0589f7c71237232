"""dynamo query: what it prints, judged against what boto3's Query returns."""
import base64
import decimal
import json
import os
import subprocess

import data
import harness
from harness import create_table, put_items, unique_name

GSI = ("GSI1", ("GSI1PK", "S"), ("GSI1SK", "S"), "ALL")
LSI = ("LSI1", None, ("LSI1SK", "N"), "ALL")


# ---- what boto3 sees ----

def boto_query(ddb, table, key, value, index=None, sk=None, desc=False, consistent=False):
    """Every item of one partition key through boto3's low-level client, in the server's order.

    key is (name, type) of the partition key; sk is (name, prefix) for begins_with.
    """
    names = {"#p": key[0]}
    values = {":p": {key[1]: value}}
    cond = "#p = :p"
    if sk:
        names["#s"] = sk[0]
        values[":s"] = {"S": sk[1]}
        cond += " AND begins_with(#s, :s)"
    kw = dict(TableName=table, KeyConditionExpression=cond, ExpressionAttributeNames=names,
              ExpressionAttributeValues=values, ScanIndexForward=not desc)
    if index:
        kw["IndexName"] = index
    if consistent:
        kw["ConsistentRead"] = True
    out = []
    while True:
        resp = ddb.query(**kw)
        out.extend(resp["Items"])
        if "LastEvaluatedKey" not in resp:
            return out
        kw["ExclusiveStartKey"] = resp["LastEvaluatedKey"]


def key_order(av):
    """How DynamoDB orders a key value: S by UTF-8 bytes, N by value, B by bytes."""
    (t, x), = av.items()
    if t == "S":
        return x.encode()
    if t == "N":
        return decimal.Decimal(x)
    return bytes(x)


def merged(per_key, sort_attr, desc=False):
    """What a merge of several partitions in sort-key order gives (ties: earlier --pk first)."""
    items = [it for part in per_key for it in part]
    return sorted(items, key=lambda it: key_order(it[sort_attr]), reverse=desc)


def b64(x):
    return base64.b64encode(bytes(x)).decode()


def plain_equal(av, got):
    """Whether got (plain JSON, numbers parsed as their text) is the typed value av, exactly.

    Numbers must be the very text boto3's low-level client received; sets may
    come in any order.
    """
    (t, x), = av.items()
    if t in ("S", "BOOL"):
        return got == x
    if t == "NULL":
        return got is None
    if t == "N":
        return got == x
    if t == "B":
        return got == b64(x)
    if t in ("SS", "NS"):
        return isinstance(got, list) and sorted(got) == sorted(x)
    if t == "BS":
        return isinstance(got, list) and sorted(got) == sorted(b64(b) for b in x)
    if t == "L":
        return isinstance(got, list) and len(got) == len(x) and all(plain_equal(a, g) for a, g in zip(x, got))
    if t == "M":
        return isinstance(got, dict) and set(got) == set(x) and all(plain_equal(x[k], got[k]) for k in x)
    raise ValueError(t)


def parse_plain(text):
    """Plain JSON with every number kept as the text that was printed."""
    return json.loads(text, parse_float=str, parse_int=str)


def jsonl(text):
    # Not splitlines(): a string may hold U+2028, which is a line break to Python only.
    return [parse_plain(line) for line in text.split("\n") if line]


class QueryBase(harness.TestCase):

    def seed(self, name):
        """USER#0..4 with 7..13 items each, a sparse GSI and an LSI; returns the items."""
        create_table(self.src, name, gsis=[GSI], lsis=[LSI])
        items = []
        for u in range(5):
            for k in range(7 + u + u % 2 * 3):
                i = u * 100 + k
                it = data.rich_item(i, pk_value="USER#%d" % u, sk_value="ORDER#%02d#%d" % (k * 7 % 13, k))
                if k % 3 == 0:  # sparse: a third of the items are in the GSI
                    it["GSI1PK"] = {"S": "STATUS#%d" % (i % 2)}
                    it["GSI1SK"] = {"S": "%05d" % (i * 37 % 1000)}
                it["LSI1SK"] = {"N": data.NUMBERS[k % len(data.NUMBERS)] if k < len(data.NUMBERS) else str(k)}
                items.append(it)
        put_items(self.src, name, items)
        return items

    def query(self, *args, check=0, **kw):
        return self.dynamo("query", "-e", "src", *args, check=check, **kw)

    def assertSummary(self, p, printed=None):
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, p.stderr)
        self.assertTrue(lines[0].startswith("dynamo: query done: "), lines[0])
        if printed is not None:
            self.assertIn(", %d printed;" % printed, lines[0])
        # A query neither writes nor deletes: its summary does not say so.
        self.assertNotIn("written", lines[0])
        self.assertNotIn("deleted", lines[0])


class QuerySummary(QueryBase):
    """Without --output: dynamo-cmdline's lines."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.name = unique_name("q-sum")
        cls.items = QueryBase.seed(cls, cls.name)

    def test_counts_items_of_a_partition_key(self):
        for pk in ("USER#0", "USER#3"):
            want = len(boto_query(self.src, self.name, ("PK", "S"), pk))
            p = self.query("-t", self.name, "--pk", pk)
            self.assertEqual(p.stdout, "%d items queried.\n" % want)
            self.assertSummary(p, 0)

    def test_no_item(self):
        p = self.query("-t", self.name, "--pk", "USER#404")
        self.assertEqual(p.stdout, "No item was found.\n")
        self.assertSummary(p)

    def test_sort_key_prefix_and_indexes(self):
        cases = [
            (["--pk", "USER#2", "--sk", "ORDER#1"], dict(value="USER#2", sk=("SK", "ORDER#1"))),
            (["--pk", "STATUS#1", "-i", "GSI1"], dict(key=("GSI1PK", "S"), value="STATUS#1", index="GSI1")),
            (["--pk", "STATUS#0", "-i", "GSI1", "--sk", "004"],
             dict(key=("GSI1PK", "S"), value="STATUS#0", index="GSI1", sk=("GSI1SK", "004"))),
            (["--pk", "USER#4", "-i", "LSI1"], dict(value="USER#4", index="LSI1")),
        ]
        for args, q in cases:
            key = q.pop("key", ("PK", "S"))
            want = len(boto_query(self.src, self.name, key, q.pop("value"), **q))
            self.assertGreater(want, 0, args)
            p = self.query("-t", self.name, *args)
            self.assertEqual(p.stdout, "%d items queried.\n" % want, args)

    def test_head_prints_the_first_item(self):
        for desc in (False, True):
            first = boto_query(self.src, self.name, ("PK", "S"), "USER#1", desc=desc)[0]
            p = self.query("-t", self.name, "--pk", "USER#1", "--head", *(["--desc"] if desc else []))
            lines = p.stdout.split("\n")
            self.assertRegex(lines[0], r"^\d+ items queried\.$")
            self.assertEqual(lines[-2:], ["-" * 30, ""])
            head = json.loads("\n".join(lines[1:-2]))
            self.assertEqual(harness.canonical(head), harness.canonical(first))

    def test_printed_counts_what_reached_stdout(self):
        # --head prints one item of many, --unique one line per value: the
        # summary once said "6 printed" for both.
        items = boto_query(self.src, self.name, ("PK", "S"), "USER#4")
        self.assertGreater(len(items), 2)
        p = self.query("-t", self.name, "--pk", "USER#4", "--head")
        self.assertSummary(p, 1)
        self.assertIn("%d read" % len(items), p.stderr)
        values = {harness.canonical({"v": it["num"]}) for it in items}
        p = self.query("-t", self.name, "--pk", "USER#4", "-u", "num")
        self.assertEqual(len(p.stdout.split("\n")[1:-1]), len(values))
        self.assertSummary(p, len(values))

    def test_head_is_indented_as_dynamo_cmdline_printed_it(self):
        # dynamo-cmdline printed json.dumps(items[0], indent=4); non-ASCII stays as it is.
        p = self.query("-t", self.name, "--pk", "USER#1", "-head")
        body = "\n".join(p.stdout.split("\n")[1:-2])
        self.assertEqual(body, json.dumps(json.loads(body), indent=4, ensure_ascii=False))

    def test_unique_strings_print_as_themselves(self):
        items = boto_query(self.src, self.name, ("PK", "S"), "USER#3")
        want = {it["str"]["S"] for it in items}
        self.assertIn("line\nbreak\ttab\rreturn", want)
        # Bytes, not text: text mode would turn the "\r" in a value into "\n".
        p = self.query("-t", self.name, "--pk", "USER#3", "--unique", "str", input=b"")
        head = b"%d items queried.\n" % len(items)
        self.assertTrue(p.stdout.startswith(head), p.stdout)
        # The values hold newlines themselves: compare the whole text.
        got = p.stdout[len(head):].decode()
        self.assertEqual(got, "".join(v + "\n" for v in sorted(want, key=lambda v: v.encode())))

    def test_unique_numbers_and_maps_are_distinct_values(self):
        items = boto_query(self.src, self.name, ("PK", "S"), "USER#4")
        for attr in ("num", "map", "flag", "list", "nothing"):
            want = {harness.canonical({"v": it[attr]}): it[attr] for it in items}
            p = self.query("-t", self.name, "--pk", "USER#4", "-u", attr)
            got = p.stdout.split("\n")[1:-1]
            self.assertEqual(len(got), len(want), (attr, p.stdout))
            for line in got:
                v = parse_plain(line)
                self.assertTrue(any(plain_equal(av, v) for av in want.values()), (attr, line))


    def test_unique_with_output_json_is_one_json_document(self):
        # --output json gave one value per line, which is not JSON.
        items = boto_query(self.src, self.name, ("PK", "S"), "USER#4")
        want = {harness.canonical({"v": it["map"]}): it["map"] for it in items}
        p = self.query("-t", self.name, "--pk", "USER#4", "-u", "map", "--output", "json")
        got = parse_plain(p.stdout)
        self.assertEqual(len(got), len(want), p.stdout)
        self.assertTrue(all(any(plain_equal(av, v) for av in want.values()) for v in got), p.stdout)
        p = self.query("-t", self.name, "--pk", "USER#4", "-u", "map", "--output", "ddb")
        got = json.loads(p.stdout)
        self.assertEqual(sorted(harness.canonical({"v": v}) for v in got), sorted(want))
        p = self.query("-t", self.name, "--pk", "USER#404", "-u", "map", "--output", "json")
        self.assertEqual(json.loads(p.stdout), [])


class QueryNumbers(QueryBase):

    def test_numbers_as_strings_for_jq(self):
        # jq and JavaScript read 38 digits as a double: --numbers string keeps them.
        name = unique_name("q-num")
        create_table(self.src, name)
        big = "12345678901234567890123456789012345678"
        put_items(self.src, name, [{"PK": {"S": "P"}, "SK": {"S": "1"}, "n": {"N": big},
                                    "ns": {"NS": ["1.5", big]}, "m": {"M": {"x": {"N": "-0.25"}}}}])
        p = self.query("-t", name, "--pk", "P", "--output", "jsonl")
        self.assertIn('"n":%s' % big, p.stdout)
        p = self.query("-t", name, "--pk", "P", "--output", "jsonl", "--numbers", "string")
        got = json.loads(p.stdout)
        self.assertEqual(got["n"], big)
        self.assertEqual(sorted(got["ns"]), sorted(["1.5", big]))
        self.assertEqual(got["m"], {"x": "-0.25"})
        p = self.query("-t", name, "--pk", "P", "-u", "n", "--output", "json", "--numbers", "string")
        self.assertEqual(json.loads(p.stdout), [big])
        p = self.query("-t", name, "--pk", "P", "--output", "jsonl", "--numbers", "text", check=2)
        self.assertOneErrorLine(p, "--numbers")


class QueryDistinct(QueryBase):

    def test_unique_numbers_equal_in_value_are_one(self):
        name = unique_name("q-uniq")
        create_table(self.src, name)
        spellings = ["1.50", "1.5", "15E-1", "0.15e1", "2", "2.0", "-0", "0", "100", "1E2"]
        put_items(self.src, name, [{"PK": {"S": "P"}, "SK": {"S": "%02d" % i}, "n": {"N": v},
                                    "m": {"M": {"a": {"N": v}, "b": {"S": "x"}}},
                                    "ss": {"SS": ["b", "a"] if i % 2 else ["a", "b"]}}
                                   for i, v in enumerate(spellings)])
        items = boto_query(self.src, name, ("PK", "S"), "P")
        want = {decimal.Decimal(it["n"]["N"]) for it in items}  # what boto3 calls distinct
        p = self.query("-t", name, "--pk", "P", "--unique", "n")
        got = [decimal.Decimal(l) for l in p.stdout.split("\n")[1:-1]]
        self.assertEqual(sorted(got), sorted(want), p.stdout)
        p = self.query("-t", name, "--pk", "P", "--unique", "m")
        self.assertEqual(len(p.stdout.split("\n")[1:-1]), len(want), p.stdout)
        p = self.query("-t", name, "--pk", "P", "--unique", "ss")
        got = [sorted(json.loads(l)) for l in p.stdout.split("\n")[1:-1]]
        self.assertEqual(got, [["a", "b"]], p.stdout)

    def test_unique_on_attribute_names_that_need_escaping(self):
        name = unique_name("q-uniq-names")
        create_table(self.src, name)
        attrs = ["gr\u00f6\u00dfe", "a \"quoted\" name", "back\\slash", "a b#c.d:e"]
        put_items(self.src, name, [dict({"PK": {"S": "P"}, "SK": {"S": "%d" % i}},
                                        **{a: {"S": "v%d" % (i % 3)} for a in attrs}) for i in range(7)])
        for a in attrs:
            p = self.query("-t", name, "--pk", "P", "--unique", a)
            self.assertEqual(p.stdout, "7 items queried.\nv0\nv1\nv2\n", a)


class QueryOutput(QueryBase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.name = unique_name("q-out")
        cls.items = QueryBase.seed(cls, cls.name)

    def test_ddb_output_is_the_items_in_order(self):
        want = boto_query(self.src, self.name, ("PK", "S"), "USER#3")
        p = self.query("-t", self.name, "--pk", "USER#3", "--output", "ddb")
        got = json.loads(p.stdout)
        self.assertEqual([harness.canonical(i) for i in got], [harness.canonical(i) for i in want])
        self.assertSummary(p, len(want))

    def test_json_and_jsonl_print_numbers_exactly_as_stored(self):
        want = boto_query(self.src, self.name, ("PK", "S"), "USER#4", consistent=True)
        self.assertTrue(any(len(it["num"]["N"].lstrip("-").replace(".", "")) >= 38 for it in want))
        p = self.query("-t", self.name, "--pk", "USER#4", "--output", "json", "--consistent")
        as_json = parse_plain(p.stdout)
        p = self.query("-t", self.name, "--pk", "USER#4", "--output", "jsonl", "--consistent")
        as_jsonl = jsonl(p.stdout)
        for got in (as_json, as_jsonl):
            self.assertEqual(len(got), len(want))
            for av, g in zip(want, got):
                self.assertTrue(plain_equal({"M": av}, g), "printed %s\nboto3 has %s" % (g, av))

    def test_empty_results(self):
        self.assertEqual(self.query("-t", self.name, "--pk", "NOBODY", "--output", "ddb").stdout, "[]\n")
        self.assertEqual(self.query("-t", self.name, "--pk", "NOBODY", "--output", "json").stdout, "[]\n")
        self.assertEqual(self.query("-t", self.name, "--pk", "NOBODY", "--output", "jsonl").stdout, "")

    def test_limit_and_desc(self):
        for desc in (False, True):
            want = boto_query(self.src, self.name, ("PK", "S"), "USER#3", desc=desc)[:4]
            p = self.query("-t", self.name, "--pk", "USER#3", "--limit", "4", "--output", "ddb",
                           *(["--desc"] if desc else []))
            self.assertEqual([harness.canonical(i) for i in json.loads(p.stdout)],
                             [harness.canonical(i) for i in want])
        p = self.query("-t", self.name, "--pk", "USER#3", "--limit", "4")
        self.assertEqual(p.stdout, "4 items queried.\n")

    def test_head_with_output_prints_one_item(self):
        want = boto_query(self.src, self.name, ("PK", "S"), "USER#2", desc=True)[0]
        p = self.query("-t", self.name, "--pk", "USER#2", "--head", "--desc", "--output", "jsonl")
        got = jsonl(p.stdout)
        self.assertEqual(len(got), 1)
        self.assertTrue(plain_equal({"M": want}, got[0]))

    def test_lsi_order_is_numeric(self):
        want = boto_query(self.src, self.name, ("PK", "S"), "USER#4", index="LSI1")
        p = self.query("-t", self.name, "--pk", "USER#4", "-i", "LSI1", "--output", "jsonl")
        self.assertEqual([g["SK"] for g in jsonl(p.stdout)], [w["SK"]["S"] for w in want])

    def test_count_transfers_no_items(self):
        want = len(boto_query(self.src, self.name, ("PK", "S"), "USER#3"))
        md = self.env.write("count-summary.md", "")
        p = self.query("-t", self.name, "--pk", "USER#3", "--count", extra_env={"GITHUB_STEP_SUMMARY": md})
        self.assertEqual(p.stdout, "%d\n" % want)
        self.assertSummary(p, 0)
        # The step summary counts what was counted, not the zero items written.
        self.assertIn("**%d** items handled" % want, open(md).read())
        want = len(boto_query(self.src, self.name, ("GSI1PK", "S"), "STATUS#1", index="GSI1"))
        p = self.query("-t", self.name, "--pk", "STATUS#1", "-i", "GSI1", "--count")
        self.assertEqual(p.stdout, "%d\n" % want)

    def test_count_stops_at_limit(self):
        total = len(boto_query(self.src, self.name, ("PK", "S"), "USER#3"))
        self.assertGreater(total, 3)
        p = self.query("-t", self.name, "--pk", "USER#3", "--count", "--limit", "3")
        self.assertEqual(p.stdout, "3\n")
        p = self.query("-t", self.name, "--pk", "USER#{0..4}", "--count", "--limit", "1000")
        self.assertEqual(p.stdout, "%d\n" % len(self.items))

    def test_a_closed_pipe_ends_quietly(self):
        # `dynamo query ... | head -1`: the reader leaves after the first line,
        # long before the 800 KB of output are written. As coreutils and git
        # do, dynamo ends by SIGPIPE (status 141 in the shell), saying nothing.
        name = unique_name("q-pipe")
        create_table(self.src, name)
        put_items(self.src, name, [{"PK": {"S": "P"}, "SK": {"S": "%04d" % i}, "pad": {"S": "x" * 2000}}
                                   for i in range(400)])
        sh = "%s query -e src -t %s --pk P --output jsonl | head -1; echo \"status ${PIPESTATUS[0]}\"" % (
            harness.BIN, name)
        p = subprocess.run(["bash", "-c", sh], capture_output=True, text=True, env=self.env.environ(), timeout=60)
        out = p.stdout.split("\n")
        self.assertEqual(parse_plain(out[0])["SK"], "0000")
        self.assertEqual(out[1], "status 141", p.stderr)
        self.assertEqual(p.stderr, "")

    def test_closed_stdout_is_not_replaced_by_another_file(self):
        # Started with stdout closed, the first file or socket opened would
        # take descriptor 1 and receive the items. The write fails instead.
        name = unique_name("q-closed")
        create_table(self.src, name)
        put_items(self.src, name, [{"PK": {"S": "P"}, "SK": {"S": "1"}, "v": {"S": "secret-ish"}}])
        sh = "%s query -e src -t %s --pk P --output jsonl --debug >&-" % (harness.BIN, name)
        p = subprocess.run(["bash", "-c", sh], capture_output=True, text=True, env=self.env.environ(), timeout=60)
        self.assertEqual(p.returncode, 7, p.stderr)
        self.assertIn("cannot write the output: Bad file descriptor", p.stderr)
        self.assertNotIn("secret-ish", p.stderr)


class QueryShards(QueryBase):
    """Write-sharded partitions: several --pk, queried in parallel, merged in sort-key order."""

    def shard_table(self, hash_key, range_key, values, shards=4, gsi=False):
        name = unique_name("q-shard")
        kw = {}
        if gsi:
            kw["gsis"] = [("byScore", ("board", "S"), ("sc\u00f6re", "N"), "ALL")]
        create_table(self.src, name, hash_key=hash_key, range_key=range_key, **kw)
        items = []
        for i, v in enumerate(values):
            it = {hash_key[0]: {"S": "USER#hot#S%d" % (i % shards)}, range_key[0]: {range_key[1]: v},
                  "i": {"N": str(i)}, "num": {"N": data.NUMBERS[i % len(data.NUMBERS)]}}
            if gsi and i % 2:
                it["board"] = {"S": "B%d" % (i % 4 // 2)}
                it["sc\u00f6re"] = {"N": str((i * 37) % 101)}
            items.append(it)
        put_items(self.src, name, items)
        return name

    def boto_shards(self, name, hash_key, shards=4, **kw):
        return [boto_query(self.src, name, hash_key, "USER#hot#S%d" % s, **kw) for s in range(shards)]

    def check_merge(self, name, hash_key, range_attr, sk=None, desc=False, limit=None,
                    pks=("--pk", "USER#hot#S{0..3}")):
        want = merged(self.boto_shards(name, hash_key, sk=(range_attr, sk) if sk else None), range_attr, desc)
        if limit:
            want = want[:limit]
        args = list(pks) + (["--sk", sk] if sk else []) + (["--desc"] if desc else []) + \
            (["--limit", str(limit)] if limit else [])
        p = self.query("-t", name, *args, "--output", "jsonl")
        got = jsonl(p.stdout)
        self.assertEqual([g["i"] for g in got], [w["i"]["N"] for w in want], (range_attr, args))
        self.assertSummary(p, len(want))
        return got

    def test_string_sort_keys_merge_in_byte_order(self):
        values = ["2024-01-%02d#%d" % (i * 7 % 28 + 1, i) for i in range(40)] + ["\u00e9t\u00e9", "Zulu", "z", "~"]
        name = self.shard_table(("PK", "S"), ("SK", "S"), values)
        for desc in (False, True):
            self.check_merge(name, ("PK", "S"), "SK", desc=desc)
            self.check_merge(name, ("PK", "S"), "SK", desc=desc, limit=7)
        # Repeated --pk is the same as a brace range.
        self.check_merge(name, ("PK", "S"), "SK",
                         pks=("--pk", "USER#hot#S0", "-pk", "USER#hot#S1", "--pk", "USER#hot#S{2..3}"))

    def test_numeric_sort_keys_merge_by_value(self):
        values = ["9", "10", "1e2", "-3", "0.5", "12345678901234567890123456789012345678", "1E-130",
                  "-12345678901234567890123456789012345678", "99.999", "100.0001", "2", "11"] + \
                 ["%d.25" % (i * 37 % 211 - 50) for i in range(30)]
        name = self.shard_table(("PK", "S"), ("SK", "N"), values)
        for desc in (False, True):
            got = self.check_merge(name, ("PK", "S"), "SK", desc=desc)
            nums = [decimal.Decimal(g["SK"]) for g in got]
            self.assertEqual(nums, sorted(nums, reverse=desc))
        self.check_merge(name, ("PK", "S"), "SK", limit=5)

    def test_binary_sort_keys_merge_by_bytes(self):
        values = [bytes([(i * 37) % 256, i]) for i in range(30)] + [b"\x00", b"\xff\xff\xff", b"\x80"]
        name = self.shard_table(("PK", "S"), ("SK", "B"), values)
        for desc in (False, True):
            self.check_merge(name, ("PK", "S"), "SK", desc=desc)

    def test_merge_over_several_pages_per_shard(self):
        # 1.3 MB per shard: DynamoDB's 1 MB pages make two pages each, and the
        # merge has to wait for a shard's next page while holding the others'.
        name = unique_name("q-pages")
        create_table(self.src, name, range_key=("SK", "N"))
        pad = "p" * 2600
        put_items(self.src, name, [{"PK": {"S": "USER#hot#S%d" % (i % 3)}, "SK": {"N": str(i * 7919 % 1500)},
                                    "i": {"N": str(i)}, "pad": {"S": pad}} for i in range(1500)])
        want = merged([boto_query(self.src, name, ("PK", "S"), "USER#hot#S%d" % s) for s in range(3)], "SK")
        p = self.query("-t", name, "--pk", "USER#hot#S{0..2}", "--output", "jsonl")
        self.assertEqual([g["i"] for g in jsonl(p.stdout)], [w["i"]["N"] for w in want])
        p = self.query("-t", name, "--pk", "USER#hot#S{0..2}", "--output", "jsonl", "--desc", "--limit", "1200")
        self.assertEqual([g["i"] for g in jsonl(p.stdout)], [w["i"]["N"] for w in reversed(want)][:1200])

    def test_binary_partition_and_sort_keys(self):
        name = unique_name("q-bin")
        create_table(self.src, name, hash_key=("h", "B"), range_key=("r", "B"))
        put_items(self.src, name, [{"h": {"B": bytes([i % 2, 255])}, "r": {"B": bytes([i * 29 % 256, 7])},
                                    "i": {"N": str(i)}} for i in range(30)])
        pks = [b64(bytes([s, 255])) for s in range(2)]
        parts = [boto_query(self.src, name, ("h", "B"), bytes([s, 255])) for s in range(2)]
        p = self.query("-t", name, "--pk", pks[0], "--pk", pks[1], "--output", "jsonl")
        self.assertEqual([g["i"] for g in jsonl(p.stdout)], [w["i"]["N"] for w in merged(parts, "r")])
        # --sk on a binary sort key: begins_with on the bytes, given in base64.
        want = [w for w in parts[0] if bytes(w["r"]["B"]).startswith(b"\x3a")]
        self.assertEqual(len(want), 1)
        p = self.query("-t", name, "--pk", pks[0], "--sk", b64(b"\x3a"), "--output", "jsonl")
        self.assertEqual([g["i"] for g in jsonl(p.stdout)], [w["i"]["N"] for w in want])

    def test_odd_key_names(self):
        for h, r in [("name", "status"), ("a b#c.d:e", "x.y:z #1"), ("pk", "gr\u00f6\u00dfe"), ("pk", "say \"hi\"")]:
            values = ["v%02d" % ((i * 7) % 24) for i in range(24)]
            name = self.shard_table((h, "S"), (r, "S"), values)
            self.check_merge(name, (h, "S"), r)
            self.check_merge(name, (h, "S"), r, sk="v1", desc=True)
            # -sk: begins_with on a sort key with an odd name
            p = self.query("-t", name, "-pk", "USER#hot#S0", "-sk", "v1")
            want = len(boto_query(self.src, name, (h, "S"), "USER#hot#S0", sk=(r, "v1")))
            self.assertEqual(p.stdout, "%d items queried.\n" % want, (h, r))

    def test_through_a_gsi_with_a_non_ascii_sort_key(self):
        name = self.shard_table(("PK", "S"), ("SK", "S"), ["s%03d" % i for i in range(40)], gsi=True)
        parts = [boto_query(self.src, name, ("board", "S"), "B%d" % b, index="byScore") for b in range(2)]
        for desc in (False, True):
            want = merged(parts, "sc\u00f6re", desc)
            p = self.query("-t", name, "--pk", "B{0..1}", "-i", "byScore", "--output", "jsonl",
                           *(["--desc"] if desc else []))
            self.assertEqual([g["i"] for g in jsonl(p.stdout)], [w["i"]["N"] for w in want])

    def test_head_and_count_over_shards(self):
        name = self.shard_table(("PK", "S"), ("SK", "N"), [str(100 - i * 3) for i in range(30)])
        want = merged(self.boto_shards(name, ("PK", "S")), "SK")
        p = self.query("-t", name, "--pk", "USER#hot#S{0..3}", "--head")
        lines = p.stdout.split("\n")
        self.assertEqual(lines[0], "30 items queried.")
        self.assertEqual(harness.canonical(json.loads("\n".join(lines[1:-2]))), harness.canonical(want[0]))
        p = self.query("-t", name, "--pk", "USER#hot#S{0..3}", "--count")
        self.assertEqual(p.stdout, "30\n")

    def test_hash_only_table(self):
        name = unique_name("q-hash")
        create_table(self.src, name, hash_key=("id", "N"), range_key=None)
        put_items(self.src, name, [{"id": {"N": str(i)}, "v": {"S": "x%d" % i}} for i in range(10)])
        p = self.query("-t", name, "--pk", "3", "--pk", "7", "--pk", "12345", "--output", "jsonl")
        self.assertEqual([g["id"] for g in jsonl(p.stdout)], ["3", "7"])
        p = self.query("-t", name, "--pk", "{0..9}", "--unique", "v")
        self.assertEqual(p.stdout, "10 items queried.\n" + "".join("x%d\n" % i for i in range(10)))


class QueryErrors(QueryBase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.name = unique_name("q-err")
        create_table(cls.src, cls.name, gsis=[GSI], lsis=[LSI])
        cls.hash_only = unique_name("q-err-h")
        create_table(cls.src, cls.hash_only, hash_key=("id", "N"), range_key=None)

    def fails(self, code, *args, needles=()):
        p = self.query(*args, check=None)
        self.assertEqual(p.returncode, code, p.stderr)
        self.assertEqual(p.stdout, "")
        return self.assertOneErrorLine(p, *needles)

    def test_bad_input_is_one_line_with_an_exit_code(self):
        self.fails(4, "-t", unique_name("q-none"), "--pk", "x", needles=["q-none", "not found", "'src'"])
        self.fails(4, "-t", self.name, "--pk", "x", "-i", "NoSuchIndex", needles=["NoSuchIndex", self.name])
        self.fails(2, "-t", self.hash_only, "--pk", "1", "--sk", "a", needles=["--sk", self.hash_only, "sort key"])
        self.fails(2, "-t", self.hash_only, "--pk", "one", needles=["--pk", "'one'", "number", "id"])
        self.fails(2, "-t", self.name, "--pk", "x", "-i", "LSI1", "--sk", "abc", needles=["--sk", "LSI1SK"])
        self.fails(2, "-t", self.name, "--pk", "x", "--pk-type", "N", needles=["--pk-type", "PK"])
        self.fails(2, "-t", self.name, "--pk", "x", "-i", "GSI1", "--consistent", needles=["--consistent", "GSI1"])
        self.fails(2, "-t", self.name, needles=["--pk"])
        self.fails(2, "--pk", "x", needles=["-t"])
        self.fails(3, "-t", self.name, "--pk", "x", "-e", "nosuchprofile", needles=["nosuchprofile"])
        self.fails(2, "-t", self.name, "--pk", "x", "--output", "xml", needles=["--output", "xml"])

    def test_gsi_and_lsi_without_items(self):
        p = self.query("-t", self.name, "--pk", "nobody", "-i", "GSI1")
        self.assertEqual(p.stdout, "No item was found.\n")
        p = self.query("-t", self.name, "--pk", "nobody", "-i", "LSI1", "--consistent", "--count")
        self.assertEqual(p.stdout, "0\n")
