#!/usr/bin/env python3
"""A fault-injecting HTTP/1.1 proxy for DynamoDB's JSON protocol (stdlib only).

It sits between dynamo and a backend (moto) and, by a seeded random draw per
request, breaks the data-plane calls the way a real network and a real
DynamoDB do:

  unprocessed     BatchWriteItem: forwards only part of the batch and returns
                  the rest as UnprocessedItems (with --unprocessed-all, none
                  of it); BatchGetItem: the same with UnprocessedKeys
  throttle        400 ProvisionedThroughputExceededException or
                  400 ThrottlingException, not forwarded
  error-before    500 InternalServerError or 503 ServiceUnavailable, not forwarded
  error-after     forwards (the write happens), then answers 500 or 503
  drop-request    reads part of the body, then closes the connection
  drop-response   forwards, sends the headers and part of the body, closes
  delay           forwards, then holds the answer --delay-seconds (past the
                  client's timeout) before sending it
  corrupt         forwards, then changes one letter of the body (keeping it
                  valid JSON) and keeps the original x-amz-crc32
  validation      400 ValidationException, not forwarded
  late            holds the request --late-seconds, then forwards it: it
                  reaches the backend after the client gave up on it (and,
                  usually, after its retry succeeded). With a negative
                  --late-seconds it is held until POST /_fault/config sets
                  late_seconds to 0 or more (e.g. after the client exited);
                  the stats count those that reached the backend
                  ("late_landed")

Hostile answers (--hostile KIND): instead of a fault drawn at random, every
request of --ops the kind applies to (after --hostile-skip N of them, at most
--hostile-limit N times) gets an answer that is wrong in one way, as a broken
or hostile server or proxy would send it:

  empty_object        200 {} (not forwarded)
  empty_body          200 with no body
  html                200 with an HTML page (a captive portal, a proxy's error page)
  unprocessed_keys_only  BatchGetItem: 200 {"UnprocessedKeys":{}}
  responses_empty     BatchGetItem: 200 {"Responses":{},"UnprocessedKeys":{}}
  no_count / no_items Scan, Query: forwarded, then Count (or Items) removed
  truncated           Scan, Query: forwarded, then cut in the middle (checksum
                      recomputed, so only the JSON shows it)
  lek_same            Scan, Query: forwarded; LastEvaluatedKey is the request's
                      ExclusiveStartKey (a first page that would be the last gets
                      the key of its first item, from --key-attrs), so the
                      same page comes back for ever
  lek_empty           Scan, Query: an ExclusiveStartKey {} is dropped before
                      forwarding and every answer says LastEvaluatedKey {}
  unprocessed_foreign BatchWriteItem: nothing is written; a full batch gets all
                      but its last request back unprocessed, a smaller one gets
                      all of its requests back plus a foreign put (built from
                      --key-attrs), so the count alternates 24, 25, 24, ...
  echo_secrets        400 InvalidSignatureException (SignatureDoesNotMatch in
                      XML for STS, whose requests count as the op "STS", and
                      for S3, with S3's <CanonicalRequest> and <StringToSign>
                      too) whose message holds the canonical request with the
                      session token and the Authorization header, as AWS's own
                      messages do
  lose_writes         BatchWriteItem: 200 {"UnprocessedItems":{}}, not forwarded:
                      a server that says it wrote what it lost (copy --verify finds it)
  ignore_range        GetObject: forwarded without its Range header, so the
                      whole object comes back (200), as a server that does
                      not do ranges answers

--deny OP[,OP...] answers those operations (any, not only --ops; STS calls
count as "STS") 400 AccessDeniedException without forwarding them, as an IAM
policy that does not allow them would. --trim OP[,OP...] answers them 400
TrimmedDataAccessException, as DynamoDB Streams does to a position older than
the stream's 24-hour retention.

Faults apply only to the operations in --ops (default BatchWriteItem, Scan,
Query, BatchGetItem, by X-Amz-Target; S3's GETs count as "ListObjectsV2"
(list-type=2) and "GetObject"); everything else (STS, DescribeTable,
CreateBackup, moto's own API) passes through untouched. Requests are
forwarded with their headers intact, Host included (SigV4 signs it).

The rates are probabilities per request (their sum at most 1); one draw picks
at most one fault. With --cover P, a request the draw left alone gets, with
probability P, a kind that has not fired yet, so that a short run sees every
kind with a rate at least once. --skip N lets the first N requests through.

What happened is counted: GET /_fault/stats returns {"requests": {op: n},
"forwarded": n, "faults": {kind: n}, "errors": {name: n}}, and --stats-file
gets the same JSON after every request; --log gets a line per request. POST
/_fault/config with a JSON object of flags ({"throttle": 0, "ops":
"Scan,Query", "reset": true}) changes them while the proxy runs, so a test
can heal or break the network between runs without changing the endpoint.

Holding a run at a known point, for kill tests: with --hold-after N, the
requests of --hold-ops (default BatchWriteItem) after the first N (counting
only those whose body contains --hold-match TEXT, when given) are held: not
forwarded, their client left waiting, until POST /_fault/config lifts the
hold ({"hold_after": -1}, or a larger N, which lets that many more through).
The stats say how many requests are held now ("held") and how many matched
so far ("hold_seen"), so a test can wait until a run stands still after
exactly N writes and then kill it.

Small pages: with --page-limit N, every Scan and Query asks for at most N
items (its Limit is lowered to N, or set), so answers come in pages of N
items, as DynamoDB's 1 MB pages do for larger items: a test gets many pages
out of a small table. (Like the unprocessed fault, this rewrites a signed
body: for backends that do not check signatures, as moto and dynalite.)

Capacity, as a provisioned table counts it (moto's own ConsumedCapacity is
one unit per call, whatever the size): with --capacity the proxy charges each
forwarded write ceil(item size / 1 KB) units per put (1 per delete) and each
read ceil(bytes / 4 KB) units (half when eventually consistent), by
DynamoDB's item size rules, answers those figures as ConsumedCapacity, and
logs [seconds since start, "read"|"write", units] per request in the stats
("capacity"). --table-wcu N / --table-rcu N (they imply --capacity) give the
table that much provisioned capacity per second, one second of burst: a
request that arrives while its bucket is empty is answered 400
ProvisionedThroughputExceededException and not forwarded.

Partitions, as DynamoDB splits a table: with --partitions N an item's partition
is md5(partition key value)[0] mod N (moto's own Scan segment of it, so with
--segments N each segment is one partition, as on DynamoDB), and
--partition-wcu gives partitions a write bucket (W units per second, one
second of burst, for all; or K=W,... for some, the others unlimited). Items
over their partition's capacity are left unprocessed, and a batch none of
whose items could be written is answered 400 ProvisionedThroughputExceeded,
as DynamoDB does. Each write that reaches the backend is logged as [seconds
since start, partition] in the stats ("writes").

Run by hand, in front of a moto on port 5000:
  python3 tests/fakes/fault_proxy.py --backend http://127.0.0.1:5000 \
      --port 8000 --seed 7 --unprocessed 0.2 --throttle 0.05 --corrupt 0.05
  AWS_ENDPOINT_URL=http://127.0.0.1:8000 dynamo copy ... --timeout 5s
  curl -s http://127.0.0.1:8000/_fault/stats

usage: fault_proxy.py --backend http://127.0.0.1:5000 [--port 0] [--seed 7]
                      [--unprocessed 0.2] [--throttle 0.05] ...
Prints "listening on 127.0.0.1:PORT" on stdout once it accepts connections.
"""
import argparse
import base64
import copy
import hashlib
import http.client
import json
import math
import os
import random
import socket
import sys
import threading
import time
import urllib.parse
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DATA_OPS = ("BatchWriteItem", "Scan", "Query", "BatchGetItem")
S3_OPS = ("GetObject", "ListObjectsV2")

# Fault kinds in the order one draw picks them.
KINDS = ("validation", "throttle", "error_before", "error_after", "drop_request", "drop_response",
         "delay", "corrupt", "unprocessed", "late")

# Hostile answers and the operations each applies to (None: any of --ops).
HOSTILE = {
    "empty_object": None, "empty_body": None, "html": None, "echo_secrets": None,
    "unprocessed_keys_only": ("BatchGetItem",), "responses_empty": ("BatchGetItem",),
    "no_count": ("Scan", "Query"), "no_items": ("Scan", "Query"), "truncated": ("Scan", "Query"),
    "lek_same": ("Scan", "Query"), "lek_empty": ("Scan", "Query"),
    "unprocessed_foreign": ("BatchWriteItem",), "ignore_range": ("GetObject",),
    "lose_writes": ("BatchWriteItem",),
}

ERRORS = {
    "ProvisionedThroughputExceededException": (
        400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded. "
        "Consider increasing your provisioning level with the UpdateTable API."),
    "ThrottlingException": (
        400, "com.amazon.coral.availability#ThrottlingException",
        "Rate of requests exceeds the allowed throughput."),
    "InternalServerError": (
        500, "com.amazonaws.dynamodb.v20120810#InternalServerError", "Internal server error"),
    "ServiceUnavailableException": (
        503, "com.amazon.coral.availability#ServiceUnavailableException", "Service Unavailable"),
    "ValidationException": (
        400, "com.amazon.coral.validate#ValidationException",
        "One or more parameter values were invalid: injected by fault_proxy"),
    "AccessDeniedException": (
        400, "com.amazon.coral.service#AccessDeniedException",
        "User: arn:aws:sts::123456789012:assumed-role/dynamo-e2e/fault-proxy is not authorized to perform "
        "this action (denied by fault_proxy --deny)"),
    "TrimmedDataAccessException": (
        400, "com.amazonaws.dynamodb.v20120810#TrimmedDataAccessException",
        "The operation attempted to read past the oldest stream record in a shard (fault_proxy --trim)"),
}

# Headers that belong to one hop, or that the proxy recomputes.
HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "proxy-connection", "te",
       "trailer", "upgrade"}


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description="fault-injecting proxy for DynamoDB's JSON protocol")
    ap.add_argument("--backend", required=True, help="where to forward, e.g. http://127.0.0.1:5000")
    ap.add_argument("--port", type=int, default=0, help="port to listen on (0: a free one)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--ops", default=",".join(DATA_OPS),
                    help="comma-separated operations faults apply to (default %(default)s)")
    for kind in KINDS:
        ap.add_argument("--" + kind.replace("_", "-"), type=float, default=0.0, metavar="RATE",
                        help="probability of a %s fault per request" % kind)
    ap.add_argument("--unprocessed-all", action="store_true",
                    help="an unprocessed fault returns every item, forwarding none")
    ap.add_argument("--unprocessed-keep", type=int, default=0, metavar="N",
                    help="an unprocessed fault forwards exactly N items of a larger batch (0: a random part)")
    ap.add_argument("--partitions", type=int, default=0, metavar="N",
                    help="split writes into N partitions by md5(partition key)[0] mod N (see above)")
    ap.add_argument("--partition-wcu", default="", metavar="W|K=W,...",
                    help="write units per second of every partition (W) or of some (K=W,...)")
    ap.add_argument("--partition-key", default="PK", metavar="NAME",
                    help="the partition key attribute (default %(default)s)")
    ap.add_argument("--skip", type=int, default=0, metavar="N",
                    help="the first N requests of --ops pass untouched (faults start after them)")
    ap.add_argument("--delay-seconds", type=float, default=3.0)
    ap.add_argument("--late-seconds", type=float, default=10.0,
                    help="how long a late request is held (negative: until the config sets it to 0 or more)")
    ap.add_argument("--cover", type=float, default=0.0, metavar="P",
                    help="with probability P, a request no fault was drawn for gets a kind (with a rate) "
                         "that has not fired yet, so that a short run still sees every kind")
    ap.add_argument("--capacity", action="store_true",
                    help="count capacity units as DynamoDB does and answer them as ConsumedCapacity")
    ap.add_argument("--table-wcu", type=float, default=0.0, metavar="N",
                    help="provisioned write units per second; over them writes are throttled")
    ap.add_argument("--table-rcu", type=float, default=0.0, metavar="N",
                    help="provisioned read units per second; over them reads are throttled")
    ap.add_argument("--hold-after", type=int, default=-1, metavar="N",
                    help="hold the requests of --hold-ops after the first N until the hold is lifted (-1: off)")
    ap.add_argument("--hold-ops", default="BatchWriteItem",
                    help="comma-separated operations --hold-after counts and holds (default %(default)s)")
    ap.add_argument("--hold-match", default="", metavar="TEXT",
                    help="--hold-after counts and holds only requests whose body contains TEXT")
    ap.add_argument("--page-limit", type=int, default=0, metavar="N",
                    help="Scan and Query ask for at most N items a page (0: as the client asked)")
    ap.add_argument("--hostile", choices=sorted(HOSTILE), help="answer every request it applies to this wrong way")
    ap.add_argument("--hostile-skip", type=int, default=0, metavar="N",
                    help="let the first N requests the hostile kind applies to through")
    ap.add_argument("--hostile-limit", type=int, default=0, metavar="N",
                    help="answer at most N requests the hostile way (0: all)")
    ap.add_argument("--key-attrs", default="PK,SK", help="the table's key attributes, for lek_same and "
                                                        "unprocessed_foreign (default %(default)s)")
    ap.add_argument("--deny", default="", help="comma-separated operations refused with AccessDeniedException")
    ap.add_argument("--trim", default="", help="comma-separated operations refused with TrimmedDataAccessException")
    ap.add_argument("--stats-file", help="rewritten with the stats JSON after every request")
    ap.add_argument("--log", help="append one JSON line per request (op, fault, body digest, status)")
    o = ap.parse_args(argv)
    o.ops = {x.strip() for x in o.ops.split(",") if x.strip()}
    o.hold_ops = {x.strip() for x in o.hold_ops.split(",") if x.strip()}
    o.deny = {x.strip() for x in o.deny.split(",") if x.strip()}
    o.trim = {x.strip() for x in o.trim.split(",") if x.strip()}
    o.capacity = o.capacity or o.table_wcu > 0 or o.table_rcu > 0
    o.rates = [(k, getattr(o, k)) for k in KINDS]
    try:
        o.partition_wcu = parse_partition_wcu(o.partition_wcu, o.partitions)
    except ValueError as e:
        ap.error(str(e))
    total = sum(r for _, r in o.rates)
    if any(r < 0 or r > 1 for _, r in o.rates) or total > 1.000001:
        ap.error("rates must be in [0, 1] and add up to at most 1 (they add up to %g)" % total)
    return o


def parse_partition_wcu(spec, partitions):
    """{partition: units/s} from "W" (every partition) or "K=W,..." (those)."""
    if not spec:
        return {}
    if "=" not in spec:
        return {k: float(spec) for k in range(partitions)}
    out = {}
    for part in spec.split(","):
        k, w = part.split("=", 1)
        if not 0 <= int(k) < partitions:
            raise ValueError("--partition-wcu: partition %s is not below --partitions %d" % (k, partitions))
        out[int(k)] = float(w)
    return out


def partition_of(key_value, partitions):
    """The partition of a partition key value ({"S": "..."}): moto's Scan segment of it."""
    (_, v), = key_value.items()
    return hashlib.md5(str(v).encode("utf8")).digest()[0] % partitions


def value_size(v):
    """Bytes an attribute value counts for, by DynamoDB's item size rules."""
    (t, x), = v.items()
    if t == "S":
        return len(x.encode())
    if t == "N":
        digits = x.lstrip("-").replace(".", "").split("e")[0].split("E")[0].strip("0")
        return (len(digits) + 1) // 2 + 1
    if t == "B":
        return len(base64.b64decode(x))
    if t in ("BOOL", "NULL"):
        return 1
    if t in ("SS", "NS", "BS"):
        return sum(value_size({t[0]: e}) for e in x)
    if t == "L":
        return 3 + sum(1 + value_size(e) for e in x)
    if t == "M":
        return 3 + sum(1 + len(k.encode()) + value_size(e) for k, e in x.items())
    raise ValueError("unknown attribute type %r" % t)


def item_size(item):
    return sum(len(k.encode()) + value_size(v) for k, v in item.items())


def write_units(body):
    """{table: units} for a BatchWriteItem request body."""
    out = {}
    for table, reqs in (json.loads(body).get("RequestItems") or {}).items():
        for r in reqs:
            units = math.ceil(item_size(r["PutRequest"]["Item"]) / 1024) if "PutRequest" in r else 1
            out[table] = out.get(table, 0) + max(1, units)
    return out


def read_units(op, req_body, resp_body):
    """{table: units} for a Scan, Query or BatchGetItem answer."""
    req, resp = json.loads(req_body), json.loads(resp_body)
    if op == "BatchGetItem":
        out = {}
        for table, items in (resp.get("Responses") or {}).items():
            half = not (req["RequestItems"].get(table) or {}).get("ConsistentRead")
            units = sum(math.ceil(item_size(i) / 4096) or 1 for i in items)
            out[table] = units / 2 if half else units
        return out
    size = sum(item_size(i) for i in resp.get("Items") or [])
    units = max(1, math.ceil(size / 4096))
    return {req.get("TableName", ""): units if req.get("ConsistentRead") else units / 2}


def with_consumed(resp_body, units, op):
    """The answer with ConsumedCapacity set to units (a list for the batch calls, as DynamoDB does)."""
    resp = json.loads(resp_body)
    cc = [{"TableName": t, "CapacityUnits": u} for t, u in units.items()]
    resp["ConsumedCapacity"] = cc if op.startswith("Batch") else (cc[0] if cc else {})
    return json.dumps(resp).encode()


class Bucket:
    """Provisioned capacity: refills at rate per second, holds one second of it."""

    def __init__(self, rate):
        self.rate, self.tokens, self.last = rate, rate, time.monotonic()

    def refill(self):
        now = time.monotonic()
        self.tokens = min(self.rate, self.tokens + (now - self.last) * self.rate)
        self.last = now


class State:
    """The seeded RNG and the counters, shared by the handler threads."""

    def __init__(self, opts):
        self.opts = opts
        self.rng = random.Random(opts.seed)
        self.lock = threading.Lock()
        self.requests = {}
        self.faults = {}
        self.errors = {}        # the error each error fault answered with
        self.forwarded = 0
        self.eligible = 0       # requests of --ops seen
        # --cover: kinds with a rate, in a seeded order; those handed out and not yet counted.
        self.cover_order = [k for k, r in opts.rates if r > 0]
        self.rng.shuffle(self.cover_order)
        self.covering = set()
        self.started = time.monotonic()
        self.capacity_log = []  # [seconds since start, "read"|"write", units]
        self.partition_buckets = {k: Bucket(w) for k, w in opts.partition_wcu.items()}
        self.writes_log = []    # [seconds since start, partition] per item written
        self.buckets = {"write": Bucket(opts.table_wcu) if opts.table_wcu > 0 else None,
                        "read": Bucket(opts.table_rcu) if opts.table_rcu > 0 else None}
        # --hold-after: requests that matched so far, those waiting now, and their wake-up call.
        self.hold_seen = 0
        self.held = 0
        self.unheld = threading.Condition(self.lock)
        self.late_landed = 0    # late requests forwarded so far
        self.hostile_seen = 0   # requests the hostile kind applied to
        self.hostile_done = 0   # of those, answered the hostile way

    def wait_late(self):
        """Holds a late request --late-seconds, or while that is negative."""
        with self.lock:
            while self.opts.late_seconds < 0:
                self.unheld.wait()
            seconds = self.opts.late_seconds
        time.sleep(seconds)

    def landed_late(self):
        with self.lock:
            self.late_landed += 1

    def hold(self, op, body):
        """Blocks while this request is past --hold-after; returns whether it waited."""
        o = self.opts
        if op not in o.hold_ops or (o.hold_match and o.hold_match.encode() not in body):
            return False
        with self.lock:
            self.hold_seen += 1
            n = self.hold_seen
            if not 0 <= self.opts.hold_after < n:
                return False
            self.held += 1
            try:
                while 0 <= self.opts.hold_after < n:
                    self.unheld.wait()
            finally:
                self.held -= 1
            return True

    def hostile(self, op):
        """The hostile kind for this request, or None."""
        with self.lock:
            kind = self.opts.hostile
            if not kind:
                return None
            ops = HOSTILE[kind]
            if op not in self.opts.ops or (ops is not None and op not in ops):
                return None
            self.hostile_seen += 1
            if self.hostile_seen <= self.opts.hostile_skip:
                return None
            if self.opts.hostile_limit and self.hostile_done >= self.opts.hostile_limit:
                return None
            self.hostile_done += 1
            self.requests[op] = self.requests.get(op, 0) + 1
            return kind

    def admit(self, side, units):
        """False when side's provisioned capacity is used up. A request is let in while the bucket
        is not empty and may take it below zero, as DynamoDB's burst allows (a batch may cost more
        than a second of a small table's capacity); a write's cost (units) is taken here, a read's
        is known only from its answer."""
        with self.lock:
            b = self.buckets[side]
            if b is None:
                return True
            b.refill()
            if b.tokens <= 0:
                return False
            if units is not None:
                b.tokens -= units
            return True

    def partition_split(self, body):
        """(body to forward or None, {table: [requests]} over their partition's capacity, [partition
        of each forwarded item]) for a BatchWriteItem request."""
        req = json.loads(body)
        keep, over, parts = {}, {}, []
        with self.lock:
            for table, reqs in (req.get("RequestItems") or {}).items():
                for r in reqs:
                    item = (r.get("PutRequest") or {}).get("Item") or (r.get("DeleteRequest") or {}).get("Key")
                    p = partition_of(item[self.opts.partition_key], self.opts.partitions)
                    b = self.partition_buckets.get(p)
                    if b is not None:
                        b.refill()
                        if b.tokens <= 0:
                            over.setdefault(table, []).append(r)
                            continue
                        b.tokens -= max(1, math.ceil(item_size(item) / 1024)) if "PutRequest" in r else 1
                    keep.setdefault(table, []).append(r)
                    parts.append(p)
        if not over:
            return body, {}, parts
        if not keep:
            return None, over, []
        req["RequestItems"] = keep
        return json.dumps(req).encode(), over, parts

    def log_writes(self, parts, at):
        with self.lock:
            self.writes_log.extend([round(at - self.started, 4), p] for p in parts)

    def charge(self, side, units, at, prepaid=False):
        """Logs units consumed by a request that reached the backend at `at` (monotonic)."""
        with self.lock:
            b = self.buckets[side]
            if b is not None and not prepaid:
                b.refill()
                b.tokens -= units
            self.capacity_log.append([round(at - self.started, 4), side, units])

    def choose(self, op):
        """Returns (fault kind or None, a private RNG for the fault's details)."""
        with self.lock:
            self.requests[op] = self.requests.get(op, 0) + 1
            u = self.rng.random()
            cover = self.rng.random()
            detail = random.Random(self.rng.getrandbits(64))
            if op not in self.opts.ops:
                return None, detail
            self.eligible += 1
            if self.eligible <= self.opts.skip:
                return None, detail
            acc = 0.0
            for kind, rate in self.opts.rates:
                acc += rate
                if u < acc:
                    return (kind if applies(kind, op) else None), detail
            if cover < self.opts.cover:
                # --cover: a request the draw left alone carries a kind that has not fired yet.
                for kind in self.cover_order:
                    if applies(kind, op) and not self.faults.get(kind) and kind not in self.covering:
                        self.covering.add(kind)
                        return kind, detail
            return None, detail

    def count(self, kind):
        with self.lock:
            self.faults[kind] = self.faults.get(kind, 0) + 1
            self.covering.discard(kind)

    def count_error(self, name):
        with self.lock:
            self.errors[name] = self.errors.get(name, 0) + 1

    def configure(self, changes):
        """Changes flags while running (the same names as on the command line; "reset": true zeroes
        the counters); returns them all. Nothing changes when one is wrong."""
        with self.lock:
            o = copy.copy(self.opts)
            reset = False
            for name, value in changes.items():
                attr = name.replace("-", "_")
                if attr == "ops":
                    o.ops = set(value.split(",") if isinstance(value, str) else value)
                elif attr in KINDS or attr in ("delay_seconds", "late_seconds", "cover"):
                    setattr(o, attr, float(value))
                elif attr == "skip":
                    o.skip = int(value)
                elif attr == "unprocessed_all":
                    o.unprocessed_all = bool(value)
                elif attr == "page_limit":
                    o.page_limit = int(value)
                elif attr == "hold_after":
                    o.hold_after = int(value)
                elif attr == "hold_ops":
                    o.hold_ops = set(value.split(",") if isinstance(value, str) else value)
                elif attr == "hold_match":
                    o.hold_match = str(value)
                elif attr == "hostile":
                    if value and value not in HOSTILE:
                        raise ValueError("unknown hostile kind %r" % value)
                    o.hostile = value or None
                elif attr in ("hostile_skip", "hostile_limit"):
                    setattr(o, attr, int(value))
                elif attr == "key_attrs":
                    o.key_attrs = value
                elif attr in ("deny", "trim"):
                    setattr(o, attr, set(value.split(",") if isinstance(value, str) else value) - {""})
                elif attr == "reset":
                    reset = bool(value)
                else:
                    raise ValueError("unknown flag %r" % name)
            rates = [(k, getattr(o, k)) for k in KINDS]
            if any(r < 0 or r > 1 for _, r in rates) or sum(r for _, r in rates) > 1.000001:
                raise ValueError("rates must be in [0, 1] and add up to at most 1")
            o.rates = rates
            self.opts = o
            if "skip" in changes:
                self.eligible = 0
            if "hostile" in changes or "hostile_skip" in changes or "hostile_limit" in changes:
                self.hostile_seen = self.hostile_done = 0
            if reset:
                self.requests, self.faults, self.errors, self.forwarded = {}, {}, {}, 0
                self.capacity_log, self.writes_log, self.started = [], [], time.monotonic()
                self.hold_seen = 0
                self.late_landed = 0
            self.unheld.notify_all()
            self.cover_order = [k for k, r in rates if r > 0]
            self.rng.shuffle(self.cover_order)
            self.covering = set()
            return {"ops": sorted(o.ops), "rates": dict(rates), "skip": o.skip, "cover": o.cover,
                    "unprocessed_all": o.unprocessed_all, "delay_seconds": o.delay_seconds,
                    "hold_after": o.hold_after, "hold_ops": sorted(o.hold_ops), "hold_match": o.hold_match,
                    "page_limit": o.page_limit,
                    "hostile": o.hostile, "hostile_skip": o.hostile_skip, "hostile_limit": o.hostile_limit}

    def release(self, kind):
        with self.lock:
            self.covering.discard(kind)

    def count_forward(self):
        with self.lock:
            self.forwarded += 1

    def snapshot(self):
        with self.lock:
            return {"requests": dict(self.requests), "forwarded": self.forwarded, "faults": dict(self.faults),
                    "errors": dict(self.errors), "seed": self.opts.seed,
                    "capacity": list(self.capacity_log), "writes": list(self.writes_log),
                    "held": self.held, "hold_seen": self.hold_seen, "late_landed": self.late_landed}

    def save(self):
        if not self.opts.stats_file:
            return
        tmp = self.opts.stats_file + ".tmp.%d" % threading.get_ident()
        with open(tmp, "w") as f:
            json.dump(self.snapshot(), f)
        os.replace(tmp, self.opts.stats_file)

    def log(self, rec):
        if not self.opts.log:
            return
        with self.lock, open(self.opts.log, "a") as f:
            f.write(json.dumps(rec) + "\n")


def limit_page(body, n):
    """A Scan or Query body asking for at most n items."""
    req = json.loads(body)
    if not 0 < req.get("Limit", n + 1) <= n:
        req["Limit"] = n
    return json.dumps(req).encode()


def applies(kind, op):
    return kind != "unprocessed" or op in ("BatchWriteItem", "BatchGetItem")


def error_body(name):
    status, typ, message = ERRORS[name]
    return status, json.dumps({"__type": typ, "message": message}).encode()


def crc(body):
    return str(zlib.crc32(body) & 0xffffffff)


def corrupt(body, rng):
    """One ASCII letter inside a JSON string changes case: still valid JSON, different content."""
    spots, in_str, esc = [], False, False
    for i, ch in enumerate(body):
        if in_str:
            if esc:
                esc = False
            elif ch == 0x5c:  # backslash
                esc = True
            elif ch == 0x22:
                in_str = False
            elif 0x41 <= ch <= 0x5a or 0x61 <= ch <= 0x7a:
                # Not after a backslash (\n, \u00e9 stay escapes).
                spots.append(i)
        elif ch == 0x22:
            in_str = True
    out = bytearray(body)
    if spots:
        i = rng.choice(spots)
        out[i] ^= 0x20
    elif out:
        out[-1] ^= 0x01
    else:
        out = bytearray(b"x")
    return bytes(out)


def split_batch_write(body, rng, everything, keep=0):
    """(body to forward or None, held back {table: [requests]}) for a BatchWriteItem request."""
    req = json.loads(body)
    items = req.get("RequestItems") or {}
    flat = [(t, r) for t, rs in items.items() for r in rs]
    if not flat or (keep and len(flat) <= keep):
        return body, {}
    k = len(flat) if everything else len(flat) - keep if keep else rng.randint(1, len(flat))
    held = set(rng.sample(range(len(flat)), k))
    keep, back = {}, {}
    for i, (t, r) in enumerate(flat):
        (back if i in held else keep).setdefault(t, []).append(r)
    if not keep:
        return None, back
    req["RequestItems"] = keep
    return json.dumps(req).encode(), back


def split_batch_get(body, rng, everything):
    """The same for BatchGetItem: (body to forward or None, held back {table: {Keys: [...], ...}})."""
    req = json.loads(body)
    items = req.get("RequestItems") or {}
    flat = [(t, k) for t, spec in items.items() for k in spec.get("Keys", [])]
    if not flat:
        return body, {}
    n = len(flat) if everything else rng.randint(1, len(flat))
    held = set(rng.sample(range(len(flat)), n))
    keep, back = {}, {}
    for i, (t, key) in enumerate(flat):
        dst = back if i in held else keep
        if t not in dst:
            dst[t] = {k: v for k, v in items[t].items() if k != "Keys"}
            dst[t]["Keys"] = []
        dst[t]["Keys"].append(key)
    if not keep:
        return None, back
    req["RequestItems"] = keep
    return json.dumps(req).encode(), back


def merge_unprocessed(resp_body, field, back, get):
    resp = json.loads(resp_body) if resp_body else {}
    if get:
        # As DynamoDB answers when it processed none of the keys: Responses is always there.
        resp.setdefault("Responses", {})
    un = resp.get(field) or {}
    for t, v in back.items():
        if get:
            un.setdefault(t, {k: x for k, x in v.items() if k != "Keys"}).setdefault("Keys", []).extend(v["Keys"])
        else:
            un.setdefault(t, []).extend(v)
    resp[field] = un
    return json.dumps(resp).encode()


class Backend:
    """One kept-alive connection to the backend per handler thread."""

    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        self.host, self.port = u.hostname, u.port or 80
        self.local = threading.local()

    def _conn(self, fresh=False):
        c = getattr(self.local, "conn", None)
        if c is None or fresh:
            if c is not None:
                c.close()
            c = http.client.HTTPConnection(self.host, self.port, timeout=120)
            self.local.conn = c
        return c

    def forward(self, method, path, headers, body):
        """Sends the request as received; returns (status, [(name, value)], body)."""
        for attempt in (0, 1):
            c = self._conn(fresh=attempt == 1)
            try:
                c.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
                for name, value in headers:
                    if name.lower() not in HOP:
                        c.putheader(name, value)
                c.putheader("Content-Length", str(len(body)))
                c.endheaders(body)
                r = c.getresponse()
                data = r.read()
                if r.will_close:
                    c.close()
                    self.local.conn = None
                return r.status, r.getheaders(), data
            except (http.client.RemoteDisconnected, ConnectionError, BrokenPipeError):
                # The backend closed an idle kept-alive connection: once more on a new one.
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    state = None
    backend = None

    def log_message(self, fmt, *args):
        pass

    def _handle(self):
        if self.path.startswith("/_fault/"):
            self._control()
            return
        target = self.headers.get("X-Amz-Target") or ""
        op = target.rsplit(".", 1)[-1] if target else ""
        length = int(self.headers.get("Content-Length") or 0)
        if not op and self.command == "POST" and "x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
            op = "STS"
        if not op and self.command == "GET" and not self.path.startswith("/moto-api"):
            op = "ListObjectsV2" if "list-type=2" in self.path else "GetObject"
        refusal = ("deny", "AccessDeniedException") if op and op in self.state.opts.deny else \
            ("trim", "TrimmedDataAccessException") if op and op in self.state.opts.trim else None
        if refusal:
            self.rfile.read(length)
            self.state.log({"op": op, "fault": refusal[0], "status": 400})
            self._send_error(refusal[1])
            return
        hostile = self.state.hostile(op) if op else None
        kind, rng = self.state.choose(op) if op and not hostile else (None, None)
        rec = {"op": op or self.path, "fault": kind}
        if op in S3_OPS:
            # Which addressing the client used: the bucket in Host, or first in the path.
            rec["host"], rec["path"] = self.headers.get("Host"), self.path
        if hostile:
            body = self.rfile.read(length) if length else b""
            rec["body"] = hashlib.sha1(body).hexdigest()[:16]
            try:
                self._hostile(hostile, op, body, rec)
            except (BrokenPipeError, ConnectionResetError, socket.timeout):
                self.close_connection = True
            finally:
                self.state.log(rec)
                self.state.save()
            return
        try:
            if kind == "drop_request":
                # Part of the body, then the connection goes away.
                self.rfile.read(length // 2)
                self._fault(kind, rec)
                self._drop()
                return
            body = self.rfile.read(length) if length else b""
            # Which request this is, across retries: the same body is the same request.
            rec["body"] = hashlib.sha1(body).hexdigest()[:16]
            if self.state.hold(op, body):
                rec["hold"] = True
            if op in ("Scan", "Query") and self.state.opts.page_limit > 0:
                body = limit_page(body, self.state.opts.page_limit)
            if kind in ("validation", "throttle", "error_before"):
                self._fault(kind, rec)
                name = {"validation": "ValidationException",
                        "throttle": rng.choice(["ProvisionedThroughputExceededException", "ThrottlingException"]),
                        "error_before": rng.choice(["InternalServerError", "ServiceUnavailableException"])}[kind]
                rec["error"] = name
                self._send_error(name)
                return
            held, field, get = {}, None, op == "BatchGetItem"
            if kind == "unprocessed":
                if get:
                    fwd, held = split_batch_get(body, rng, self.state.opts.unprocessed_all)
                else:
                    fwd, held = split_batch_write(body, rng, self.state.opts.unprocessed_all,
                                                  self.state.opts.unprocessed_keep)
                field = "UnprocessedKeys" if get else "UnprocessedItems"
                rec["held"] = sum(len(v["Keys"]) if get else len(v) for v in held.values())
                if not held:
                    kind = None     # nothing to hold back (a batch no larger than --unprocessed-keep)
                if fwd is None:
                    self._fault(kind, rec)
                    out = merge_unprocessed(b"", field, held, get)
                    self._send(200, self._synth_headers(out), out)
                    return
                body = fwd
            parts = None
            if op == "BatchWriteItem" and self.state.opts.partitions:
                fwd, over, parts = self.state.partition_split(body)
                if over:
                    self._fault("partition", rec)
                    rec["over"] = sum(len(v) for v in over.values())
                    field = "UnprocessedItems"
                    for t, v in over.items():
                        held.setdefault(t, []).extend(v)
                if fwd is None and kind != "unprocessed":
                    # Nothing could be written: DynamoDB throttles the whole request.
                    rec["error"] = "ProvisionedThroughputExceededException"
                    self._send_error("ProvisionedThroughputExceededException")
                    return
                if fwd is None:
                    out = merge_unprocessed(b"", field, held, get)
                    self._send(200, self._synth_headers(out), out)
                    return
                body = fwd
            if kind == "late":
                self._fault(kind, rec)
                self.state.wait_late()
            wunits, at = None, time.monotonic()
            if self.state.opts.capacity and op in DATA_OPS:
                side = "write" if op == "BatchWriteItem" else "read"
                wunits = write_units(body) if side == "write" else None
                if not self.state.admit(side, sum(wunits.values()) if wunits else None):
                    self._fault("capacity", rec)
                    rec["error"] = "ProvisionedThroughputExceededException"
                    self._send_error("ProvisionedThroughputExceededException")
                    return
            status, headers, data = self.backend.forward(self.command, self.path, self.headers.items(), body)
            self.state.count_forward()
            if kind == "late":
                self.state.landed_late()
            rec["status"] = status
            if parts and status == 200:
                self.state.log_writes(parts, at)
            if self.state.opts.capacity and op in DATA_OPS and status == 200:
                units = wunits if wunits is not None else read_units(op, body, data)
                self.state.charge("write" if wunits is not None else "read", sum(units.values()), at,
                                  prepaid=wunits is not None)
                if b"ReturnConsumedCapacity" in body:
                    data = with_consumed(data, units, op)
                    headers = self._with_crc(headers, data)
            if held and status == 200:
                if kind == "unprocessed":
                    self._fault(kind, rec)
                data = merge_unprocessed(data, field, held, get)
                headers = self._with_crc(headers, data)
            elif kind == "unprocessed":
                # The backend refused the subset: pass its answer on, held items included in nothing.
                kind = None
            if kind == "error_after":
                self._fault(kind, rec)
                name = rng.choice(["InternalServerError", "ServiceUnavailableException"])
                rec["error"] = name
                self._send_error(name)
                return
            if kind == "drop_response":
                self._fault(kind, rec)
                self._send_partial(status, headers, data, rng)
                return
            if kind == "delay":
                self._fault(kind, rec)
                time.sleep(self.state.opts.delay_seconds)
            if kind == "corrupt":
                self._fault(kind, rec)
                if not any(n.lower() == "x-amz-crc32" for n, _ in headers):
                    headers = self._with_crc(headers, data)
                data = corrupt(data, rng)
            self._send(status, headers, data)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True
        finally:
            self.state.release(kind)
            self.state.log(rec)
            self.state.save()

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

    def _hostile(self, kind, op, body, rec):
        """Answers the request the hostile way (forwarding it first for the kinds that rewrite an answer)."""
        self._fault(kind, rec)
        fixed = {"empty_object": b"{}", "empty_body": b"",
                 "unprocessed_keys_only": b'{"UnprocessedKeys":{}}',
                 "responses_empty": b'{"Responses":{},"UnprocessedKeys":{}}',
                 "lose_writes": b'{"UnprocessedItems":{}}'}
        if kind in fixed:
            return self._send(200, self._synth_headers(fixed[kind]), fixed[kind])
        if kind == "html":
            page = b"<html><head><title>Sign in</title></head><body><h1>Welcome to the network</h1></body></html>\n"
            return self._send(200, [("Content-Type", "text/html")], page)
        if kind == "echo_secrets":
            return self._echo_secrets(op, body)
        if kind == "ignore_range":
            headers = [(n, v) for n, v in self.headers.items() if n.lower() != "range"]
            status, headers, data = self.backend.forward(self.command, self.path, headers, body)
            self.state.count_forward()
            rec["status"] = status
            return self._send(status, headers, data)
        keys = [a for a in self.state.opts.key_attrs.split(",") if a]
        if kind == "unprocessed_foreign":
            req = json.loads(body)
            table, reqs = next(iter(req["RequestItems"].items()))
            if len(reqs) >= 25:
                back = reqs[:-1]
            else:
                foreign = {a: {"S": "FOREIGN#injected"} for a in keys}
                foreign["injected"] = {"S": "by fault_proxy"}
                back = reqs + [{"PutRequest": {"Item": foreign}}]
            rec["held"] = len(back)
            out = json.dumps({"UnprocessedItems": {table: back}}).encode()
            return self._send(200, self._synth_headers(out), out)
        req = json.loads(body) if body else {}
        if kind == "lek_empty" and req.get("ExclusiveStartKey") == {}:
            del req["ExclusiveStartKey"]
            body = json.dumps(req).encode()
        status, headers, data = self.backend.forward(self.command, self.path, self.headers.items(), body)
        self.state.count_forward()
        rec["status"] = status
        if status == 200:
            if kind == "truncated":
                data = data[:max(1, len(data) // 2)]
            else:
                resp = json.loads(data)
                if kind == "no_count":
                    resp.pop("Count", None)
                elif kind == "no_items":
                    resp.pop("Items", None)
                elif kind == "lek_empty":
                    resp["LastEvaluatedKey"] = {}
                elif kind == "lek_same":
                    if req.get("ExclusiveStartKey"):
                        resp["LastEvaluatedKey"] = req["ExclusiveStartKey"]
                    elif not resp.get("LastEvaluatedKey") and resp.get("Items"):
                        first = resp["Items"][0]
                        resp["LastEvaluatedKey"] = {a: first[a] for a in keys if a in first}
                data = json.dumps(resp).encode()
            headers = self._with_crc(headers, data)
        self._send(status, headers, data)

    def _echo_secrets(self, op, body):
        """A signature error that quotes the request back, secrets included, as AWS's messages do."""
        token = self.headers.get("X-Amz-Security-Token") or ""
        auth = self.headers.get("Authorization") or ""
        canonical = ("POST\n/\n\ncontent-type:%s\nhost:%s\nx-amz-date:%s\nx-amz-security-token:%s\n"
                     "x-amz-target:%s\n\ncontent-type;host;x-amz-date;x-amz-security-token;x-amz-target\n%s" %
                     (self.headers.get("Content-Type"), self.headers.get("Host"), self.headers.get("X-Amz-Date"),
                      token, self.headers.get("X-Amz-Target") or "", hashlib.sha256(body).hexdigest()))
        message = ("The request signature we calculated does not match the signature you provided. Check your AWS "
                   "Secret Access Key and signing method. Consult the service documentation for details.\n\n"
                   "The Canonical String for this request should have been\n'%s'\n\nThe String-to-Sign should "
                   "have been\n'AWS4-HMAC-SHA256\n%s'\n(you sent Authorization: %s; X-Amz-Security-Token=%s)" %
                   (canonical, self.headers.get("X-Amz-Date"), auth, token))
        esc = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if op in S3_OPS:
            cesc = canonical.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
            out = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SignatureDoesNotMatch</Code>"
                   "<Message>%s</Message><AWSAccessKeyId>%s</AWSAccessKeyId><StringToSign>AWS4-HMAC-SHA256\n%s"
                   "</StringToSign><SignatureProvided>%s</SignatureProvided><CanonicalRequest>%s</CanonicalRequest>"
                   "<RequestId>fault-proxy</RequestId></Error>" %
                   (esc, auth.split("Credential=")[-1].split("/")[0], self.headers.get("X-Amz-Date"),
                    auth.split("Signature=")[-1], cesc)).encode()
            return self._send(403, [("Content-Type", "application/xml")], out)
        if op == "STS":
            out = ("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type>"
                   "<Code>SignatureDoesNotMatch</Code><Message>%s</Message></Error>"
                   "<RequestId>fault-proxy</RequestId></ErrorResponse>" % esc).encode()
            return self._send(403, [("Content-Type", "text/xml")], out)
        out = json.dumps({"__type": "com.amazon.coral.service#InvalidSignatureException", "message": message}).encode()
        self._send(400, self._synth_headers(out), out)

    def _control(self):
        """GET /_fault/stats; POST /_fault/config with {"throttle": 0.1, "ops": "Scan", ...} changes the flags."""
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        try:
            if self.path.startswith("/_fault/config") and self.command == "POST":
                out = self.state.configure(json.loads(body or b"{}"))
            elif self.path.startswith("/_fault/stats"):
                out = self.state.snapshot()
            else:
                raise ValueError("unknown control path %s" % self.path)
            status = 200
        except (ValueError, TypeError) as e:
            status, out = 400, {"error": str(e)}
        self._send(status, [("Content-Type", "application/json")], json.dumps(out).encode())

    def _fault(self, kind, rec):
        rec["fault"] = kind
        self.state.count(kind)

    def _synth_headers(self, body):
        return [("Content-Type", "application/x-amz-json-1.0"),
                ("x-amzn-RequestId", "FAULTPROXY%016X" % random.getrandbits(64)),
                ("x-amz-crc32", crc(body))]

    def _with_crc(self, headers, body):
        return [(n, v) for n, v in headers if n.lower() != "x-amz-crc32"] + [("x-amz-crc32", crc(body))]

    def _send_error(self, name):
        self.state.count_error(name)
        status, body = error_body(name)
        self._send(status, self._synth_headers(body), body)

    def _head(self, status, headers, length):
        self.send_response_only(status)
        for n, v in headers:
            if n.lower() not in HOP:
                self.send_header(n, v)
        self.send_header("Content-Length", str(length))
        self.end_headers()

    def _send(self, status, headers, body):
        self._head(status, headers, len(body))
        if self.command != "HEAD":
            self.wfile.write(body)
        self.wfile.flush()

    def _send_partial(self, status, headers, body, rng):
        self._head(status, headers, len(body))
        cut = rng.randint(0, max(0, len(body) - 1))
        self.wfile.write(body[:cut])
        self.wfile.flush()
        self._drop()

    def _drop(self):
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def main(argv=None):
    opts = parse_args(argv)
    state = State(opts)
    Handler.state = state
    Handler.backend = Backend(opts.backend)
    # socketserver listens with a backlog of 5: a client that opens dozens of
    # connections at once (a 64-segment scan) would see SYNs dropped and
    # retransmitted after 1, 3, 7, 15 s.
    ThreadingHTTPServer.request_queue_size = 512
    srv = ThreadingHTTPServer(("127.0.0.1", opts.port), Handler)
    srv.daemon_threads = True
    state.save()
    print("listening on 127.0.0.1:%d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
