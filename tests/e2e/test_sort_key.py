"""Sort-key conditions (--sk-eq, --sk-lt, --sk-le, --sk-gt, --sk-ge, --sk-between, and --sk) on S, N and
B sort keys, each judged against boto3's own Query (and Scan with the same filter, for a scan)."""
import base64
import concurrent.futures
import json

import harness
from harness import canonical, create_table, put_items, scan_all, unique_name

STRINGS = ["", "A", "Apple", "a", "apple", "apples", "b", "ORDER#2026-01", "ORDER#2026-02#x", "ORDER#2026-03",
           "z\u00e9", "\u00e9", "\u4e2d"]
NUMBERS = ["-1e3", "-10", "-9.5", "-0.001", "0", "0.001", "1", "1.5", "2", "9", "10", "100.25", "1e3", "12345678901234567890123456789012345678"]
BYTES = [b"\x00", b"\x00\x01", b"\x01", b"\x7f", b"\x80", b"\x80\x00", b"\xff", b"\xff\xff"]


def sk_values(t):
    if t == "S":
        return [{"S": s} for s in STRINGS if s]
    if t == "N":
        return [{"N": n} for n in NUMBERS]
    return [{"B": b} for b in BYTES]


def text(v):
    """How the value is written on the command line (B as base64)."""
    (t, x), = v.items()
    return base64.b64encode(x).decode() if t == "B" else x


def conditions(t):
    """(flags, boto3 KeyConditionExpression on #k, values) for each condition."""
    vals = {"S": ["ORDER#2026-02", "apple", "\u00e9"], "N": ["-9.5", "1", "100.25"],
            "B": [b"\x00\x01", b"\x7f", b"\x80\x00"]}[t]
    a, b, c = [{t: v} for v in vals]
    out = []
    for op, sym in (("eq", "="), ("lt", "<"), ("le", "<="), ("gt", ">"), ("ge", ">=")):
        for v in (a, b, c):
            out.append((["--sk-" + op, text(v)], "#k %s :a" % sym, {":a": v}))
    out.append((["--sk-between", text(a), text(c)], "#k BETWEEN :a AND :b", {":a": a, ":b": c}))
    out.append((["--sk-between", text(b), text(b)], "#k BETWEEN :a AND :b", {":a": b, ":b": b}))
    if t != "N":
        out.append((["--sk", text(a)[:3] if t == "S" else base64.b64encode(vals[1][:1]).decode()],
                    "begins_with(#k, :a)",
                    {":a": {"S": "ORD"} if t == "S" else {"B": vals[1][:1]}}))
    return out


class SortKeyConditions(harness.TestCase):

    def table(self, t):
        name = unique_name("sk" + t.lower())
        create_table(self.src, name, range_key=("SK", t))
        items = [{"PK": {"S": "P"}, "SK": v, "n": {"N": str(i)}} for i, v in enumerate(sk_values(t))]
        items += [{"PK": {"S": "Q"}, "SK": v} for v in sk_values(t)]
        put_items(self.src, name, items)
        return name

    def boto_query(self, name, cond, values):
        values = dict(values, **{":p": {"S": "P"}})
        out, start = [], None
        while True:
            kw = dict(TableName=name, KeyConditionExpression="#p = :p AND " + cond,
                      ExpressionAttributeNames={"#p": "PK", "#k": "SK"}, ExpressionAttributeValues=values)
            if start:
                kw["ExclusiveStartKey"] = start
            resp = self.src.query(**kw)
            out += resp["Items"]
            start = resp.get("LastEvaluatedKey")
            if not start:
                return sorted(canonical(i) for i in out)

    def boto_scan(self, name, cond, values):
        return sorted(canonical(i) for i in scan_all(self.src, name, FilterExpression=cond,
                                                      ExpressionAttributeNames={"#k": "SK"},
                                                      ExpressionAttributeValues=values))

    def run_conditions(self, name, conds):
        """[(query, count)]: dynamo's answers for each condition, four runs at a time (a run is a
        process start and a few round trips to the server: one at a time they left a core idle)."""
        def both(flags):
            return (self.dynamo("query", "-t", name, "-e", "src", "--pk", "P", *flags, "--output", "ddb"),
                    self.dynamo("count", "-t", name, "-e", "src", *flags))
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            return list(pool.map(both, [flags for flags, _, _ in conds]))

    def check(self, t):
        name = self.table(t)
        conds = conditions(t)
        for (flags, cond, values), (q, n) in zip(conds, self.run_conditions(name, conds)):
            with self.subTest(flags=flags):
                self.assertEqual(q.returncode, 0, q.stderr)
                got = sorted(canonical(i) for i in json.loads(q.stdout))
                self.assertEqual(got, self.boto_query(name, cond, values))
                # Without --pk: a scan whose filter holds the same condition.
                self.assertEqual(n.returncode, 0, n.stderr)
                self.assertEqual(n.stdout, "%d\n" % len(self.boto_scan(name, cond, values)))

    def test_string_sort_key(self):
        self.check("S")

    def test_number_sort_key(self):
        self.check("N")

    def test_binary_sort_key(self):
        self.check("B")

    def test_bad_values_are_one_clear_line(self):
        name = self.table("N")
        p = self.dynamo("query", "-t", name, "-e", "src", "--pk", "P", "--sk-gt", "ten", check=2)
        self.assertOneErrorLine(p, "--sk-gt", "'ten'")
        p = self.dynamo("query", "-t", name, "-e", "src", "--pk", "P", "--sk-between", "10", "1", check=2)
        self.assertOneErrorLine(p, "--sk-between", "swap")
        p = self.dynamo("query", "-t", name, "-e", "src", "--pk", "P", "--sk-between", "1", check=2)
        self.assertOneErrorLine(p, "--sk-between", "two values")
        p = self.dynamo("query", "-t", name, "-e", "src", "--pk", "P", "--sk-between", "1", "--count", check=2)
        self.assertOneErrorLine(p, "--sk-between", "two values")
        p = self.dynamo("query", "-t", name, "-e", "src", "--pk", "P", "--sk-lt", "1", "--sk-gt", "0", check=2)
        self.assertOneErrorLine(p, "one sort-key condition")
