"""Transforms on copy, export and import (--set, --remove, --mask, --rename-prefix), judged by boto3:
masks are deterministic across runs, differ from the originals and keep the type; the mask key appears
in no output; key attributes are refused unless a rename or a consistent mask says so; a renamed tenant
equals the original after renaming back."""
import json
import os

import harness
from harness import canonical, create_table, put_items, scan_all, unique_name

KEY = "e2e-mask-key-7f3a9c1b5d2e4f60"
BIG = "12345678901234567890123456789012345678"


def items(tenant, n=6):
    out = []
    for i in range(n):
        out.append({
            "PK": {"S": "TENANT#%s#USER#%d" % (tenant, i)},
            "SK": {"S": "PROFILE#%d" % i},
            "GSI1PK": {"S": "TENANT#%s#EMAIL" % tenant},
            "email": {"S": "user%d.t%s@example.org" % (i, tenant)},
            "name": {"S": "Jane Doe %d" % i},
            "amount": {"N": "%d.%d5" % (1000 + i * 37, i)},
            "big": {"N": BIG},
            "blob": {"B": bytes([i, 255, 0, 128, i * 3 % 256])},
            "tags": {"SS": ["TENANT#%s#t1" % tenant, "x%d" % i]},
            "nested": {"M": {"ref": {"S": "TENANT#%s#USER#%d" % (tenant, (i + 1) % n)},
                             "l": {"L": [{"N": "1"}, {"S": "TENANT#%s#" % tenant}]}}},
            "note": {"S": "keep %d" % i},
        })
    return out


def by_key(its):
    return {(it["PK"]["S"], it["SK"]["S"]): it for it in its}


def table(ddb, name):
    create_table(ddb, name, gsis=[("GSI1", ("GSI1PK", "S"), None, "ALL")])


class Transforms(harness.TestCase):

    def setUp(self):
        self.name = unique_name("xf")
        table(self.src, self.name)
        put_items(self.src, self.name, items("42") + items("7", n=3))

    def run_dynamo(self, *args, check=0, env=None):
        return self.dynamo(*args, extra_env=dict({"DYNAMO_MASK_KEY": KEY}, **(env or {})), check=check)

    def copy_into(self, target, *flags, check=0, env=None):
        return self.run_dynamo("copy", "-t", self.name, "--target-table", target, "-e", "src", "--yes",
                               "--no-backup", "--create-target", *flags, check=check, env=env)

    def assertNoKey(self, p):
        self.assertNotIn(KEY, p.stdout)
        self.assertNotIn(KEY, p.stderr)

    def test_masks_are_deterministic_typed_and_secret(self):
        a, b = unique_name("xfa"), unique_name("xfb")
        flags = ["--pk-prefix", "TENANT#42#", "--mask", "email", "--mask", "amount", "--mask", "blob",
                 "--mask", "big", "--set", 'env={"S":"staging"}', "--remove", "note"]
        p = self.copy_into(a, *flags, "--debug", "--json")
        self.assertNoKey(p)
        out = json.loads(p.stdout)
        copy = [s for s in out["stages"] if s["name"] == "copy"][0]
        self.assertEqual(sorted(copy["transforms"]["mask"]), ["amount", "big", "blob", "email"])
        self.assertNoKey(self.copy_into(b, *flags))
        self.assertNoKey(self.copy_into(b, *flags, "--dry-run", "--json"))
        orig = by_key(it for it in scan_all(self.src, self.name) if it["PK"]["S"].startswith("TENANT#42#"))
        got_a, got_b = by_key(scan_all(self.src, a)), by_key(scan_all(self.src, b))
        self.assertEqual(sorted(got_a), sorted(orig))
        self.assertEqual({k: canonical(v) for k, v in got_a.items()}, {k: canonical(v) for k, v in got_b.items()})
        for k, o in orig.items():
            m = got_a[k]
            for attr in ("email", "amount", "blob", "big"):
                (t1, v1), = o[attr].items()
                (t2, v2), = m[attr].items()
                self.assertEqual(t1, t2, attr)
                self.assertNotEqual(v1, v2, attr)
                self.assertEqual(len(v1), len(v2), attr)
            self.assertRegex(m["email"]["S"], r"^[a-z0-9.]+@[a-z]+\.org$")
            self.assertEqual(m["env"], {"S": "staging"})
            self.assertNotIn("note", m)
            for attr in ("PK", "SK", "GSI1PK", "name", "tags", "nested"):
                self.assertEqual(canonical({attr: m[attr]}), canonical({attr: o[attr]}), attr)

    def test_mask_key_from_a_file_and_never_shown(self):
        path = os.path.join(self.env.home, "mask.key")
        self.env.write("mask.key", KEY + "\n")
        a, b = unique_name("xfa"), unique_name("xfb")
        p = self.copy_into(a, "--mask", "email", "--mask-key-file", path, "--debug", env={"DYNAMO_MASK_KEY": ""})
        self.assertNoKey(p)
        self.copy_into(b, "--mask", "email")
        self.assertEqual(sorted(canonical(i) for i in scan_all(self.src, a)),
                         sorted(canonical(i) for i in scan_all(self.src, b)))
        # A short key: refused with a line that names where it came from, not what it is.
        p = self.copy_into(unique_name("xfc"), "--mask", "email", env={"DYNAMO_MASK_KEY": "short"}, check=None)
        self.assertNotEqual(p.returncode, 0)
        self.assertNotIn("short", p.stderr.replace("too short", "").replace("shorter", ""))
        self.assertOneErrorLine(p, "DYNAMO_MASK_KEY")

    def test_keys_are_refused_unless_said_so(self):
        for flags, needle in ((["--remove", "PK"], "PK"), (["--set", 'SK={"S":"x"}'], "SK"),
                              (["--mask", "PK"], "--mask SK"),
                              (["--mask", "PK", "--mask", "SK"], "GSI1PK")):
            p = self.copy_into(unique_name("xfr"), *flags, check=None)
            self.assertEqual(p.returncode, 2, p.stderr)
            self.assertOneErrorLine(p, needle)
        # Every S key masked alike: allowed, and the index keys still match their masked table keys.
        target = unique_name("xfk")
        self.copy_into(target, "--mask", "PK", "--mask", "SK", "--mask", "GSI1PK")
        got = scan_all(self.src, target)
        self.assertEqual(len(got), 9)
        orig_pks = {it["PK"]["S"] for it in scan_all(self.src, self.name)}
        self.assertFalse(orig_pks & {it["PK"]["S"] for it in got})

    def test_renamed_tenant_equals_the_original_after_renaming_back(self):
        demo, back = unique_name("xfd"), unique_name("xfe")
        self.copy_into(demo, "--pk-prefix", "TENANT#42#", "--rename-prefix", "TENANT#42#=TENANT#demo#")
        got = scan_all(self.src, demo)
        self.assertEqual(len(got), 6)
        self.assertTrue(all(it["PK"]["S"].startswith("TENANT#demo#") for it in got))
        self.assertNotIn("TENANT#42#", json.dumps(got, default=str))
        self.dynamo("copy", "-t", demo, "--target-table", back, "-e", "src", "--yes", "--no-backup",
                    "--create-target", "--rename-prefix", "TENANT#demo#=TENANT#42#", check=0)
        self.assertEqual(sorted(canonical(i) for i in scan_all(self.src, back)),
                         sorted(canonical(i) for i in scan_all(self.src, self.name)
                                if i["PK"]["S"].startswith("TENANT#42#")))

    def test_clone_a_tenant_inside_its_own_table(self):
        before = sorted(canonical(i) for i in scan_all(self.src, self.name))
        base = ["copy", "-t", self.name, "-e", "src", "--yes", "--no-backup"]
        # Without a rename that moves the prefix, or without --no-truncate: the same table is refused.
        for flags in (["--pk-prefix", "TENANT#42#", "--no-truncate"],
                      ["--pk-prefix", "TENANT#42#", "--rename-prefix", "TENANT#42#=TENANT#demo#"],
                      ["--pk-prefix", "TENANT#4", "--rename-prefix", "TENANT#42#=TENANT#43#", "--no-truncate"]):
            p = self.dynamo(*base, *flags, check=2)
            self.assertOneErrorLine(p, "same table")
        self.dynamo(*base, "--pk-prefix", "TENANT#42#", "--rename-prefix", "TENANT#42#=TENANT#demo#",
                    "--no-truncate", check=0)
        after = scan_all(self.src, self.name)
        demo = [i for i in after if i["PK"]["S"].startswith("TENANT#demo#")]
        rest = sorted(canonical(i) for i in after if not i["PK"]["S"].startswith("TENANT#demo#"))
        self.assertEqual(rest, before)
        # Renamed back (every string value), the clone is the original tenant, item for item.
        back = json.loads(json.dumps(demo, default=lambda b: {"__b": list(b)}).replace("TENANT#demo#", "TENANT#42#"),
                          object_hook=lambda o: bytes(o["__b"]) if "__b" in o else o)
        self.assertEqual(sorted(canonical(i) for i in back),
                         sorted(canonical(i) for i in scan_all(self.src, self.name)
                                if i["PK"]["S"].startswith("TENANT#42#")))

    def test_rename_into_a_table_with_items_needs_no_truncate(self):
        target = unique_name("xfn")
        table(self.src, target)
        put_items(self.src, target, items("1", n=2))
        p = self.copy_into(target, "--rename-prefix", "TENANT#42#=TENANT#43#", check=2)
        self.assertOneErrorLine(p, "--no-truncate")
        self.copy_into(target, "--pk-prefix", "TENANT#42#", "--rename-prefix", "TENANT#42#=TENANT#43#",
                       "--no-truncate")
        got = scan_all(self.src, target)
        self.assertEqual(sum(it["PK"]["S"].startswith("TENANT#43#") for it in got), 6)
        self.assertEqual(sum(it["PK"]["S"].startswith("TENANT#1#") for it in got), 2)

    def test_export_and_import_transform(self):
        path = os.path.join(self.env.home, "out.jsonl")
        p = self.run_dynamo("export", "-t", self.name, "-e", "src", "-o", path, "--mask", "name", "--debug")
        self.assertNoKey(p)
        with open(path) as f:
            exported = by_key(json.loads(l)["Item"] for l in f if l.strip())
        orig = by_key(scan_all(self.src, self.name))
        self.assertEqual(sorted(exported), sorted(orig))
        for k, it in exported.items():
            self.assertNotEqual(it["name"]["S"], orig[k]["name"]["S"])
            self.assertEqual([c == " " for c in it["name"]["S"]], [c == " " for c in orig[k]["name"]["S"]])
            rest = lambda x: canonical({a: v for a, v in x.items() if a != "name"})
            self.assertEqual(rest(it), rest(orig[k]))
        target = unique_name("xfi")
        table(self.src, target)
        self.run_dynamo("import", "-t", target, "-e", "src", "-i", path, "--yes", "--set", 'env={"S":"dev"}',
                        "--remove", "big")
        got = by_key(scan_all(self.src, target))
        self.assertEqual(sorted(got), sorted(orig))
        for k, it in got.items():
            self.assertEqual(it["env"], {"S": "dev"})
            self.assertNotIn("big", it)
            self.assertEqual(it["name"], exported[k]["name"])
