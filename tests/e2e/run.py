#!/usr/bin/env python3
"""Runs the end-to-end suite against each backend (moto, then dynalite).

usage: run.py [-k PATTERN] [--backend moto|dynalite] [-v]

Each backend's servers are started on free ports before its tests and
stopped by PID afterwards, also when tests fail or the run is interrupted.
"""
import argparse
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-k", action="append", default=[], help="only tests whose name contains this")
    ap.add_argument("--backend", action="append", choices=["moto", "dynalite"])
    ap.add_argument("-v", action="store_true")
    args = ap.parse_args()
    if not os.access(harness.BIN, os.X_OK):
        sys.exit("run.py: %s is not built (run make)" % harness.BIN)
    backends = args.backend or ["moto", "dynalite"]
    failed = 0
    for name in backends:
        loader = unittest.TestLoader()
        if args.k:
            loader.testNamePatterns = ["*%s*" % k for k in args.k]
        suite = loader.discover(os.path.dirname(os.path.abspath(__file__)), pattern="test_*.py")
        if not suite.countTestCases():
            continue
        print("== e2e on %s" % name, flush=True)
        backend = harness.Backend(name)
        try:
            backend.start()
            harness.BACKEND = backend
            result = unittest.TextTestRunner(verbosity=2 if args.v else 1, stream=sys.stdout).run(suite)
            failed += len(result.failures) + len(result.errors)
        finally:
            harness.BACKEND = None
            backend.stop()
            harness.stop_all()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
