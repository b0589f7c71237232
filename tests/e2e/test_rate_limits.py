"""Rate limits for production tables: --max-wcu/--max-rcu hold, and throttles are lived with.

dynamo talks to moto through tests/fakes/fault_proxy.py in capacity mode:
the proxy counts each request's capacity units as DynamoDB does (moto says
one unit a call, whatever the size), answers them as ConsumedCapacity, and
logs when each unit was spent. The caps are judged from that log, not from
what dynamo says about itself; the copies are judged through boto3.
"""
import harness
from harness import create_table, put_items, unique_name
from test_faults import FaultBase

# 1,600-byte items: 2 write units each, 0.4 of a read unit (consistent).
PAD = "p" * 1560


def padded_items(n):
    return [{"PK": {"S": "ITEM#%05d" % i}, "SK": {"S": "x"}, "n": {"N": str(i)}, "pad": {"S": PAD}}
            for i in range(n)]


def spent(log, side):
    """[(seconds, units)] of the requests on side, in the order they reached the table."""
    return sorted((t, u) for t, s, u in log if s == side)


def average_rate(entries):
    """Units per second from the first request to the last (the last one's units fall outside)."""
    span = entries[-1][0] - entries[0][0]
    return sum(u for _, u in entries[:-1]) / span


def busy_part(entries, share=0.9):
    """The requests up to the one that spent the first share of all units."""
    total, spent_so_far = sum(u for _, u in entries), 0
    for i, (_, u) in enumerate(entries):
        spent_so_far += u
        if spent_so_far >= share * total:
            return entries[:i + 1]
    return entries


def busiest_window(entries, seconds):
    """The most units spent in any window of that many seconds that starts at a request."""
    best, j, total = 0, 0, 0
    for i, (t, u) in enumerate(entries):
        while j < len(entries) and entries[j][0] < t + seconds:
            total += entries[j][1]
            j += 1
        best = max(best, total)
        total -= u
    return best


class RateCaps(FaultBase):
    """A capped copy spends what the cap allows, within 5%, and no more; nothing is lost.

    600 items: about 8 s of traffic at each cap, about 25 requests to judge
    a pace by (a burst at the start, the bug the 2 s window guards against,
    is a larger share of a shorter run, so it shows more, not less)."""

    ITEMS = 600

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # One source for both tests (moto is reset per class, not per test): each copies it to a new table.
        cls.name = unique_name("rate")
        create_table(cls.src, cls.name)
        put_items(cls.src, cls.name, padded_items(cls.ITEMS))

    def copy(self, proxy, *flags):
        target = unique_name("rate-tgt")
        create_table(self.tgt, target)
        p = self.via(proxy, "copy", "-t", self.name, "--target-table", target, "--source", "src",
                     "--target", "tgt", "--yes", "--no-backup", *flags, timeout=120)
        self.assertSucceeded(p)
        self.assertEqual(self.assertTablesEqual(self.src, self.name, self.tgt, target), self.ITEMS)
        return proxy.stats()["capacity"]

    def assertHeld(self, entries, cap):
        rate = average_rate(entries)
        largest = max(u for _, u in entries)
        self.assertLessEqual(rate, cap * 1.05, "over the cap on average: %.1f units/s" % rate)
        # Near the cap while there is work for every worker: the tail, where
        # the last segment waits alone for its pages, runs slower by nature
        # (24.5 units/s over the whole run was seen in CI, 29+ here).
        busy = average_rate(busy_part(entries))
        self.assertGreaterEqual(busy, cap * 0.8, "far below the cap: %.1f units/s" % busy)
        # No burst either: any 2 s hold at most 2 s of the cap, one request
        # more, and a quarter second for when requests reach the proxy
        # later than the limiter let them go (a busy machine: 78.5 units
        # for 30/s was seen). A full bucket at the start, the bug this
        # guards against, is a whole second more.
        worst = busiest_window(entries, 2.0)
        self.assertLessEqual(worst, 2.25 * cap * 1.05 + largest, "a burst of %.1f units in 2 s" % worst)

    def test_write_cap_is_held_within_5_percent(self):
        proxy = self.proxy("--capacity")
        log = self.copy(proxy, "--max-wcu", "160")
        writes = spent(log, "write")
        self.assertEqual(sum(u for _, u in writes), 2 * self.ITEMS)   # every item once, 2 units each
        self.assertHeld(writes, 160)

    def test_read_cap_is_held_within_5_percent(self):
        proxy = self.proxy("--capacity")
        log = self.copy(proxy, "--max-rcu", "30", "--segments", "4")
        reads = spent(log, "read")
        self.assertGreater(len(reads), 8, "too few pages to judge a rate: %s" % reads)
        self.assertHeld(reads, 30)


class AdaptiveRate(FaultBase):
    """Against a table with little capacity and no cap given, dynamo backs off, finishes, loses nothing."""

    def test_a_small_table_is_copied_at_what_it_allows(self):
        name = unique_name("rate-aimd")
        create_table(self.src, name)
        create_table(self.tgt, name)
        put_items(self.src, name, padded_items(1200))
        # What moto, the proxy and dynamo manage here and now without a limit:
        # on a busy machine that can be under the table's 300 units/s, and a
        # pace judged against 300 alone failed for the machine, not for dynamo.
        free = unique_name("rate-free")
        create_table(self.tgt, free)
        unlimited = self.proxy("--capacity")
        self.assertSucceeded(self.via(unlimited, "copy", "-t", name, "--target-table", free, "--source", "src",
                                      "--target", "tgt", "--yes", "--no-backup", timeout=120))
        ceiling = average_rate(spent(unlimited.stats()["capacity"], "write"))
        proxy = self.proxy("--table-wcu", "300")
        p = self.via(proxy, "copy", "-t", name, "--source", "src", "--target", "tgt", "--yes",
                     "--no-backup", timeout=120)
        self.assertSucceeded(p)
        self.assertEqual(self.assertTablesEqual(self.src, name, self.tgt, name), 1200)
        st = proxy.stats()
        throttled = st["faults"].get("capacity", 0)
        writes = spent(st["capacity"], "write")
        self.assertGreater(throttled, 0, "the table never pushed back: the test proves nothing")
        # Backing off, not hammering: most requests get through.
        self.assertLess(throttled, len(writes), "%d throttled for %d written" % (throttled, len(writes)))
        rate = average_rate(writes)
        # The first burst and the climbs after each cut cost something; 233 units/s measured. The
        # bar is what the table allows or, on a machine too busy for that, what it did unlimited
        # a moment ago (a pace cut to a crawl, the bug this guards against, is far under both).
        allowed = min(300, ceiling)
        self.assertGreater(rate, allowed * 0.6, "settled far below what the table allows: %.1f units/s "
                           "(%.1f unlimited on this machine)" % (rate, ceiling))
        # The summary counts them (a throttle is retried, so at least as many retries).
        self.assertRegex(p.stderr, r"; \d+ retries, [1-9]\d* throttles;")
