"""copy --pk with --create-target creates the target; --no-truncate needs no index on it.

The error for a missing target suggests --create-target, so it must work for
an item copy too (with -i INDEX as well), and the dry run must show the
create stage. With --no-truncate nothing is looked up in the target, so a
target without the index is fine. Judged by boto3.
"""
import json

import harness
from harness import create_table, put_items, unique_name

GSI = [("GSI1", ("GSI1PK", "S"), None, "ALL")]


def items():
    out = []
    for u in range(3):
        for k in range(10):
            out.append({"PK": {"S": "USER#%d" % u}, "SK": {"S": "ORDER#%02d" % k},
                        "GSI1PK": {"S": "STATUS#%s" % ("open" if k % 2 else "done")}})
    return out


def canon(its):
    return sorted(harness.canonical(i) for i in its)


class ItemCopyCreate(harness.TestCase):

    def source(self):
        name = unique_name("item-create")
        create_table(self.src, name, gsis=GSI)
        put_items(self.src, name, items())
        return name

    def test_copy_by_partition_key_creates_the_target(self):
        name = self.source()
        p = self.dynamo("copy", "-t", name, "--pk", "USER#1", "--source", "src", "--target", "tgt",
                        "--create-target", "--dry-run", "--json", check=0)
        self.assertEqual([s["name"] for s in json.loads(p.stdout)["stages"]], ["create", "copy"])
        self.assertNotIn(name, self.tgt.list_tables()["TableNames"])
        self.dynamo("copy", "-t", name, "--pk", "USER#1", "--source", "src", "--target", "tgt",
                    "--create-target", "--yes", check=0)
        self.assertEqual(harness.table_contents(self.tgt, name),
                         canon(i for i in items() if i["PK"]["S"] == "USER#1"))
        desc = self.tgt.describe_table(TableName=name)["Table"]
        self.assertEqual([g["IndexName"] for g in desc.get("GlobalSecondaryIndexes", [])], ["GSI1"])

    def test_copy_through_an_index_creates_the_target(self):
        name = self.source()
        self.dynamo("copy", "-t", name, "-i", "GSI1", "--pk", "STATUS#open", "--source", "src", "--target", "tgt",
                    "--create-target", "--yes", check=0)
        self.assertEqual(harness.table_contents(self.tgt, name),
                         canon(i for i in items() if i["GSI1PK"]["S"] == "STATUS#open"))

    def test_no_truncate_needs_no_index_on_the_target(self):
        name = self.source()
        create_table(self.tgt, name)   # no GSI1
        put_items(self.tgt, name, [{"PK": {"S": "OTHER"}, "SK": {"S": "x"}}])
        self.dynamo("copy", "-t", name, "-i", "GSI1", "--pk", "STATUS#done", "--source", "src", "--target", "tgt",
                    "--no-truncate", "--yes", check=0)
        want = [i for i in items() if i["GSI1PK"]["S"] == "STATUS#done"] + [{"PK": {"S": "OTHER"}, "SK": {"S": "x"}}]
        self.assertEqual(harness.table_contents(self.tgt, name), canon(want))
        # Pruning does look the index up there: refused, with what to do.
        p = self.dynamo("copy", "-t", name, "-i", "GSI1", "--pk", "STATUS#done", "--source", "src",
                        "--target", "tgt", "--yes")
        self.assertEqual(p.returncode, 4, p.stderr)
        self.assertOneErrorLine(p, "GSI1", "--no-truncate")
