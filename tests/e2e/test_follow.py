"""copy --follow: the snapshot, then the source's stream applied to the target, judged by boto3.

Changes are made at known points, not after sleeps: the source side goes
through the fault proxy, which holds the scan of segment 1 (so boto3 writes
while the snapshot is half read) or the follower's GetRecords after the
first (so boto3 writes while dynamo follows); the target side goes through
another, which holds the follower's writes of a marked change for kill -9.
Every run ends with --until-caught-up, and boto3 compares both tables
exactly.
"""
import json
import os
import signal
import subprocess
import time
import urllib.request

import harness
from harness import create_table, put_items, unique_name

from data import rich_item

import test_streams_read


def create_stream_table(ddb, name, view="NEW_AND_OLD_IMAGES"):
    test_streams_read.create_stream_table(ddb, name, view, sk_type="S")


def items(n, prefix="P"):
    return [rich_item(i, pk_value="%s#%04d" % (prefix, i)) if i % 10 == 0 else
            {"PK": {"S": "%s#%04d" % (prefix, i)}, "SK": {"S": "S"}, "n": {"N": str(i)}, "s": {"S": "v%d" % i}}
            for i in range(n)]


def key(i, prefix="P"):
    return {"PK": {"S": "%s#%04d" % (prefix, i)}, "SK": {"S": "S"}}


class FollowRuns:
    """What the classes below share: dynamo started and held at known points, the source churned."""

    backends = ("moto",)

    def setUp(self):
        self.tmp = harness.tempfile.mkdtemp(prefix="dynamo-follow-")
        self.addCleanup(harness.shutil.rmtree, self.tmp, True)

    def start(self, *args, extra_env=None):
        p = subprocess.Popen(harness.WRAP + [harness.BIN] + [str(a) for a in args], env=self.env.environ(extra_env),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        self.addCleanup(lambda: p.poll() is None and p.kill())
        return p

    def proxy(self, side):
        proxy = harness.start_fault_proxy(self.backend.endpoint(side))
        self.addCleanup(proxy.stop)
        return proxy

    def copy_args(self, name, src_proxy=None, tgt_proxy=None, *extra):
        args = ["copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                "--segments", "2", "--concurrency", "4", "--json", "--follow"]
        if src_proxy:
            args += ["--source-endpoint-url", src_proxy.url]
        if tgt_proxy:
            args += ["--target-endpoint-url", tgt_proxy.url]
        return args + list(extra)

    def churn(self, n, tag, deletes=(), same_key=30, new_prefix="N"):
        """boto3 changes the source: 30 updates of one key, deletes of copied items, inserts, a batch."""
        for v in range(same_key):
            self.src.update_item(TableName=self.name, Key=key(1), UpdateExpression="SET v = :v, t = :t",
                                 ExpressionAttributeValues={":v": {"N": str(v)}, ":t": {"S": tag}})
        for i in deletes:
            self.src.delete_item(TableName=self.name, Key=key(i))
        put_items(self.src, self.name, [dict(x, tag={"S": tag}) for x in items(n, new_prefix)])
        # Put, then delete at once: the target must not keep it.
        self.src.put_item(TableName=self.name, Item=dict(key(999, new_prefix), tag={"S": tag}))
        self.src.delete_item(TableName=self.name, Key=key(999, new_prefix))

    def seed(self, prefix, n):
        """A source with a stream and n items, an empty target without one; their name."""
        self.require_distinct_target()
        self.name = name = unique_name(prefix)
        create_stream_table(self.src, name)
        create_stream_table(self.tgt, name, view=None)
        put_items(self.src, name, items(n))
        return name

    def start_scan_held(self, src, args, extra_env=None):
        """Starts dynamo with the scan of segment 1 held at the source: the snapshot is half read."""
        src.configure(hold_after=0, hold_ops="Scan", hold_match='"Segment":1', reset=True)
        p = self.start(*args, extra_env=extra_env)
        src.wait_held(proc=p)
        return p

    def wait_hold(self, proxy, p, seen):
        """Until the seen-th matching request stands held (the stats' "held" may still count an
        earlier hold that was just lifted)."""
        deadline = time.monotonic() + 60
        while True:
            st = proxy.stats()
            if st.get("hold_seen", 0) >= seen and st.get("held", 0) >= 1:
                return
            self.assertIsNone(p.poll(), "dynamo exited before the hold: %s" % (p.stderr.read() if p.poll() is not None else ""))
            self.assertLess(time.monotonic(), deadline, "never held: %s" % st)
            time.sleep(0.05)

    def finish(self, p):
        out, err = p.communicate(timeout=120)
        self.assertEqual(p.returncode, 0, err)
        return json.loads(out.splitlines()[-1]), err



class Follow(FollowRuns, harness.TestCase):

    def test_changes_during_the_snapshot_and_after_are_applied_in_order(self):
        name = self.seed("follow", 60)
        put_items(self.tgt, name, [{"PK": {"S": "OLD#%d" % i}, "SK": {"S": "x"}} for i in range(5)])
        src = self.proxy("src")
        # The scan of segment 1 waits: the snapshot is half read.
        p = self.start_scan_held(src, self.copy_args(name, src, None))
        self.churn(20, "during-scan", deletes=range(2, 40, 3), new_prefix="A")
        # Then the follower's second GetRecords waits: dynamo is following.
        src.configure(hold_after=1, hold_ops="GetRecords", hold_match="", reset=True)
        self.wait_hold(src, p, 2)
        self.churn(20, "following", deletes=range(3, 40, 4), new_prefix="B")
        self.src.update_item(TableName=name, Key=key(0, "A"), UpdateExpression="REMOVE s")
        src.configure(hold_after=-1)
        # dynamo follows until stopped: once the target holds what the source does, SIGINT.
        want, deadline = harness.table_contents(self.src, name), time.monotonic() + 60
        while harness.table_contents(self.tgt, name) != want:
            self.assertIsNone(p.poll(), "dynamo stopped following")
            self.assertLess(time.monotonic(), deadline, "the target never caught up")
            time.sleep(0.1)
        os.killpg(p.pid, signal.SIGINT)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 130, err)
        self.assertIn("stopped by a signal", err)
        summary = json.loads(out.splitlines()[-1])
        n = self.assertTablesEqual(self.src, name, self.tgt, name)
        self.assertGreater(n, 60)
        stages = {s["name"]: s for s in summary["stages"]}
        self.assertIn("lag_seconds", stages["follow"])
        # Positions were taken before the scan: the 60 puts before it are not read again.
        total = len(test_streams_read.boto_records(self.env, self.src, name))
        self.assertGreater(stages["follow"]["read"], 0)
        self.assertLessEqual(stages["follow"]["read"], total - 60)
        ops = {r["op"] for r in src.requests()}
        self.assertTrue({"DescribeStream", "GetShardIterator", "GetRecords"} <= ops, ops)

    def test_until_caught_up_stops_once_caught_up(self):
        name = self.seed("follow-until", 30)
        src = self.proxy("src")
        p = self.start_scan_held(src, self.copy_args(name, src, None, "--until-caught-up"))
        self.churn(20, "during-scan", deletes=range(2, 30, 3), new_prefix="A")
        src.configure(hold_after=-1)
        summary, err = self.finish(p)
        self.assertTrue(summary["ok"], err)
        self.assertLess(summary["lag_seconds"], 1.0)
        self.assertTablesEqual(self.src, name, self.tgt, name)

    def test_kill_9_while_following_then_resume_exactly(self):
        name = self.seed("follow-ck", 40)
        ck = os.path.join(self.tmp, "follow.ck")
        src, tgt = self.proxy("src"), self.proxy("tgt")
        args = self.copy_args(name, src, tgt, "--checkpoint", ck)
        p = self.start_scan_held(src, args)
        self.churn(10, "first", deletes=range(2, 20, 3), new_prefix="A")
        src.configure(hold_after=-1)
        # The first changes are applied and their positions recorded.
        self.follow_until_positions(name, ck, src, p)
        first = len(test_streams_read.boto_records(self.env, self.src, name))
        # The writes of the next changes wait at the target; dynamo dies with them in flight.
        tgt.configure(hold_after=0, hold_ops="BatchWriteItem", hold_match="MARK2", reset=True)
        self.churn(10, "MARK2", deletes=range(20, 40, 3), new_prefix="B")
        self.wait_hold(tgt, p, 1)
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        with open(ck) as f:
            json.load(f)  # never half-written
        tgt.configure(hold_after=-1)
        self.churn(5, "after-kill", new_prefix="C")
        stages, total = self.resume_after_kill(args)
        self.assertTrue(stages["copy"]["skipped"], stages)
        self.assertEqual(stages["copy"]["read"], 0)
        # It went on from the positions: the changes applied before them are not read again.
        self.assertGreater(stages["follow"]["read"], 0)
        self.assertLessEqual(stages["follow"]["read"], total - first, stages["follow"])
        self.assertFalse(os.path.exists(ck), "the checkpoint is removed once caught up")
        self.assertTablesEqual(self.src, name, self.tgt, name)

    def resume_after_kill(self, args):
        """The killed command again, --until-caught-up: its stages by name (it must succeed,
        from the checkpoint's positions), and how many records the stream holds by then."""
        resumed = self.dynamo(*(args + ["--until-caught-up"]), check=0)
        summary = json.loads(resumed.stdout.splitlines()[-1])
        self.assertIn("resuming from checkpoint", resumed.stderr)
        self.assertIn("checkpoint's positions", resumed.stderr)
        total = len(test_streams_read.boto_records(self.env, self.src, self.name))
        return {s["name"]: s for s in summary["stages"]}, total

    def follow_until_positions(self, name, ck, src, p):
        """Waits until the checkpoint of a run that follows records a stream position."""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with open(ck) as f:
                    state = json.load(f)
                follow = [s for s in state["stages"] if s["name"] == "follow"]
                if follow and follow[0].get("positions"):
                    return follow[0]["positions"]
            except (OSError, ValueError):
                pass
            self.assertIsNone(p.poll(), "dynamo exited while following")
            time.sleep(0.05)
        self.fail("no stream position was recorded")

    def test_kill_9_during_the_snapshot_resumes_from_positions_taken_before_it(self):
        name = self.seed("follow-scan-kill", 40)
        ck = os.path.join(self.tmp, "scan.ck")
        src = self.proxy("src")
        args = self.copy_args(name, src, None, "--checkpoint", ck)
        # The positions are renewed every 100 ms instead of every 5 minutes: the first change
        # after a position pins it, and the pinned position reaches the checkpoint.
        p = self.start_scan_held(src, args, extra_env={"DYNAMO_FOLLOW_KEEP_MS": "100"})
        self.churn(10, "during-scan", deletes=range(2, 40, 3), new_prefix="A")
        positions = self.follow_until_positions(name, ck, src, p)
        self.assertTrue(positions and all(" at " in x for x in positions), positions)
        os.killpg(p.pid, signal.SIGKILL)
        p.communicate()
        src.configure(hold_after=-1)
        self.churn(5, "after-kill", new_prefix="C")
        stages, total = self.resume_after_kill(args)
        self.assertFalse(stages["copy"]["skipped"], stages)
        # From the pinned positions: the 40 puts made before the snapshot are not read again.
        self.assertLessEqual(stages["follow"]["read"], total - 40, stages["follow"])
        self.assertTablesEqual(self.src, name, self.tgt, name)

    def test_a_throttled_target_makes_the_lag_grow_and_drops_nothing(self):
        name = self.seed("follow-throttle", 20)
        src, tgt = self.proxy("src"), self.proxy("tgt")
        # The follower's first GetRecords waits: the snapshot is written, nothing followed yet
        # (the one before it, with the positions, proves the permission before the snapshot).
        src.configure(hold_after=1, hold_ops="GetRecords", reset=True)
        p = self.start(*self.copy_args(name, src, tgt, "--until-caught-up", "--max-retries", "1"))
        src.wait_held(proc=p)
        # Now every write of the target is throttled: the follower's batches run out of retries.
        tgt.configure(throttle=1.0, ops="BatchWriteItem", reset=True)
        self.churn(30, "throttled", deletes=range(2, 20, 3), new_prefix="T")
        src.configure(hold_after=-1)
        deadline = time.monotonic() + 60
        while tgt.stats()["faults"].get("throttle", 0) < 6:
            if p.poll() is not None:
                self.fail("dynamo gave up on a throttled target: %s" % p.communicate()[1])
            self.assertLess(time.monotonic(), deadline, "the target was never written to")
            time.sleep(0.05)
        if p.poll() is not None:
            self.fail("dynamo gave up on a throttled target: %s" % p.communicate()[1])
        tgt.configure(throttle=0.0)
        summary, err = self.finish(p)
        self.assertIn("applying the same changes again", err)
        self.assertGreater(summary["throttles"], 0)
        self.assertTablesEqual(self.src, name, self.tgt, name)

    def test_a_trimmed_position_says_a_fresh_copy_is_needed(self):
        name = self.seed("follow-trim", 10)
        ck = os.path.join(self.tmp, "trim.ck")
        src = self.proxy("src")
        args = self.copy_args(name, src, None, "--checkpoint", ck)
        p = self.start_scan_held(src, args)
        self.churn(3, "first", same_key=2)
        src.configure(hold_after=-1)
        self.follow_until_positions(name, ck, src, p)
        # Ctrl-C: following stops, the checkpoint stays for the next run.
        os.killpg(p.pid, signal.SIGINT)
        _, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 130, err)
        self.assertIn("go on following from the checkpoint", err)
        before = harness.table_contents(self.tgt, name)
        # A day later the position is past the stream's retention.
        src.configure(trim="GetShardIterator,GetRecords")
        self.churn(3, "lost", same_key=2, new_prefix="L")
        p2 = self.dynamo(*args, check=1)
        line = [l for l in p2.stderr.splitlines() if "TrimmedDataAccessException" in l]
        self.assertEqual(len(line), 1, p2.stderr)
        self.assertIn("24-hour retention", line[0])
        self.assertIn("fresh copy", line[0])
        self.assertEqual(harness.table_contents(self.tgt, name), before)
        self.assertTrue(os.path.exists(ck))

    def test_a_source_without_a_stream_is_refused_before_any_write(self):
        self.require_distinct_target()
        for view in (None, "KEYS_ONLY"):
            with self.subTest(view=view):
                name = unique_name("follow-none")
                create_stream_table(self.src, name, view=view)
                create_stream_table(self.tgt, name, view=None)
                put_items(self.src, name, items(5))
                put_items(self.tgt, name, [{"PK": {"S": "OLD"}, "SK": {"S": "x"}}])
                before = harness.table_contents(self.tgt, name)
                p = self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes",
                                "--follow", check=2)
                self.assertOneErrorLine(p, name, "nothing was written",
                                        "--enable-stream" if view is None else "NEW_IMAGE")
                self.assertEqual(harness.table_contents(self.tgt, name), before)
                self.assertEqual(self.tgt.list_backups(TableName=name)["BackupSummaries"], [])

    def test_enable_stream_is_a_confirmed_step(self):
        self.require_distinct_target()
        self.name = name = unique_name("follow-enable")
        create_stream_table(self.src, name, view=None)
        create_stream_table(self.tgt, name, view=None)
        put_items(self.src, name, items(10))
        args = ["copy", "-t", name, "--source", "src", "--target", "tgt", "--no-backup", "--follow",
                "--enable-stream", "--until-caught-up"]
        p = self.dynamo(*args, check=6)
        self.assertIn("enable a stream", p.stderr)
        self.assertNotIn("StreamSpecification", self.src.describe_table(TableName=name)["Table"])
        self.assertEqual(len(harness.table_contents(self.tgt, name)), 0)
        self.dynamo(*(args + ["--yes"]), check=0)
        spec = self.src.describe_table(TableName=name)["Table"]["StreamSpecification"]
        self.assertEqual(spec, {"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"})
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 10)

    def test_follow_for_stops_after_the_duration(self):
        name = self.seed("follow-for", 10)
        start = time.monotonic()
        p = self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                        "--follow", "--follow-for", "2s", "--json", check=0)
        self.assertGreaterEqual(time.monotonic() - start, 2.0)
        summary = json.loads(p.stdout.splitlines()[-1])
        stages = {s["name"]: s for s in summary["stages"]}
        self.assertTrue(summary["ok"])
        self.assertTrue(stages["follow"]["result"].startswith("--follow-for ran out, "), stages["follow"])
        self.assertLess(summary["lag_seconds"], 1.0)
        self.assertTablesEqual(self.src, name, self.tgt, name)

    def test_dry_run_shows_the_follow_and_changes_nothing(self):
        name = self.seed("follow-dry", 3)
        self.src.update_table(TableName=name, StreamSpecification={"StreamEnabled": False})
        p = self.dynamo("copy", "-t", name, "--source", "src", "--target", "tgt", "--follow",
                        "--enable-stream", "--until-caught-up", "--dry-run", check=0)
        self.assertIn("enable a stream (NEW_IMAGE)", p.stdout)
        self.assertIn("follow the stream of '%s'" % name, p.stdout)
        self.assertIn("until it is less than a second behind", p.stdout)
        self.assertNotIn("StreamSpecification", self.src.describe_table(TableName=name)["Table"])
        self.assertEqual(len(harness.table_contents(self.tgt, name)), 0)

    def test_a_selection_follows_only_its_own_changes(self):
        name = self.seed("follow-pk", 0)
        mine = [{"PK": {"S": "T1"}, "SK": {"S": "s%02d" % i}, "v": {"N": "0"}} for i in range(8)]
        other = [{"PK": {"S": "T2"}, "SK": {"S": "s%02d" % i}, "v": {"N": "0"}} for i in range(8)]
        put_items(self.src, name, mine + other)
        src = self.proxy("src")
        # The first Query is the selection's probe (issue 13), before the positions: hold the copy's.
        src.configure(hold_after=1, hold_ops="Query", reset=True)
        p = self.start("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--json",
                       "--pk", "T1", "--follow", "--until-caught-up", "--source-endpoint-url", src.url)
        src.wait_held(proc=p)
        for pk in ("T1", "T2"):
            for v in range(5):
                self.src.update_item(TableName=name, Key={"PK": {"S": pk}, "SK": {"S": "s00"}},
                                     UpdateExpression="SET v = :v", ExpressionAttributeValues={":v": {"N": str(v)}})
            self.src.delete_item(TableName=name, Key={"PK": {"S": pk}, "SK": {"S": "s01"}})
            self.src.put_item(TableName=name, Item={"PK": {"S": pk}, "SK": {"S": "new"}})
        src.configure(hold_after=-1)
        summary, err = self.finish(p)
        want = sorted(harness.canonical(it) for it in harness.scan_all(self.src, name)
                      if it["PK"]["S"] == "T1")
        self.assertEqual(harness.table_contents(self.tgt, name), want)
        # All 14 changes read in one round; written: T1's last image of s00 and its new item, and
        # the delete of s01 (its five updates of s00 are one put, T2's changes none).
        follow = summary["stages"][-1]
        self.assertEqual((follow["read"], follow["written"], follow["deleted"]), (14, 2, 1), follow)

    # Once refused ("the followed changes would be written untransformed"): now the
    # follower puts each new image, and deletes each removed key, transformed as
    # the snapshot's items are.
    def test_transforms_apply_to_the_followed_changes(self):
        name = self.seed("follow-xf", 0)
        email = lambda i: {"S": "user%d@example.com" % i}
        put_items(self.src, name, [dict(key(i), email=email(i), v={"N": "0"}) for i in range(10)])
        src = self.proxy("src")
        p = self.start_scan_held(src, self.copy_args(name, src, None, "--until-caught-up", "--mask", "email",
                                                     "--rename-prefix", "P#=Q#", "--set", 'env={"S":"dev"}'),
                                 extra_env={"DYNAMO_MASK_KEY": "e2e-mask-key-7f3a9c1b5d2e4f60"})
        self.src.update_item(TableName=name, Key=key(1), UpdateExpression="SET v = :v, email = :e",
                             ExpressionAttributeValues={":v": {"N": "7"}, ":e": email(101)})
        self.src.delete_item(TableName=name, Key=key(2))
        self.src.put_item(TableName=name, Item=dict(key(500), email=email(500), v={"N": "5"}))
        src.configure(hold_after=-1)
        summary, err = self.finish(p)
        self.assertGreaterEqual(summary["stages"][-1]["read"], 3, summary)
        got = {it["PK"]["S"]: it for it in harness.scan_all(self.tgt, name)}
        # Every source item, renamed; the deleted one deleted under its renamed key.
        want = sorted(it["PK"]["S"].replace("P#", "Q#", 1) for it in harness.scan_all(self.src, name))
        self.assertEqual(sorted(got), want)
        self.assertNotIn("Q#0002", got)
        self.assertEqual(got["Q#0001"]["v"], {"N": "7"})
        self.assertEqual(got["Q#0500"]["env"], {"S": "dev"})
        # No address reached the target unmasked, the changed ones neither.
        sent = {email(i)["S"] for i in list(range(10)) + [101, 500]}
        self.assertFalse(sent & {it["email"]["S"] for it in got.values()}, got)
        self.assertNotEqual(got["Q#0001"]["email"], got["Q#0003"]["email"])

    def test_follow_flags_need_follow(self):
        for flag in (["--until-caught-up"], ["--follow-for", "5s"], ["--enable-stream"]):
            p = self.dynamo("copy", "-t", "some-table", "--source", "src", "--target", "tgt", *flag, check=2)
            self.assertOneErrorLine(p, flag[0], "--follow")


class FollowSplit(FollowRuns, harness.TestCase):
    """A stream whose shard splits (tests/fakes/split_stream.py: moto's streams never split)."""

    def follow_fake(self, name):
        """Starts copy --follow --until-caught-up with its stream served by the fake, and waits
        until it has taken its positions (LATEST); the fake's reads wait for fake_post("go")."""
        fake = harness.start_fake("split_stream", "--page", "2")
        self.addCleanup(fake.stop)
        p = self.start("copy", "-t", name, "--source", "src", "--target", "tgt", "--yes", "--no-backup",
                       "--json", "--follow", "--until-caught-up", "--follow-for", "60s",
                       extra_env={"AWS_ENDPOINT_URL_DYNAMODB_STREAMS": fake.url})
        deadline = time.monotonic() + 30
        while not json.loads(harness.http_get(fake.url + "/_fake/state"))["latest"]:
            self.assertIsNone(p.poll(), "dynamo exited before taking positions")
            self.assertLess(time.monotonic(), deadline, "no LATEST position was taken")
            time.sleep(0.05)
        return fake, p

    def fake_post(self, fake, what, body):
        req = urllib.request.Request(fake.url + "/_fake/" + what, data=json.dumps(body).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            r.read()

    def test_parents_are_read_before_their_children(self):
        # The stream's one shard gets five changes after the positions are taken (three pages of
        # two), then splits; the children change the same keys again. Read before their parent
        # ends, a child's newer value would be overwritten by the parent's older one.
        name = self.seed("follow-split", 5)
        fake, p = self.follow_fake(name)

        def change(event, k, v=None):
            keys = key(k, "F")
            return {"event": event, "keys": keys, "new": dict(keys, v={"N": str(v)}) if v else None}

        root = "shardId-00000001000000000000-00000000"
        self.fake_post(fake, "append", {"shard": root, "records": [
            change("INSERT", 1, 1), change("INSERT", 2, 1), change("INSERT", 3, 1),
            change("MODIFY", 1, 2), change("MODIFY", 2, 2)]})
        kids = ["shardId-00000002000000000000-0000000a", "shardId-00000002000000000000-0000000b"]
        self.fake_post(fake, "split", {"shard": root, "children": kids})
        self.fake_post(fake, "append", {"shard": kids[0], "records": [
            change("MODIFY", 1, 3), change("REMOVE", 3)]})
        self.fake_post(fake, "append", {"shard": kids[1], "records": [
            change("MODIFY", 2, 3), change("INSERT", 4, 1)]})
        self.fake_post(fake, "go", {})
        summary, err = self.finish(p)
        want = harness.table_contents(self.src, name) + [
            harness.canonical(dict(key(k, "F"), v={"N": v})) for k, v in ((1, "3"), (2, "3"), (4, "1"))]
        self.assertEqual(harness.table_contents(self.tgt, name), sorted(want))
        self.assertEqual(summary["stages"][-1]["read"], 9)

    def test_more_shards_than_a_round_takes_are_all_read(self):
        # 20 open shards, a round reads 16: the last four must get their turn too (they starved,
        # and --until-caught-up never ended, when every round started from the first shard).
        name = self.seed("follow-wide", 3)
        fake, p = self.follow_fake(name)
        root = "shardId-00000001000000000000-00000000"
        self.fake_post(fake, "append", {"shard": root, "records": [
            {"event": "INSERT", "keys": key(0, "W"), "new": key(0, "W")}]})
        kids = ["shardId-00000002000000000000-%08x" % i for i in range(1, 21)]
        self.fake_post(fake, "split", {"shard": root, "children": kids})
        for i, kid in enumerate(kids, 1):
            self.fake_post(fake, "append", {"shard": kid, "records": [
                {"event": "INSERT", "keys": key(i, "W"), "new": dict(key(i, "W"), v={"N": str(i)})}]})
        self.fake_post(fake, "go", {})
        summary, err = self.finish(p)
        self.assertTrue(summary["stages"][-1]["result"].startswith("caught up"), summary["stages"][-1])
        want = harness.table_contents(self.src, name) + [harness.canonical(key(0, "W"))] + [
            harness.canonical(dict(key(i, "W"), v={"N": str(i)})) for i in range(1, 21)]
        self.assertEqual(harness.table_contents(self.tgt, name), sorted(want))
