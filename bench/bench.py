#!/usr/bin/env python3
"""dynamo's benchmark: seed, copy, truncate, query and item-copy, measured.

usage: bench.py --endpoint URL [--target-endpoint URL] [--items N] [options]

For each run it prints items/s, dynamo's CPU microseconds per item
(user+sys of the dynamo process divided by items), its peak RSS, the peak of
requests in flight and the retries, and checks the result: with ddbsim
(detected through /_sim/health) by content digests, otherwise by counts.

It only touches tables it creates itself, named dynamo-bench-<stamp>-...:
creating one that already exists aborts the run, and cleanup deletes only
those. So it can be pointed at a real DynamoDB account (it costs what the
reads and writes cost there; on-demand tables are used).

Credentials: --profile NAME uses that AWS profile for both sides; otherwise
the environment's AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (or dummy keys for
a local endpoint).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import shutil

import boto3
from botocore.config import Config

import faults

GNU_TIME = shutil.which("time") if os.path.exists("/usr/bin/time") else None

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def log(*a):
    print(*a, file=sys.stderr, flush=True)


# ---- items ----

def item_line(i, users, size):
    """A DynamoDB-JSON export line for item i, about `size` bytes as DynamoDB counts them."""
    pk = "BENCH#USER#%08d" % (i % users)
    sk = "ITEM#%010d" % i
    amount = "%d.%02d" % ((i * 7919) % 100000 - 5000, i % 100)
    status = ("NEW", "PAID", "SHIPPED", "RETURNED")[i % 4]
    used = 2 + len(pk) + 2 + len(sk) + 6 + len(amount) + 6 + len(status) + 4 + 5 + 4
    note = "n" * max(0, size - used - 4)
    return ('{"Item":{"PK":{"S":"%s"},"SK":{"S":"%s"},"amount":{"N":"%s"},"status":{"S":"%s"},'
            '"tags":{"SS":["a","b%d"]},"note":{"S":"%s"}}}\n' % (pk, sk, amount, status, i % 10, note))


def shard_line(i, shards, size):
    """Items of a write-sharded hot partition: PK BENCH#HOT#S<n>, sort key in time order."""
    pk = "BENCH#HOT#S%d" % (i % shards)
    sk = "T#%012d" % i
    note = "n" * max(0, size - 40)
    return '{"Item":{"PK":{"S":"%s"},"SK":{"S":"%s"},"note":{"S":"%s"}}}\n' % (pk, sk, note)


# ---- the endpoints ----

class Side:
    def __init__(self, args, endpoint, session):
        self.endpoint = endpoint
        self.ddb = session.client("dynamodb", endpoint_url=endpoint, region_name=args.region,
                                  config=Config(retries={"max_attempts": 10, "mode": "adaptive"}))
        self.sim = self._is_ddbsim()

    def _is_ddbsim(self):
        try:
            with urllib.request.urlopen(self.endpoint.rstrip("/") + "/_sim/health", timeout=2) as r:
                return json.loads(r.read()).get("ok") is True
        except Exception:
            return False

    def digest(self, table):
        with urllib.request.urlopen("%s/_sim/digest?table=%s" % (self.endpoint.rstrip("/"), table),
                                    timeout=600) as r:
            return json.loads(r.read())

    def count(self, table):
        if self.sim:
            return self.digest(table)["items"]
        n = 0
        for page in self.ddb.get_paginator("scan").paginate(TableName=table, Select="COUNT"):
            n += page["Count"]
        return n


class Tables:
    """The tables this run created, and nothing else."""

    def __init__(self, stamp):
        self.stamp = stamp
        self.created = []

    def create(self, side, suffix):
        name = "dynamo-bench-%s-%s" % (self.stamp, suffix)
        try:
            side.ddb.describe_table(TableName=name)
            sys.exit("bench: table %s already exists; it was not created by this run, so it is left alone" % name)
        except side.ddb.exceptions.ResourceNotFoundException:
            pass
        side.ddb.create_table(
            TableName=name, BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}],
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"},
                                  {"AttributeName": "SK", "AttributeType": "S"}])
        self.created.append((side, name))
        side.ddb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 600})
        return name

    def cleanup(self):
        for side, name in self.created:
            try:
                side.ddb.delete_table(TableName=name)
            except Exception as e:
                log("bench: could not delete %s: %s" % (name, e))


# ---- running dynamo ----

class Runner:
    def __init__(self, args):
        self.args = args
        self.home = tempfile.mkdtemp(prefix="dynamo-bench-")
        self.env = dict(os.environ)
        if args.profile:
            self.profile = args.profile
        else:
            self.profile = "bench"
            key = os.environ.get("AWS_ACCESS_KEY_ID", "AKIABENCHEXAMPLE")
            secret = os.environ.get("AWS_SECRET_ACCESS_KEY", "bench-secret")
            token = os.environ.get("AWS_SESSION_TOKEN")
            path = os.path.join(self.home, "credentials")
            with open(path, "w") as f:
                f.write("[bench]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (key, secret))
                if token:
                    f.write("aws_session_token = %s\n" % token)
            os.chmod(path, 0o600)
            self.env["AWS_SHARED_CREDENTIALS_FILE"] = path
            self.env["AWS_CONFIG_FILE"] = os.path.join(self.home, "config")
            open(self.env["AWS_CONFIG_FILE"], "w").close()
        self.env["AWS_EC2_METADATA_DISABLED"] = "true"

    def run(self, name, argv, items_of, stdin_lines=None, to_null=False):
        """Runs dynamo; returns a result dict with rates, CPU/item and RSS from wait4.

        to_null: stdout goes to /dev/null (query output); the counts then come
        from the summary line on stderr instead of --json.
        """
        cmd = [self.args.dynamo] + argv + ["--region", self.args.region, "--quiet"]
        if not to_null:
            cmd.append("--json")
        # The peak RSS comes from GNU time: wait4's ru_maxrss would include the
        # image of this Python process, which the child had until its exec.
        timefile = os.path.join(self.home, "time.out")
        if GNU_TIME:
            cmd = [GNU_TIME, "-f", "%M %U %S", "-o", timefile] + cmd
        t0 = time.monotonic()
        p = subprocess.Popen(cmd, env=self.env, stdin=subprocess.PIPE if stdin_lines else subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL if to_null else subprocess.PIPE, stderr=subprocess.PIPE)
        if stdin_lines:
            def feed():
                try:
                    for chunk in stdin_lines:
                        p.stdin.write(chunk.encode())
                    p.stdin.close()
                except BrokenPipeError:
                    pass
            threading.Thread(target=feed, daemon=True).start()
        err_chunks = []
        threading.Thread(target=lambda: err_chunks.append(p.stderr.read()), daemon=True).start()
        out = b"" if to_null else p.stdout.read()
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.monotonic() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        time.sleep(0.05)
        err = b"".join(err_chunks).decode(errors="replace")
        if p.returncode != 0:
            raise SystemExit("bench: %s failed (exit %d):\n%s" % (name, p.returncode, err[-2000:]))
        summary = summary_of_stderr(err) if to_null else json.loads(out.decode().strip().splitlines()[-1])
        items = items_of(summary)
        user, system, rss_kb = ru.ru_utime, ru.ru_stime, None
        if GNU_TIME:
            with open(timefile) as f:
                kb, u, sy = f.read().split()[-3:]
            rss_kb, user, system = int(kb), float(u), float(sy)
        cpu = user + system
        return {
            "run": name, "items": items, "seconds": round(summary["seconds"], 3),
            "items_per_s": round(items / summary["seconds"]) if summary["seconds"] else 0,
            "cpu_us_per_item": round(cpu * 1e6 / items, 2) if items else None,
            "user_s": round(user, 3), "sys_s": round(system, 3),
            "peak_rss_mb": round(rss_kb / 1024, 1) if rss_kb else None,
            "peak_in_flight": summary.get("peak_in_flight"), "requests": summary.get("requests"),
            "retries": summary.get("retries"), "throttles": summary.get("throttles"),
            "wall_s": round(wall, 3), "argv": " ".join(argv),
        }



def summary_of_stderr(err):
    """The numbers of dynamo's summary line ("dynamo: query done: 10 read, ... 10 printed; ...; 1.2 s, ...")."""
    import re
    line = [l for l in err.splitlines() if re.match(r"dynamo: \w+ (done|stopped):", l)][-1]
    out = {k: int(v) for v, k in re.findall(r"(\d+) (read|written|deleted|printed|saved|retries|throttles)", line)}
    out["saved"] = out.get("printed", out.get("saved", 0))
    out["seconds"] = float(re.search(r"; ([\d.]+) s,", line).group(1))
    return out


def written(s):
    return s["written"]


def deleted(s):
    return s["deleted"]


# ---- scenarios ----

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--endpoint", help="the source endpoint (and the target's unless --target-endpoint)")
    ap.add_argument("--target-endpoint")
    ap.add_argument("--region", default="us-east-1")
    ap.add_argument("--profile")
    ap.add_argument("--items", type=int, default=1000000)
    ap.add_argument("--item-bytes", type=int, default=300)
    ap.add_argument("--small-items", type=int, default=100000, help="the table for the RSS comparison")
    ap.add_argument("--query-items", type=int, default=1000000)
    ap.add_argument("--shards", type=int, default=16)
    ap.add_argument("--scaling", default="1,4,16,64,128", help="concurrencies for the scaling runs ('' to skip)")
    ap.add_argument("--scaling-items", type=int, default=100000)
    ap.add_argument("--runs", default="copy,diff,mask,truncate,query,itemcopy,small,scaling",
                    help="mask: a copy with --mask status --mask amount, its CPU/item beside the plain copy's")
    ap.add_argument("--dynamo", default=os.path.join(ROOT, "build", "dynamo"))
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--keep", action="store_true", help="do not delete the tables at the end")
    ap.add_argument("--faults", action="store_true",
                    help="run the fault matrix instead (ddbsim only; see bench/faults.py)")
    ap.add_argument("--partitioned-endpoint",
                    help="--faults: a ddbsim started with --partitions 16 --partition-wcu 1000")
    ap.add_argument("--sim-cmd", help="--faults: start the three simulators with this command "
                    "(e.g. 'node ../shared/bench/ddbsim.js') instead of taking endpoints")
    ap.add_argument("--fault-items", type=int, default=200000)
    ap.add_argument("--scenarios", help="--faults: only the scenarios whose names contain one of these "
                    "(comma-separated, e.g. 'unprocessed,partitions'); clean always runs")
    ap.add_argument("--baseline-dynamo", help="--faults: also run every scenario with this dynamo binary")
    ap.add_argument("--baseline-timeout", type=float, default=120,
                    help="--faults: seconds after which a baseline run is stopped (default %(default)s)")
    args = ap.parse_args()
    sims = None
    if args.faults and args.sim_cmd:
        sims = faults.Sims(args.sim_cmd, log)
        args.endpoint = sims.start()
        args.target_endpoint = sims.start("--account", "222222222222")
        args.partitioned_endpoint = sims.start("--account", "333333333333", "--partitions", "16",
                                               "--partition-wcu", "1000")
    if not args.endpoint:
        ap.error("--endpoint is required (or --faults --sim-cmd CMD)")
    if args.faults and not (args.partitioned_endpoint and args.target_endpoint):
        ap.error("--faults needs --target-endpoint and --partitioned-endpoint (or --sim-cmd CMD); "
                 "see bench/faults.py")
    try:
        run(args)
    finally:
        if sims:
            sims.stop()


def run(args):

    session = boto3.Session(profile_name=args.profile) if args.profile else boto3.Session(
        aws_access_key_id=os.environ.get("AWS_ACCESS_KEY_ID", "AKIABENCHEXAMPLE"),
        aws_secret_access_key=os.environ.get("AWS_SECRET_ACCESS_KEY", "bench-secret"),
        aws_session_token=os.environ.get("AWS_SESSION_TOKEN"))
    src = Side(args, args.endpoint, session)
    dst = Side(args, args.target_endpoint or args.endpoint, session) if args.target_endpoint else src
    runs = set(args.runs.split(","))
    stamp = time.strftime("%Y%m%d-%H%M%S")
    tables = Tables(stamp)
    r = Runner(args)
    results = []
    os.makedirs(args.out, exist_ok=True)
    outfile = os.path.join(args.out, "bench-%s.jsonl" % stamp)
    P = r.profile

    def record(res, check):
        res["check"] = check
        results.append(res)
        log("bench: %-22s %9s items %9s items/s %6s us/item %7s MB rss %4s in flight %s retries  %s" % (
            res["run"], res["items"], res["items_per_s"], res.get("cpu_us_per_item"), res.get("peak_rss_mb"),
            res.get("peak_in_flight"), res["retries"], check))
        with open(outfile, "a") as f:
            f.write(json.dumps(res) + "\n")

    def seed(side, table, n, gen):
        lines = (gen(i) for i in range(n))
        return r.run("seed %s" % table.rsplit("-", 1)[-1],
                     ["import", "-t", table, "-e", P, "--endpoint-url", side.endpoint, "-i", "-", "--yes",
                      "--concurrency", "64"], written, stdin_lines=lines)

    def copy(name, s_table, d_table, extra=()):
        return r.run(name, ["copy", "-t", s_table, "--target-table", d_table, "--source", P, "--target", P,
                            "--source-endpoint-url", src.endpoint, "--target-endpoint-url", dst.endpoint,
                            "--yes", "--no-backup"] + list(extra), written)

    def verify_copy(s_table, d_table, n):
        if src.sim and dst.sim:
            a, b = src.digest(s_table), dst.digest(d_table)
            ok = a["digest"] == b["digest"] and a["items"] == b["items"] == n
            return "digest %s %s" % (b["digest"][:12], "ok" if ok else "MISMATCH")
        c = dst.count(d_table)
        return "count %d %s" % (c, "ok" if c == n else "MISMATCH")

    if args.faults:
        r.copy_timed = lambda *a: faults.copy_timed(r, *a)
        try:
            rows = faults.run_matrix(args, r, tables, src, dst, Side(args, args.partitioned_endpoint, session),
                                     record, log)
        finally:
            if not args.keep:
                tables.cleanup()
        faults.print_table(rows)
        log("bench: results in %s" % outfile)
        if not all(x["ok"] for x in rows if x["build"] == "after"):
            sys.exit(1)
        return
    try:
        users = max(1, args.items // 8)
        need_big = runs & {"copy", "truncate", "mask", "diff"}
        if need_big:
            s_big = tables.create(src, "src")
            record(seed(src, s_big, args.items, lambda i: item_line(i, users, args.item_bytes)),
                   "count %d" % src.count(s_big))
        plain = None
        if runs & {"copy", "truncate", "mask", "diff"}:
            d_big = tables.create(dst, "dst")
            plain = copy("copy", s_big, d_big)
            record(plain, verify_copy(s_big, d_big, args.items))
        if "diff" in runs:
            # The targets: diff at least half the copy's rate, peak RSS <= 64 MB at 1M items.
            # Items/s counts the source's items compared (both stages' time).
            sides = ["-t", s_big, "--target-table", d_big, "--source", P, "--target", P,
                     "--source-endpoint-url", src.endpoint, "--target-endpoint-url", dst.endpoint]
            compared = lambda s: s["equal"] + s["different"] + s["only_in_source"]
            res = r.run("diff (equal tables)", ["diff"] + sides, compared)
            record(res, "%.2fx the copy's rate" % (res["items_per_s"] / plain["items_per_s"]
                                                   if plain and plain["items_per_s"] else 0))
            res = r.run("sync (equal tables)", ["sync", "--yes"] + sides, compared)
            record(res, "%.2fx the copy's rate; nothing to write" % (res["items_per_s"] / plain["items_per_s"]
                                                                     if plain and plain["items_per_s"] else 0))
        if "mask" in runs:
            # The target: a masked copy at most 2x the CPU per item of a plain one.
            d_mask = tables.create(dst, "mask")
            r.env["DYNAMO_MASK_KEY"] = "bench-mask-key-0123456789abcdef"
            res = copy("copy --mask (2 attrs)", s_big, d_mask, ["--mask", "status", "--mask", "amount"])
            del r.env["DYNAMO_MASK_KEY"]
            got = dst.count(d_mask)
            ratio = res["cpu_us_per_item"] / plain["cpu_us_per_item"] if plain["cpu_us_per_item"] else 0
            record(res, "%d items %s, %.2fx the plain copy's CPU/item" % (
                got, "ok" if got == args.items else "MISMATCH", ratio))
            if "truncate" in runs:
                res = r.run("truncate", ["truncate", "-t", d_big, "-e", P, "--endpoint-url", dst.endpoint,
                                         "--yes"], deleted)
                left = dst.count(d_big)
                record(res, "%d left %s" % (left, "ok" if left == 0 else "MISMATCH"))
        if "small" in runs:
            s_small = tables.create(src, "small")
            d_small = tables.create(dst, "smalldst")
            record(seed(src, s_small, args.small_items, lambda i: item_line(i, max(1, args.small_items // 8),
                                                                                args.item_bytes)), "")
            record(copy("copy (small table)", s_small, d_small), verify_copy(s_small, d_small, args.small_items))
        if "query" in runs or "itemcopy" in runs:
            q = tables.create(src, "query")
            record(seed(src, q, args.query_items, lambda i: shard_line(i, args.shards, args.item_bytes)), "")
        if "query" in runs:
            res = r.run("query (%d shards)" % args.shards,
                        ["query", "-t", q, "-e", P, "--endpoint-url", src.endpoint,
                         "--pk", "BENCH#HOT#S{0..%d}" % (args.shards - 1), "--output", "jsonl"],
                        lambda s: s["saved"], to_null=True)
            record(res, "%d printed %s" % (res["items"], "ok" if res["items"] == args.query_items else "MISMATCH"))
        if "itemcopy" in runs:
            d_items = tables.create(dst, "items")
            want = len(range(0, args.query_items, args.shards))
            res = copy("item copy (1 shard)", q, d_items, ["--pk", "BENCH#HOT#S0"])
            got = dst.count(d_items)
            record(res, "%d items %s" % (got, "ok" if got == want else "MISMATCH"))
        if "scaling" in runs and args.scaling:
            s_sc = tables.create(src, "scale")
            record(seed(src, s_sc, args.scaling_items,
                        lambda i: item_line(i, max(1, args.scaling_items // 8), args.item_bytes)), "")
            for c in [int(x) for x in args.scaling.split(",")]:
                d_sc = tables.create(dst, "scale-c%d" % c)
                segs = max(1, c // 4)
                res = copy("copy c=%d s=%d" % (c, segs), s_sc, d_sc,
                           ["--concurrency", str(c), "--segments", str(segs)])
                record(res, verify_copy(s_sc, d_sc, args.scaling_items))
    finally:
        if not args.keep:
            tables.cleanup()
    print("| run | items | items/s | CPU µs/item | peak RSS MB | in flight | retries | check |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for x in results:
        print("| %s | %s | %s | %s | %s | %s | %s | %s |" % (x["run"], x["items"], x["items_per_s"],
                                                            x["cpu_us_per_item"], x["peak_rss_mb"],
                                                            x["peak_in_flight"], x["retries"], x["check"]))
    log("bench: results in %s" % outfile)


if __name__ == "__main__":
    main()
