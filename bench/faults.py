"""The fault matrix: dynamo copies against ddbsim that says no, as DynamoDB does.

Each scenario copies the same seeded source table (300-byte items, 200,000 by
default) into a fresh table on a target ddbsim whose fault knobs are set for
that scenario (POST /_sim/faults), and is judged against a clean copy in the
same run: items/s beside the issue's limit, rejected writes (items ddbsim
refused for table or partition capacity) beside theirs, and the target's
content digest against the source's.

ddbsim cannot change its partition count at runtime, so the partitioned
scenarios need a second target started with --partitions. Either give the
three endpoints:

  node ddbsim.js --port 0 &                                         # source
  node ddbsim.js --port 0 --account 222222222222 &                  # target
  node ddbsim.js --port 0 --account 333333333333 --partitions 16 --partition-wcu 1000 &
  make bench ENDPOINT=URL1 TARGET_ENDPOINT=URL2 BENCH_ARGS='--faults --partitioned-endpoint URL3'

or let the bench start (and stop, by PID) its own three with --sim-cmd
'node PATH/ddbsim.js'. Latency (10 ms) is set at runtime on all of them.

--baseline-dynamo BIN runs every scenario with another build too (main's,
for a before/after table from one run); a run that takes longer than
--baseline-timeout is stopped and its rate is what the target holds by then.
"""
import json
import os
import re
import resource
import signal
import subprocess
import time
import urllib.request

# name, knobs on the target ddbsim, which target, the check, knobs on the source
SCENARIOS = [
    ("clean", {}, "plain", ("ref",), {}),
    ("throttle 2% + throttling 2%", {"throttle": 0.02, "throttling": 0.02}, "plain", ("clean", 0.8), {}),
    ("unprocessed 30%", {"unprocessed": 0.3}, "plain", ("clean", 0.6), {}),
    ("16 partitions x 1000 WCU", {}, "partitioned", ("abs", 0.85 * 16000, 0.20), {}),
    ("table --wcu 20000", {"wcu": 20000}, "plain", ("abs", 0.9 * 20000, None), {}),
    ("all + error 2% + reset 1%", {"throttle": 0.02, "throttling": 0.02, "unprocessed": 0.3, "wcu": 20000,
                                   "error": 0.02, "reset": 0.01}, "partitioned", ("abs", 0.5 * 16000, None), {}),
    # Reads: a source with 1000 RCU/s (consistent reads: 4 KB a unit); not one of the targets.
    ("source --rcu 1000 (reads)", {}, "plain", ("rcu", 0.85, 1000), {"rcu": 1000}),
]

CLEAN_KNOBS = {"latencyMs": 10, "unprocessed": 0, "unprocessedGet": 0, "throttle": 0, "throttling": 0,
               "error": 0, "reset": 0, "wcu": 0, "rcu": 0}


def sim_post(endpoint, path, obj=None):
    req = urllib.request.Request(endpoint.rstrip("/") + path, data=json.dumps(obj or {}).encode(), method="POST")
    with urllib.request.urlopen(req, timeout=600) as r:
        return json.loads(r.read() or b"{}")


def sim_get(endpoint, path):
    with urllib.request.urlopen(endpoint.rstrip("/") + path, timeout=600) as r:
        return json.loads(r.read())


class Sims:
    """Simulators the bench started itself (--sim-cmd), stopped by PID."""

    def __init__(self, cmd, log):
        self.procs, self.cmd, self.log = [], cmd, log

    def start(self, *flags):
        p = subprocess.Popen(self.cmd.split() + ["--port", "0"] + list(flags), stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
        self.procs.append(p)
        line = p.stdout.readline()
        m = re.search(r"listening on (127\.0\.0\.1:\d+)", line)
        if not m:
            raise SystemExit("bench: %s did not start: %r" % (self.cmd, line))
        return "http://" + m.group(1)

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()


def chosen(names):
    """The scenarios whose names contain one of names (comma-separated; all when empty);
    clean always, as every figure is judged against it."""
    want = [n.strip() for n in (names or "").split(",") if n.strip()]
    rows = [s for s in SCENARIOS if not want or s[0] == "clean" or any(w in s[0] for w in want)]
    if want and len(rows) == 1:
        raise SystemExit("bench: --scenarios %s names none of: %s" % (names, ", ".join(s[0] for s in SCENARIOS)))
    return rows


def run_matrix(args, runner, tables, src, plain, parted, record, log):
    """Runs every scenario (and with --baseline-dynamo, each again with that binary); returns the rows."""
    for side in (src, plain, parted):
        if not side.sim:
            raise SystemExit("bench: --faults needs ddbsim endpoints (%s is not one)" % side.endpoint)
        sim_post(side.endpoint, "/_sim/faults", CLEAN_KNOBS)
    n = args.fault_items
    s_table = "dynamo-bench-%s-faultsrc" % tables.stamp
    log("bench: seeding %s with %d items of %d bytes" % (s_table, n, args.item_bytes))
    sim_post(src.endpoint, "/_sim/seed", {"table": s_table, "count": n, "bytes": args.item_bytes})
    tables.created.append((src, s_table))
    want = src.digest(s_table)
    builds = [("after", args.dynamo)] + ([("before", args.baseline_dynamo)] if args.baseline_dynamo else [])
    rows = []
    # A copy into each target first, not measured: a fresh simulator's JIT is cold, and
    # the first scenario (the clean reference) would pay for it.
    for dst in (plain, parted):
        w_table = tables.create(dst, "warmup")
        runner.copy_timed("warm-up", args.dynamo, src, s_table, dst, w_table, None)
        dst.ddb.delete_table(TableName=w_table)
        tables.created.remove((dst, w_table))
    for name, knobs, which, check, src_knobs in chosen(args.scenarios):
        dst = parted if which == "partitioned" else plain
        for build, binary in builds:
            d_table = tables.create(dst, "f%d-%s" % (len(rows), build))
            sim_post(dst.endpoint, "/_sim/reset")
            sim_post(dst.endpoint, "/_sim/faults", dict(CLEAN_KNOBS, **knobs))
            sim_post(src.endpoint, "/_sim/faults", dict(CLEAN_KNOBS, **src_knobs))
            timeout = args.baseline_timeout if build == "before" else None
            res = runner.copy_timed("%s [%s]" % (name, build), binary, src, s_table, dst, d_table, timeout)
            sim_post(dst.endpoint, "/_sim/faults", CLEAN_KNOBS)
            sim_post(src.endpoint, "/_sim/faults", CLEAN_KNOBS)
            res["item_bytes"] = want["bytes"] / max(1, want["items"])
            st = sim_get(dst.endpoint, "/_sim/stats?digest=0")
            inj = st.get("injected", {})
            got = dst.digest(d_table)
            res.update(scenario=name, build=build, rejected=inj.get("capacity", 0) + inj.get("partition", 0),
                       injected=inj, exact=got["digest"] == want["digest"] and got["items"] == want["items"])
            if res.get("stopped"):
                res["exact"] = None
            rows.append(res)
            record(res, "digest %s" % ("ok" if res["exact"] else "stopped" if res["exact"] is None else "MISMATCH"))
            # Free the simulator's memory for the next scenario.
            dst.ddb.delete_table(TableName=d_table)
            tables.created.remove((dst, d_table))
    return judge(rows)


def judge(rows):
    """Each row's figure beside its limit, pass or fail (after builds only have to pass)."""
    clean = {r["build"]: r["items_per_s"] for r in rows if r["scenario"] == "clean"}
    out = []
    for name, _, _, check, _ in SCENARIOS:
        for r in [x for x in rows if x["scenario"] == name]:
            ips, ref = r["items_per_s"], clean.get(r["build"]) or 1
            if check[0] == "ref":
                other = clean.get("before")
                limit = "reference" if other is None or r["build"] == "before" else ">= before (%d)" % other
                ok = other is None or r["build"] == "before" or ips >= other
                figure = "%d items/s" % ips
            elif check[0] == "rcu":
                # Consistent reads cost a unit per 4 KB of items.
                bound = check[2] * 4096 / r["item_bytes"]
                limit = ">= %.2f of %d RCU/s (%d items/s)" % (check[1], check[2], bound)
                figure = "%d items/s = %.2f of it" % (ips, ips / bound)
                ok = ips >= check[1] * bound
            elif check[0] == "clean":
                limit = ">= %.2f of clean" % check[1]
                figure = "%d items/s = %.2f of clean" % (ips, ips / ref)
                ok = ips >= check[1] * ref
            else:
                limit = ">= %d items/s" % check[1]
                figure = "%d items/s" % ips
                ok = ips >= check[1]
                if check[2] is not None:
                    share = r["rejected"] / max(1, r["items"])
                    limit += ", rejected <= %d%%" % (check[2] * 100)
                    figure += ", rejected %.1f%%" % (share * 100)
                    ok = ok and share <= check[2]
            if r["exact"] is False or r.get("stopped"):
                ok = False
            if r["exact"] is False:
                figure += ", DIGEST MISMATCH"
            if r.get("stopped"):
                figure += " (stopped after %d s, %d items)" % (r["seconds"], r["items"])
            r.update(limit=limit, figure=figure, ok=ok)
            out.append(r)
    return out


def print_table(rows, out=print):
    out("| scenario | build | items/s | CPU us/item | figure | limit | throttles | retries | rejected | result |")
    out("|---|---|---:|---:|---|---|---:|---:|---:|---|")
    for r in rows:
        out("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            r["scenario"], r["build"], r["items_per_s"], r.get("cpu_us_per_item"), r["figure"], r["limit"],
            r.get("throttles"),
            r.get("retries"), r["rejected"], "pass" if r["ok"] else ("fail" if r["build"] == "after" else "-")))


def copy_timed(runner, name, binary, src, s_table, dst, d_table, timeout):
    """A copy with binary; stopped after timeout seconds (the rate is then what the target holds)."""
    argv = ["copy", "-t", s_table, "--target-table", d_table, "--source", runner.profile,
            "--target", runner.profile, "--source-endpoint-url", src.endpoint,
            "--target-endpoint-url", dst.endpoint, "--yes", "--no-backup"]
    cmd = [binary] + argv + ["--region", runner.args.region, "--quiet", "--json"]
    t0 = time.monotonic()
    # dynamo's CPU: the only child waited for meanwhile (the simulators run until the end).
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    p = subprocess.Popen(cmd, env=runner.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.send_signal(signal.SIGINT)
        try:
            p.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            p.kill()
            p.communicate()
        wall = time.monotonic() - t0
        items = dst.digest(d_table)["items"]
        return {"run": name, "items": items, "seconds": round(wall, 1), "items_per_s": round(items / wall),
                "stopped": True, "retries": None, "throttles": None, "argv": " ".join(argv)}
    if p.returncode != 0:
        raise SystemExit("bench: %s failed (exit %d):\n%s" % (name, p.returncode, err[-2000:]))
    s = json.loads(out.strip().splitlines()[-1])
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = ru.ru_utime - ru0.ru_utime + ru.ru_stime - ru0.ru_stime
    return {"run": name, "items": s["written"], "seconds": round(s["seconds"], 3),
            "cpu_us_per_item": round(cpu * 1e6 / s["written"], 2) if s["written"] else None,
            "items_per_s": round(s["written"] / s["seconds"]) if s["seconds"] else 0,
            "retries": s.get("retries"), "throttles": s.get("throttles"), "requests": s.get("requests"),
            "wall_s": round(time.monotonic() - t0, 3), "argv": " ".join(argv)}
