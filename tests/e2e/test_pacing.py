"""Pacing against a DynamoDB that says no: the retry budget.

dynamo talks to moto through tests/fakes/fault_proxy.py, which splits the
target into partitions as DynamoDB does (moto's own Scan segments, so a scan
segment's items all land on one partition) and gives some of them a small
write capacity, or answers every batch with all but one item unprocessed.
What happened is judged from the proxy's log of the writes that reached moto
and from the tables, never from dynamo's own account.
"""
import hashlib
import json
import os
import re
import signal
import subprocess
import time

import harness
from harness import create_table, put_items, unique_name
from test_faults import FaultBase

PARTITIONS = 16
HOT = 3


def partition(pk):
    """The proxy's (and moto's Scan segment) function of a partition key string."""
    return hashlib.md5(pk.encode()).digest()[0] % PARTITIONS


def items_by_partition(hot, cold):
    """hot items in partition HOT and cold items elsewhere, one partition key each."""
    out, n_hot, n_cold, i = [], 0, 0, 0
    while n_hot < hot or n_cold < cold:
        pk = "ITEM#%06d" % i
        i += 1
        if partition(pk) == HOT and n_hot < hot:
            n_hot += 1
        elif partition(pk) != HOT and n_cold < cold:
            n_cold += 1
        else:
            continue
        out.append({"PK": {"S": pk}, "SK": {"S": "x"}, "n": {"N": str(i)}, "pad": {"S": "p" * 100}})
    return out


class PacingBase(FaultBase):
    def tables(self, prefix, items):
        """A source holding items and an empty target; returns their name."""
        name = unique_name(prefix)
        create_table(self.src, name)
        create_table(self.tgt, name)
        put_items(self.src, name, items)
        return name

    def copy(self, proxy, name, *flags, timeout=100, extra_env=None):
        return self.via(proxy, "copy", "-t", name, "--source", "src", "--target", "tgt", "--yes",
                        "--no-backup", *flags, timeout=timeout, extra_env=extra_env)


class RetryBudget(PacingBase):
    """The retry budget counts the service's refusals, not the wait for dynamo's own rate limit."""

    def test_waiting_for_the_rate_limit_does_not_spend_the_budget(self):
        name = self.tables("budget", items_by_partition(0, 600))
        # 600 one-unit items at 60 units/s: batches wait for the cap up to
        # 10 s, and a third of the attempts are throttled; a retry waits
        # seconds for its turn, much longer than the 2 s budget.
        proxy = self.proxy("--throttle", 0.3, "--ops", "BatchWriteItem", "--seed", 5)
        p = self.copy(proxy, name, "--max-wcu", "60", timeout=120,
                      extra_env={"DYNAMO_RETRY_BUDGET": "2s"})
        self.assertSucceeded(p)
        self.assertGreater(proxy.stats()["faults"].get("throttle", 0), 3)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 600)

    def test_a_bad_budget_is_refused(self):
        p = self.dynamo("tables", "-e", "src", extra_env={"DYNAMO_RETRY_BUDGET": "soon"})
        self.assertEqual(p.returncode, 2)
        self.assertIn("DYNAMO_RETRY_BUDGET", p.stderr)
