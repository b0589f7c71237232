#!/usr/bin/env python3
"""A DynamoDB Streams endpoint whose stream splits, which moto's never does (stdlib only).

It answers DescribeStream, GetShardIterator and GetRecords (JSON 1.0,
X-Amz-Target DynamoDBStreams_20120810.*) for whatever stream ARN it is
asked about, from a stream held in memory that the test shapes while dynamo
reads it:

  POST /_fake/append {"shard": ID, "records": [{"event": "INSERT"|"MODIFY"|"REMOVE",
                      "keys": {...}, "new": {...}}]}    records at the end of an open shard
  POST /_fake/split  {"shard": ID, "children": [ID, ...]}
                     closes the shard (its EndingSequenceNumber is its last record's)
                     and opens each child with the shard as its ParentShardId
  GET  /_fake/state  {"latest": N}: how many LATEST iterators were handed out
  POST /_fake/go     GetRecords answers from now on; until then each waits (so
                     that a test shapes the stream after the reader took its
                     positions and before it reads)

The stream starts with one open shard, named by --root. GetRecords answers
at most --page records (AWS may answer fewer than the Limit asked for; a
small page makes a reader take several calls per shard), and ends a closed
shard (no NextShardIterator) once its last record is read. Iterators are
"SHARD/INDEX", the index of the next record. Sequence numbers grow over the
whole stream, as DynamoDB's do. Every request is logged (--log).
"""
import json
import threading
import time

import fakelib

LOCK = threading.Lock()
SHARDS = []          # [{"id", "parent", "start", "end", "records": [...]}], in creation order
NEXT_SEQ = [100000000000000000000]
GO = threading.Event()
LATEST_TAKEN = [0]   # LATEST iterators handed out


def shard(sid):
    for s in SHARDS:
        if s["id"] == sid:
            return s
    return None


def new_shard(sid, parent=None):
    SHARDS.append({"id": sid, "parent": parent, "start": str(NEXT_SEQ[0]), "end": None, "records": []})


def record(r):
    seq = NEXT_SEQ[0]
    NEXT_SEQ[0] += 1
    d = {"ApproximateCreationDateTime": round(time.time(), 3), "Keys": r["keys"], "SequenceNumber": str(seq),
         "SizeBytes": 100, "StreamViewType": "NEW_IMAGE"}
    if r["event"] != "REMOVE":
        d["NewImage"] = r["new"]
    return {"eventID": "e%d" % seq, "eventName": r["event"], "eventVersion": "1.1",
            "eventSource": "aws:dynamodb", "awsRegion": "us-east-1", "dynamodb": d}


def error(typ, msg):
    return 400, "application/x-amz-json-1.0", json.dumps(
        {"__type": "com.amazonaws.dynamodb.v20120810#" + typ, "message": msg}).encode()


class Handler(fakelib.Handler):
    def route(self):
        if self.url_path.startswith("/_fake/"):
            return self.control(json.loads(self.body or b"{}"))
        op = (self.headers.get("X-Amz-Target") or "").rsplit(".", 1)[-1]
        req = json.loads(self.body or b"{}")
        if op == "GetRecords":
            GO.wait(60)
        with LOCK:
            answer = getattr(self, "op_" + op, None)
            if not answer:
                return error("UnknownOperationException", op)
            return 200, "application/x-amz-json-1.0", json.dumps(answer(req)).encode()

    def control(self, req):
        if self.url_path == "/_fake/go":
            GO.set()
            return 200, "application/json", b"{}"
        if self.url_path == "/_fake/state":
            with LOCK:
                return 200, "application/json", json.dumps({"latest": LATEST_TAKEN[0]}).encode()
        with LOCK:
            if self.url_path == "/_fake/append":
                s = shard(req["shard"])
                assert s and not s["end"], "append to a closed or unknown shard"
                s["records"] += [record(r) for r in req["records"]]
            elif self.url_path == "/_fake/split":
                s = shard(req["shard"])
                assert s and not s["end"] and s["records"], "split of a closed, empty or unknown shard"
                s["end"] = s["records"][-1]["dynamodb"]["SequenceNumber"]
                for c in req["children"]:
                    new_shard(c, s["id"])
            else:
                return 404, "text/plain", b"no such control"
        return 200, "application/json", b"{}"

    def op_DescribeStream(self, req):
        shards = []
        for s in SHARDS:
            rng = {"StartingSequenceNumber": s["start"]}
            if s["end"]:
                rng["EndingSequenceNumber"] = s["end"]
            x = {"ShardId": s["id"], "SequenceNumberRange": rng}
            if s["parent"]:
                x["ParentShardId"] = s["parent"]
            shards.append(x)
        return {"StreamDescription": {"StreamArn": req["StreamArn"], "StreamLabel": "fake",
                                      "StreamStatus": "ENABLED", "StreamViewType": "NEW_IMAGE",
                                      "TableName": "fake", "Shards": shards}}

    def op_GetShardIterator(self, req):
        s = shard(req["ShardId"])
        typ, seq = req["ShardIteratorType"], int(req.get("SequenceNumber", "0"))
        seqs = [int(r["dynamodb"]["SequenceNumber"]) for r in s["records"]]
        if typ == "TRIM_HORIZON":
            i = 0
        elif typ == "LATEST":
            i = len(seqs)
            LATEST_TAKEN[0] += 1
        elif typ == "AT_SEQUENCE_NUMBER":
            i = next((k for k, x in enumerate(seqs) if x >= seq), len(seqs))
        else:
            i = next((k for k, x in enumerate(seqs) if x > seq), len(seqs))
        return {"ShardIterator": "%s/%d" % (s["id"], i)}

    def op_GetRecords(self, req):
        sid, i = req["ShardIterator"].rsplit("/", 1)
        s, i = shard(sid), int(i)
        n = min(int(req.get("Limit", 1000)), self.opts.page)
        page = s["records"][i:i + n]
        out = {"Records": page}
        if not (s["end"] and i + len(page) >= len(s["records"])):
            out["NextShardIterator"] = "%s/%d" % (sid, i + len(page))
        return out


def main():
    ap = fakelib.arg_parser(__doc__.splitlines()[0])
    ap.add_argument("--root", default="shardId-00000001000000000000-00000000")
    ap.add_argument("--page", type=int, default=2)
    opts = ap.parse_args()
    new_shard(opts.root)
    Handler.opts = opts
    fakelib.serve(Handler, opts)


if __name__ == "__main__":
    main()
