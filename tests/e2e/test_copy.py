"""dynamo copy: whole tables and selected items, across accounts, judged by boto3."""
import json

import data
import harness
from harness import create_table, put_items, unique_name

GSI = ("GSI1", ("GSI1PK", "S"), ("GSI1SK", "S"), "ALL")
LSI = ("LSI1", None, ("LSI1SK", "N"), "ALL")


class CopyBase(harness.TestCase):

    @property
    def backup_flags(self):
        # dynalite has no backups; moto does, and they are checked there.
        return [] if self.backend.name == "moto" else ["--no-backup"]

    def both(self, name, **kw):
        create_table(self.src, name, **kw)
        create_table(self.tgt, name, **kw)

    def copy(self, *args, check=0):
        return self.dynamo("copy", *args, *self.backup_flags, check=check)


class CopyTable(CopyBase):

    def test_every_type_round_trips_across_accounts(self):
        name = unique_name("copy-types")
        self.both(name, gsis=[GSI], lsis=[LSI])
        items = data.rich_items(300)
        for i, it in enumerate(items):
            if i % 2 == 0:  # a sparse GSI: only some items are in it
                it["GSI1PK"] = {"S": "STATUS#%d" % (i % 3)}
                it["GSI1SK"] = {"S": "2024-01-%02d" % (i % 28 + 1)}
            if i % 3 == 0:
                it["LSI1SK"] = {"N": str(i)}
        put_items(self.src, name, items)
        put_items(self.tgt, name, [{"PK": {"S": "STALE#%d" % i}, "SK": {"S": "x"}} for i in range(40)])
        p = self.copy("-t", name, "--source", "src", "--target", "tgt", "--yes", "--segments", "3")
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 300)
        summary = [l for l in p.stderr.splitlines() if l.startswith("dynamo: copy done")]
        self.assertEqual(len(summary), 1, p.stderr)
        # The 40 stale items are pruned after the copy; the prune's key checks are not reads.
        self.assertIn("300 read, 300 written, 40 deleted", summary[0])
        # The sparse GSI on the target holds the same items as on the source.
        q = dict(TableName=name, IndexName="GSI1", KeyConditionExpression="GSI1PK = :p",
                 ExpressionAttributeValues={":p": {"S": "STATUS#1"}})
        self.assertEqual(sorted(harness.canonical(i) for i in self.src.query(**q)["Items"]),
                         sorted(harness.canonical(i) for i in self.tgt.query(**q)["Items"]))

    def test_items_near_400kb_round_trip(self):
        name = unique_name("copy-big")
        self.both(name)
        put_items(self.src, name, [data.big_item(i) for i in range(30)] + data.rich_items(20))
        self.copy("-t", name, "--source", "src", "--target", "tgt", "--yes")
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 50)

    def test_hash_only_numeric_and_binary_keys_of_any_name(self):
        for (h, r) in [(("id", "N"), None), (("_store", "B"), ("_option", "N")), (("name", "S"), ("status", "S"))]:
            name = unique_name("copy-keys")
            self.both(name, hash_key=h, range_key=r)
            items = []
            for i in range(60):
                it = data.rich_item(i, pk="x", sk=None)
                del it["x"]
                it[h[0]] = {"N": str(i * 1000001)} if h[1] == "N" else \
                    {"B": data.b64(bytes([i, 255 - i, 0]))} if h[1] == "B" else {"S": "k%d" % i}
                if r:
                    it[r[0]] = {"N": "-%d.5" % i} if r[1] == "N" else {"S": "v%d" % i}
                items.append(it)
            put_items(self.src, name, items)
            # moto answers 500 to a segmented Scan of a binary hash key (its bug).
            segs = ["--segments", "1"] if h[1] == "B" and self.backend.name == "moto" else []
            self.copy("-t", name, "-src", "src", "-tgt", "tgt", "--yes", *segs)
            self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 60, str((h, r)))

    def test_no_truncate_keeps_other_items(self):
        name = unique_name("copy-upsert")
        self.both(name)
        put_items(self.src, name, data.rich_items(20))
        extra = [{"PK": {"S": "KEEP#%d" % i}, "SK": {"S": "k"}} for i in range(5)]
        put_items(self.tgt, name, extra)
        self.copy("-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-truncate")
        got = harness.table_contents(self.tgt, name)
        want = sorted(harness.canonical(i) for i in data.rich_items(20) + extra)
        self.assertEqual(got, want)

    def test_empty_source_empties_target(self):
        name = unique_name("copy-empty")
        self.both(name)
        put_items(self.tgt, name, data.rich_items(10))
        self.copy("-t", name, "--source", "src", "--target", "tgt", "--yes")
        self.assertEqual(harness.table_contents(self.tgt, name), [])

    def test_target_table_with_create_target(self):
        name = unique_name("copy-create")
        other = unique_name("copy-created")
        create_table(self.src, name, hash_key=("PK", "S"), range_key=("SK", "N"),
                     gsis=[("byStatus", ("status", "S"), None, "KEYS_ONLY")],
                     lsis=[("bySize", None, ("size", "N"), ("note",))], billing="PROVISIONED")
        items = [{"PK": {"S": "p%d" % (i % 4)}, "SK": {"N": str(i)}, "status": {"S": "s%d" % (i % 3)},
                  "size": {"N": str(i * 3)}, "note": {"S": "n"}} for i in range(50)]
        put_items(self.src, name, items)
        self.dynamo("copy", "-t", name, "--target-table", other, "--source", "src", "--target", "tgt",
                    "--create-target", "--yes", check=0)
        self.assertTablesEqual(self.src, name, self.tgt, other)
        a = self.src.describe_table(TableName=name)["Table"]
        b = self.tgt.describe_table(TableName=other)["Table"]
        self.assertEqual(a["KeySchema"], b["KeySchema"])
        self.assertEqual(sorted(a["AttributeDefinitions"], key=str), sorted(b["AttributeDefinitions"], key=str))
        strip = lambda ixs: sorted((i["IndexName"], json.dumps(i["KeySchema"]), json.dumps(i["Projection"], sort_keys=True))
                                   for i in ixs)
        self.assertEqual(strip(a["GlobalSecondaryIndexes"]), strip(b["GlobalSecondaryIndexes"]))
        self.assertEqual(strip(a["LocalSecondaryIndexes"]), strip(b["LocalSecondaryIndexes"]))
        self.assertEqual(b.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED"), "PROVISIONED")

    def test_create_target_carries_the_tables_settings(self):
        # Tags, deletion protection, encryption, table class and point-in-time
        # recovery: a new target once got none of them. dynalite has none.
        if self.backend.name != "moto":
            self.skipTest("moto keeps these settings; dynalite does not")
        name, other = unique_name("copy-settings"), unique_name("copy-settings-new")
        self.src.create_table(
            TableName=name, KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
            BillingMode="PROVISIONED", ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
            Tags=[{"Key": "team", "Value": "billing"}, {"Key": "env", "Value": "prod"}],
            DeletionProtectionEnabled=True, TableClass="STANDARD_INFREQUENT_ACCESS",
            SSESpecification={"Enabled": True, "SSEType": "KMS"})
        # Deletion protection would keep the harness from dropping the tables.
        self.addCleanup(self.unprotect, self.src, name)
        self.addCleanup(self.unprotect, self.tgt, other)
        self.src.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification={
            "PointInTimeRecoveryEnabled": True})
        put_items(self.src, name, [{"PK": {"S": "k%d" % i}} for i in range(5)])
        p = self.dynamo("copy", "-t", name, "--target-table", other, "--source", "src", "--target", "tgt",
                        "--create-target", "--billing", "on-demand", "--yes")
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTablesEqual(self.src, name, self.tgt, other)
        b = self.tgt.describe_table(TableName=other)["Table"]
        self.assertEqual(b["BillingModeSummary"]["BillingMode"], "PAY_PER_REQUEST")
        self.assertTrue(b["DeletionProtectionEnabled"])
        if "TableClassSummary" in self.src.describe_table(TableName=name)["Table"]:   # moto 5 keeps none
            self.assertEqual(b["TableClassSummary"]["TableClass"], "STANDARD_INFREQUENT_ACCESS")
        self.assertEqual(b["SSEDescription"]["SSEType"], "KMS")
        tags = self.tgt.list_tags_of_resource(ResourceArn=b["TableArn"])["Tags"]
        self.assertEqual(sorted((t["Key"], t["Value"]) for t in tags), [("env", "prod"), ("team", "billing")])
        pitr = self.tgt.describe_continuous_backups(TableName=other)["ContinuousBackupsDescription"]
        self.assertEqual(pitr["PointInTimeRecoveryDescription"]["PointInTimeRecoveryStatus"], "ENABLED")

    @staticmethod
    def unprotect(client, table):
        try:
            client.update_table(TableName=table, DeletionProtectionEnabled=False)
        except Exception:  # noqa: BLE001 (a table the test never made)
            pass

    def test_billing_needs_create_target(self):
        p = self.dynamo("copy", "-t", "whatever", "--source", "src", "--target", "tgt", "--billing", "provisioned")
        self.assertEqual(p.returncode, 2, p.stderr)
        self.assertOneErrorLine(p, "--billing", "--create-target")

    def test_missing_target_without_create_fails_before_writing(self):
        self.require_distinct_target()
        name = unique_name("copy-missing")
        create_table(self.src, name)
        put_items(self.src, name, data.rich_items(3))
        p = self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes")
        self.assertEqual(p.returncode, 4)
        self.assertOneErrorLine(p, name, "--create-target")

    def test_key_schema_difference_fails_before_any_write(self):
        name = unique_name("copy-schema")
        create_table(self.src, name)
        create_table(self.tgt, name, range_key=("Other", "S"))
        put_items(self.src, name, data.rich_items(5))
        before = harness.table_contents(self.tgt, name)
        p = self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup")
        self.assertEqual(p.returncode, 2)
        self.assertOneErrorLine(p, "key schemas differ", "SK", "Other")
        self.assertEqual(harness.table_contents(self.tgt, name), before)

    def test_refuses_without_yes_when_not_a_terminal(self):
        name = unique_name("copy-refuse")
        self.both(name)
        put_items(self.src, name, data.rich_items(5))
        put_items(self.tgt, name, [{"PK": {"S": "KEEP"}, "SK": {"S": "1"}}])
        before = harness.table_contents(self.tgt, name)
        p = self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", input="y\n")
        self.assertEqual(p.returncode, 6)
        self.assertOneErrorLine(p, "--yes", name)
        self.assertEqual(harness.table_contents(self.tgt, name), before)

    def test_dry_run_prints_the_plan_and_changes_nothing(self):
        name = unique_name("copy-dry")
        self.both(name)
        put_items(self.src, name, data.rich_items(5))
        put_items(self.tgt, name, [{"PK": {"S": "KEEP"}, "SK": {"S": "1"}}])
        before = harness.table_contents(self.tgt, name)
        p = self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--dry-run", check=0)
        for word in ("backup", "copy", "prune", "profile 'src'", "profile 'tgt'", "us-east-1"):
            self.assertIn(word, p.stdout)
        self.assertEqual(harness.table_contents(self.tgt, name), before)

    def test_same_table_is_refused(self):
        name = unique_name("copy-self")
        create_table(self.src, name)
        put_items(self.src, name, data.rich_items(5))
        p = self.dynamo("copy", "-t", name, "--source", "src", "--target", "src", "--yes", "--no-backup")
        self.assertEqual(p.returncode, 2)
        self.assertOneErrorLine(p, "same table")
        self.assertEqual(len(harness.table_contents(self.src, name)), 5)


class CopyReports(CopyBase):
    """What scripts and GitHub Actions read: --json on stdout and the step summary, on success and failure."""

    def accounts(self):
        # moto's tgt profile assumes a role in 222222222222; both dynalites are one account.
        return ("123456789012", "222222222222") if self.backend.name == "moto" else None

    def test_json_and_step_summary_name_tables_accounts_and_counts(self):
        name = unique_name("copy-report")
        self.both(name)
        put_items(self.src, name, data.rich_items(12))
        md = self.env.write("summary.md", "")
        p = self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup", "--json",
                        extra_env={"GITHUB_STEP_SUMMARY": md}, check=0)
        self.assertEqual(p.returncode, 0, p.stderr)
        out = json.loads(p.stdout)
        self.assertEqual((out["command"], out["ok"], out["read"], out["written"]), ("copy", True, 12, 12))
        stage = next(s for s in out["stages"] if s["name"] == "copy")
        self.assertEqual((stage["source"]["table"], stage["source"]["profile"]), (name, "src"))
        self.assertEqual((stage["target"]["table"], stage["target"]["profile"]), (name, "tgt"))
        text = open(md).read()
        self.assertIn("### dynamo copy succeeded", text)
        self.assertIn("**12** items handled", text)
        if self.accounts():
            self.assertEqual((stage["source"]["account"], stage["target"]["account"]), self.accounts())
            self.assertIn("account 222222222222", text)

    def test_an_early_failure_is_reported_as_json_and_on_the_step_summary(self):
        md = self.env.write("summary-fail.md", "")
        p = self.dynamo("copy", "-t", "no-such-table", "--source", "src", "--target", "tgt", "--yes", "--json",
                        extra_env={"GITHUB_STEP_SUMMARY": md}, check=4)
        self.assertOneErrorLine(p, "no-such-table", "not found")
        out = json.loads(p.stdout)
        self.assertEqual((out["command"], out["ok"], out["exit_code"]), ("copy", False, 4))
        self.assertIn("no-such-table", out["error"])
        text = open(md).read()
        self.assertIn("### dynamo copy failed", text)
        self.assertIn("no-such-table", text)

    # Once a bug: the parser stopped at the bad flag and never saw a --json
    # after it (the GitHub action puts --json last), so stdout was empty.
    def test_a_usage_error_before_json_is_still_json(self):
        p = self.dynamo("copy", "-t", "t", "--concurrency", "many", "--source", "src", "--target", "tgt",
                        "--json", check=2)
        self.assertOneErrorLine(p, "--concurrency")
        out = json.loads(p.stdout)
        self.assertEqual((out["command"], out["ok"], out["exit_code"]), ("copy", False, 2))
        self.assertIn("--concurrency", out["error"])

    def test_dry_run_json_is_the_plan(self):
        name = unique_name("copy-dryjson")
        self.both(name)
        put_items(self.src, name, data.rich_items(3))
        put_items(self.tgt, name, [{"PK": {"S": "STALE"}, "SK": {"S": "1"}}])
        p = self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--dry-run", "--json",
                        "--no-backup", check=0)
        self.assertEqual(p.returncode, 0, p.stderr)
        plan = json.loads(p.stdout)
        self.assertTrue(plan["dry_run"])
        self.assertEqual([s["name"] for s in plan["stages"]], ["copy", "prune"])
        if self.accounts():
            self.assertIn("account 222222222222", plan["stages"][0]["what"])
        # What the copy costs this way and through DynamoDB's export (an existing target: written either way).
        self.assertEqual(set(plan["estimate"]), {"scan_write", "export_write", "prices"})
        self.assertGreaterEqual(plan["estimate"]["scan_write"]["usd"], 0)
        # Each stage's sides as fields; the prune's source is the source (it
        # scans the target, and checks its keys against the source).
        for st in plan["stages"]:
            self.assertEqual((st["source"]["table"], st["source"]["profile"]), (name, "src"), st)
            self.assertEqual((st["target"]["table"], st["target"]["profile"]), (name, "tgt"), st)
            self.assertIn("region", st["target"])


    # Once wrong: keys from the environment were "profile 'default'" in the
    # --json sides and in the step summary, as if a profile had been used.
    def test_keys_from_the_environment_are_not_called_profile_default(self):
        name, copy = unique_name("copy-envkeys"), unique_name("copy-envkeys-to")
        create_table(self.src, name)
        create_table(self.src, copy)
        put_items(self.src, name, data.rich_items(2))
        md = self.env.write("summary-env.md", "")
        env = {"AWS_ACCESS_KEY_ID": "AKIAENVKEYS000000000", "AWS_SECRET_ACCESS_KEY": "s" * 40,
               "AWS_REGION": "us-east-1", "AWS_PROFILE": "", "GITHUB_STEP_SUMMARY": md}
        p = self.dynamo("copy", "-t", name, "--target-table", copy, "--endpoint-url", self.backend.endpoint("src"),
                        "--yes", "--no-backup", "--json", extra_env=env, check=0)
        self.assertEqual(p.returncode, 0, p.stderr)
        stage = next(s for s in json.loads(p.stdout)["stages"] if s["name"] == "copy")
        for side in ("source", "target"):
            self.assertIsNone(stage[side]["profile"], stage)
            self.assertEqual(stage[side]["credentials"], "environment", stage)
        text = open(md).read()
        self.assertIn("keys from the environment", text)
        self.assertNotIn("default", text)

    # Once missing: with no target table there is no ARN to read the account
    # from, and the plan said only "profile 'tgt' (us-east-1)"; now STS says.
    def test_dry_run_into_a_missing_target_names_its_account(self):
        name = unique_name("copy-dryacct")
        create_table(self.src, name)
        put_items(self.src, name, data.rich_items(2))
        p = self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--create-target",
                        "--dry-run", "--json", check=0)
        self.assertEqual(p.returncode, 0, p.stderr)
        plan = json.loads(p.stdout)
        self.assertEqual([s["name"] for s in plan["stages"]], ["create", "copy"])
        if self.accounts():
            for st in plan["stages"]:
                self.assertEqual(st["target"].get("account"), self.accounts()[1], st)
                self.assertIn("account 222222222222", st["what"])
        p = self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", check=4)
        self.assertOneErrorLine(p, "not found", "--create-target")
        if self.accounts():
            self.assertIn("account 222222222222", p.stderr)
        self.assertNotIn(name, harness.list_tables(self.tgt))


class CopyBackup(CopyBase):
    backends = ("moto",)

    def test_target_is_backed_up_first_and_no_backup_skips_it(self):
        name = unique_name("copy-bk")
        self.both(name)
        put_items(self.src, name, data.rich_items(5))
        put_items(self.tgt, name, data.rich_items(2))
        self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", check=0)
        backups = self.tgt.list_backups(TableName=name)["BackupSummaries"]
        self.assertEqual(len(backups), 1)
        self.assertTrue(backups[0]["BackupName"].startswith(name + "-20"), backups[0]["BackupName"])
        self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup", check=0)
        self.assertEqual(len(self.tgt.list_backups(TableName=name)["BackupSummaries"]), 1)


class CopyItems(CopyBase):

    def seed(self, name, gsi_projection="ALL"):
        self.both(name, gsis=[("GSI1", ("GSI1PK", "S"), ("GSI1SK", "S"), gsi_projection)])
        items = []
        for u in range(4):
            for k in range(12):
                it = data.rich_item(u * 100 + k, pk_value="USER#%d" % u,
                                    sk_value=("ORDER#2024%02d#%d" % (k % 3 + 1, k)) if k else "PROFILE#")
                if k % 2:
                    it["GSI1PK"] = {"S": "STATUS#%s" % ("open" if k % 4 == 1 else "done")}
                    it["GSI1SK"] = {"S": "u%d#%d" % (u, k)}
                items.append(it)
        put_items(self.src, name, items)
        # The target has other versions of user 1 and of other users.
        old = [{"PK": {"S": "USER#1"}, "SK": {"S": "ORDER#OLD#%d" % i}, "GSI1PK": {"S": "STATUS#open"},
                "GSI1SK": {"S": "old%d" % i}} for i in range(6)]
        old += [{"PK": {"S": "USER#9"}, "SK": {"S": "ORDER#2024"}, "GSI1PK": {"S": "STATUS#open"},
                 "GSI1SK": {"S": "keep"}}]
        put_items(self.tgt, name, old)
        return items, old

    def test_partition_key_items_replace_the_targets(self):
        name = unique_name("items-pk")
        items, old = self.seed(name)
        self.dynamo("copy", "-t", name, "-pk", "USER#1", "-src", "src", "-tgt", "tgt", "--yes", check=0)
        want = [i for i in items if i["PK"]["S"] == "USER#1"] + [o for o in old if o["PK"]["S"] == "USER#9"]
        self.assertEqual(harness.table_contents(self.tgt, name), sorted(harness.canonical(i) for i in want))

    def test_sort_key_prefix(self):
        name = unique_name("items-sk")
        items, old = self.seed(name)
        self.dynamo("copy", "-t", name, "--pk", "USER#2", "--sk", "ORDER#202402", "--source", "src",
                    "--target", "tgt", "--yes", check=0)
        want = [i for i in items if i["PK"]["S"] == "USER#2" and i["SK"]["S"].startswith("ORDER#202402")] + old
        self.assertEqual(harness.table_contents(self.tgt, name), sorted(harness.canonical(i) for i in want))

    def test_through_a_gsi_writes_and_deletes_by_table_key(self):
        for projection in ("ALL", "KEYS_ONLY"):
            name = unique_name("items-gsi")
            items, old = self.seed(name, projection)
            self.dynamo("copy", "-t", name, "-pk", "STATUS#open", "-i", "GSI1", "-src", "src", "-tgt", "tgt",
                        "--yes", check=0)
            # Whole items (not the index's projection) are written; the
            # target's STATUS#open items are gone.
            want = [i for i in items if i.get("GSI1PK", {}).get("S") == "STATUS#open"]
            self.assertEqual(harness.table_contents(self.tgt, name), sorted(harness.canonical(i) for i in want),
                             projection)

    def test_several_partition_keys_and_brace_ranges(self):
        name = unique_name("items-multi")
        items, old = self.seed(name)
        self.dynamo("copy", "-t", name, "--pk", "USER#{0..1}", "--pk", "USER#3", "--source", "src",
                    "--target", "tgt", "--yes", check=0)
        want = [i for i in items if i["PK"]["S"] in ("USER#0", "USER#1", "USER#3")] + \
               [o for o in old if o["PK"]["S"] == "USER#9"]
        self.assertEqual(harness.table_contents(self.tgt, name), sorted(harness.canonical(i) for i in want))

    def test_numeric_partition_key(self):
        name = unique_name("items-num")
        self.both(name, hash_key=("id", "N"), range_key=("seq", "N"))
        items = [{"id": {"N": str(i % 3)}, "seq": {"N": str(i)}, "v": {"N": data.NUMBERS[i % 5]}} for i in range(30)]
        put_items(self.src, name, items)
        self.dynamo("copy", "-t", name, "--pk", "2", "--pk-type", "N", "--source", "src", "--target", "tgt",
                    "--yes", check=0)
        want = [i for i in items if i["id"]["N"] == "2"]
        self.assertEqual(harness.table_contents(self.tgt, name), sorted(harness.canonical(i) for i in want))
        p = self.dynamo("copy", "-t", name, "--pk", "two", "--source", "src", "--target", "tgt", "--yes")
        self.assertEqual(p.returncode, 2)
        self.assertOneErrorLine(p, "'two'", "number")


class CopyItemsOddKeys(CopyBase):

    def test_keys_only_gsi_with_non_ascii_and_escaped_key_names(self):
        # moto writes non-ASCII names as \uXXXX: the whole-item fetch must still
        # find the table's key attributes in what the index returned.
        name = unique_name("items-odd")
        self.both(name, hash_key=("gr\u00f6\u00dfe", "S"), range_key=('q"uote', "S"),
                  gsis=[("GGG", ("g", "S"), None, "KEYS_ONLY")])
        items = [{"gr\u00f6\u00dfe": {"S": "p%d" % (i % 3)}, 'q"uote': {"S": "s%d" % i}, "g": {"S": "G"},
                  "payload": {"S": "v%d" % i}} for i in range(12)]
        put_items(self.src, name, items)
        self.copy("-t", name, "--pk", "G", "-i", "GGG", "--source", "src", "--target", "tgt", "--yes")
        self.assertEqual(harness.table_contents(self.tgt, name), sorted(harness.canonical(i) for i in items))
