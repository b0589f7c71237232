#!/usr/bin/env python3
"""Runs the end-to-end suite, sharded over the machine's cores.

usage: run.py [-k PATTERN]... [--backend moto|dynalite|endpoint]... [-j N] [-v]
              [--times FILE] [--list]

  -k PATTERN   only tests whose id contains PATTERN (repeatable: any of them)
  --backend    moto, dynalite (default: both) or endpoint (the default when
               DYNAMO_E2E_ENDPOINT is set: see harness.py)
  -j N         shards (default: $DYNAMO_E2E_JOBS, else the machine's cores)
  -v           every test's name and result, not only the failures'
  --times FILE where the classes' durations are kept between runs (default:
               e2e-times.json next to DYNAMO_BIN); the longest run first.
               Classes it does not know yet take their time from
               tests/e2e/times.json (a past run's, so that a fresh clone
               starts the long classes first too), else 5 s a test
  --list       print the classes each backend would run, and their last times

The unit of work is a test class on one backend. Each shard is a worker
process (run.py --worker) with its own servers (a moto, two dynalites),
started on free ports the first time it runs a class for that backend and
stopped by PID when it ends. moto is reset before each class (see
harness.Backend.reset). Every server a shard starts is also listed (PID and
start time) in a file this process reads when the run ends, so servers are
stopped also when a shard dies or the run is interrupted.

A line per class as it finishes, the failures' output at the end, and the
last line 'e2e: N tests, N failed, N errors, N skipped in N s (N shards)';
exit status 1 when a test failed.
"""
import argparse
import io
import json
import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import harness  # noqa: E402


def discover():
    """{class id "module.Class": [test ids]} for every test of the suite."""
    classes = {}

    def walk(suite):
        for t in suite:
            if isinstance(t, unittest.TestSuite):
                walk(t)
            elif isinstance(t, unittest.loader._FailedTest):
                # A module that does not import: load it again in a shard, which reports the error.
                classes.setdefault(t._testMethodName, []).append(t._testMethodName)
            else:
                # A class imported into another test module is found there too: run it once.
                cls = type(t)
                tests = classes.setdefault("%s.%s" % (cls.__module__, cls.__qualname__), [])
                if t.id() not in tests:
                    tests.append(t.id())

    walk(unittest.TestLoader().discover(HERE, pattern="test_*.py", top_level_dir=HERE))
    return classes


def class_backends(class_id):
    """The backends a class declares (harness.TestCase.backends), or None for a module that failed to import."""
    module, _, name = class_id.partition(".")
    try:
        cls = getattr(__import__(module), name)
    except (ImportError, AttributeError, ValueError):
        return None
    return getattr(cls, "backends", None)


# ---- worker: runs the classes it is sent on its own servers ----

def worker():
    """Reads {"backend", "class", "tests", "verbose"} lines on stdin, answers a result line each."""
    proto = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # what tests print goes to stderr, never into the protocol
    backends = {}
    try:
        for line in sys.stdin:
            job = json.loads(line)
            proto.write(json.dumps(run_class(backends, job)) + "\n")
            proto.flush()
    finally:
        harness.BACKEND = None
        for b in backends.values():
            if b.name != "moto":
                cleanup_tables(b)
            b.stop()
        harness.stop_all()


def cleanup_tables(backend):
    """Tables a class could not delete itself (its setUpClass failed): whatever this process named."""
    try:
        env = harness.Env(backend)
        try:
            sides = ["src"] if backend.shared_sides else ["src", "tgt"]
            for side in sides:
                harness.delete_tables(harness.client(env, side), harness._names)
        finally:
            env.cleanup()
    except Exception as e:  # noqa: BLE001 (the run's result stands; say what was left behind)
        print("e2e: could not delete this shard's tables on %s: %s" % (backend.name, e), file=sys.stderr)


class TimedResult(unittest.TextTestResult):
    """Also keeps each test's duration: [[test id, seconds]]."""

    def __init__(self, *args):
        super().__init__(*args)
        self.durations, self.started = [], None

    def startTest(self, test):
        self.started = time.monotonic()
        super().startTest(test)

    def stopTest(self, test):
        super().stopTest(test)
        self.durations.append([test.id(), round(time.monotonic() - self.started, 2)])


class ClassError:
    """Stands for a class whose setup failed, where unittest's report wants a test."""

    def __init__(self, name):
        self.name = name

    def shortDescription(self):
        return None

    def id(self):
        return self.name

    def __str__(self):
        return self.name


def run_class(backends, job):
    t0 = time.monotonic()
    stream = io.StringIO()
    result = TimedResult(unittest.runner._WritelnDecorator(stream), True, 2 if job["verbose"] else 0)
    try:
        backend = backends.get(job["backend"])
        if backend is None:
            backend = backends[job["backend"]] = harness.Backend(job["backend"]).start()
        backend.reset()
        harness.BACKEND = backend
        suite = unittest.TestSuite(unittest.defaultTestLoader.loadTestsFromNames(job["tests"]))
        suite.run(result)
    except Exception as e:  # noqa: BLE001 (servers that do not start fail this class, not the shard)
        result.errors.append((ClassError(job["class"]), "%s: %s" % (type(e).__name__, e)))
    finally:
        harness.BACKEND = None
    result.printErrors()
    return {"class": job["class"], "backend": job["backend"], "run": result.testsRun,
            "failures": len(result.failures), "errors": len(result.errors), "skipped": len(result.skipped),
            "seconds": round(time.monotonic() - t0, 2), "output": stream.getvalue(),
            "durations": result.durations}


# ---- the parent: plans, starts the shards, collects ----

class Shard:
    def __init__(self, index, pids_file):
        env = dict(os.environ, DYNAMO_E2E_PIDS=pids_file, PYTHONUNBUFFERED="1")
        self.index = index
        self.job = None
        # Its own process group, with the dynamo runs of its tests: stop() ends them all.
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--worker"], env=env,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
                                     start_new_session=True)

    def send(self, job):
        self.job = job
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()

    def close(self):
        if self.proc.stdin:
            try:
                self.proc.stdin.close()
            except OSError:
                pass

    def stop(self):
        """SIGTERM to the worker (harness's handler stops its servers) and the dynamo it runs."""
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass

    def wait(self, timeout):
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.proc.wait()


def stop_leftovers(pids_file):
    """Stops, by PID, the servers the shards started and left running (a shard that died)."""
    try:
        with open(pids_file) as f:
            entries = [line.split() for line in f if line.strip()]
    except FileNotFoundError:
        return
    for pid, start in entries:
        pid = int(pid)
        if harness.process_start_time(pid) != start:
            continue  # gone (or another process took the PID)
        try:
            os.killpg(pid, signal.SIGKILL)  # harness.Server starts each in its own session
        except (ProcessLookupError, PermissionError):
            pass


def load_times(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def save_times(path, times):
    try:
        tmp = "%s.tmp.%d" % (path, os.getpid())
        with open(tmp, "w") as f:
            json.dump(times, f, indent=0, sort_keys=True)
        os.replace(tmp, path)
    except OSError as e:
        print("e2e: cannot save the durations in %s: %s" % (path, e), file=sys.stderr)


SEED_TIMES = os.path.join(HERE, "times.json")


def plan(args):
    """The (backend, class, tests) jobs to run, longest (by the last run's times) first."""
    classes = discover()
    seed, times = load_times(SEED_TIMES), load_times(args.times)
    jobs = []
    for backend in args.backend:
        for class_id, tests in sorted(classes.items()):
            if args.k:
                tests = [t for t in tests if any(k in t for k in args.k)]
            declared = class_backends(class_id)
            if not tests or (declared is not None and backend not in declared):
                continue
            key = "%s %s" % (backend, class_id)
            jobs.append({"backend": backend, "class": class_id, "tests": tests, "verbose": args.v,
                         "estimate": times.get(key, seed.get(key, 5.0 * len(tests)))})
    jobs.sort(key=lambda j: -j["estimate"])
    return jobs, times


def run(args):
    jobs, times = plan(args)
    if args.list:
        for j in sorted(jobs, key=lambda j: (j["backend"], j["class"])):
            print("%-9s %-45s %3d tests  %6.1f s" % (j["backend"], j["class"], len(j["tests"]), j["estimate"]))
        return 0
    if not jobs:
        print("e2e: no test matches")
        return 0
    nshards = max(1, min(args.j, len(jobs)))
    print("== e2e on %s: %d classes over %d shards" % (", ".join(args.backend), len(jobs), nshards), flush=True)
    fd, pids_file = tempfile.mkstemp(prefix="dynamo-e2e-pids-")
    os.close(fd)
    t0 = time.monotonic()
    shards, results, queue, finished = [], [], list(jobs), False
    sel = selectors.DefaultSelector()
    try:
        for i in range(nshards):
            s = Shard(i, pids_file)
            shards.append(s)
            sel.register(s.proc.stdout, selectors.EVENT_READ, s)
            s.send(queue.pop(0))
        busy = nshards
        while busy:
            for key, _ in sel.select():
                s = key.data
                line = s.proc.stdout.readline()
                if not line:
                    # The shard died: its class counts as an error, and the rest goes on without it.
                    sel.unregister(s.proc.stdout)
                    busy -= 1
                    r = {"class": s.job["class"], "backend": s.job["backend"], "run": 0, "failures": 0,
                         "errors": 1, "skipped": 0, "seconds": 0,
                         "output": "e2e: shard %d exited with status %s while running %s\n" %
                                   (s.index, s.proc.wait(), s.job["class"])}
                else:
                    r = json.loads(line)
                    if queue:
                        s.send(queue.pop(0))
                    else:
                        s.close()
                        sel.unregister(s.proc.stdout)
                        busy -= 1
                results.append(r)
                report(r, args.v)
                times["%s %s" % (r["backend"], r["class"])] = r["seconds"]
        finished = True
    except (KeyboardInterrupt, Terminated) as e:
        print("\ne2e: interrupted", flush=True)
        return 143 if isinstance(e, Terminated) else 130
    finally:
        for s in shards:
            s.close()
            if not finished and s.proc.poll() is None:
                s.stop()
        for s in shards:
            s.wait(timeout=300 if finished else 10)
        stop_leftovers(pids_file)
        os.unlink(pids_file)
    save_times(args.times, times)
    return summarize(results, nshards, time.monotonic() - t0)


def report(r, verbose):
    bad = r["failures"] + r["errors"]
    status = "FAILED" if bad else "ok"
    print("%7.1f s  %-8s %-45s %3d tests %s%s" % (r["seconds"], r["backend"], r["class"], r["run"], status,
                                                  " (%d skipped)" % r["skipped"] if r["skipped"] else ""),
          flush=True)
    if verbose:
        for test, seconds in r.get("durations", []):
            print("%7.1f s      %s" % (seconds, test))


def summarize(results, nshards, elapsed):
    bad = [r for r in results if r["failures"] or r["errors"]]
    for r in bad:
        print("\n==== %s on %s\n%s" % (r["class"], r["backend"], r["output"].rstrip()))
    per_module = {}
    for r in results:
        k = (r["backend"], r["class"].split(".")[0])
        per_module[k] = per_module.get(k, 0) + r["seconds"]
    slow = sorted(per_module.items(), key=lambda kv: -kv[1])[:8]
    print("\ne2e: slowest modules: " + ", ".join("%s on %s %.0f s" % (m, b, s) for (b, m), s in slow))
    total = lambda f: sum(r[f] for r in results)
    print("e2e: %d tests, %d failed, %d errors, %d skipped in %.0f s (%d shards)" %
          (total("run"), total("failures"), total("errors"), total("skipped"), elapsed, nshards), flush=True)
    return 1 if bad else 0


class Terminated(Exception):
    """SIGTERM (a CI timeout): stop as for Ctrl-C."""


def on_sigterm(sig, frame):
    raise Terminated()


def main():
    ap = argparse.ArgumentParser(description="the end-to-end suite, sharded over the cores")
    ap.add_argument("-k", action="append", default=[], help="only tests whose id contains this")
    ap.add_argument("--backend", action="append", choices=["moto", "dynalite", "endpoint"])
    ap.add_argument("-j", type=int, default=int(os.environ.get("DYNAMO_E2E_JOBS") or os.cpu_count() or 1),
                    help="shards (default: $DYNAMO_E2E_JOBS or the number of cores)")
    ap.add_argument("-v", action="store_true")
    ap.add_argument("--times", default=os.path.join(os.path.dirname(harness.BIN), "e2e-times.json"))
    ap.add_argument("--list", action="store_true")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker()
        return 0
    if not os.access(harness.BIN, os.X_OK):
        sys.exit("run.py: %s is not built (run make)" % harness.BIN)
    if not args.backend:
        args.backend = ["endpoint"] if os.environ.get("DYNAMO_E2E_ENDPOINT") else ["moto", "dynalite"]
    if "endpoint" in args.backend and not os.environ.get("DYNAMO_E2E_ENDPOINT"):
        sys.exit("run.py: --backend endpoint needs DYNAMO_E2E_ENDPOINT (see tests/e2e/harness.py)")
    signal.signal(signal.SIGTERM, on_sigterm)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
