#!/usr/bin/env python3
"""A credential_process helper for the tests.

Prints {"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken",
"Expiration"} from --creds-file (the same JSON the fake servers read), and
appends one line to --count-file per run so a test can count the runs.
--expires-in N sets Expiration to N seconds from now instead.
--mode fail exits 3 after a message on stderr; --mode garbage prints text
that is not JSON; --mode version2 prints "Version": 2.
"""
import argparse
import json
import sys
import time


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--creds-file", required=True)
    ap.add_argument("--count-file")
    ap.add_argument("--expires-in", type=int)
    ap.add_argument("--mode", default="ok", choices=["ok", "fail", "garbage", "version2"])
    o = ap.parse_args()
    if o.count_file:
        with open(o.count_file, "a") as f:
            f.write("run\n")
    if o.mode == "fail":
        print("cred_process: no credentials for you", file=sys.stderr)
        sys.exit(3)
    if o.mode == "garbage":
        print("this is not json")
        return
    with open(o.creds_file) as f:
        c = json.load(f)
    out = {"Version": 2 if o.mode == "version2" else 1,
           "AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"]}
    if c.get("SessionToken"):
        out["SessionToken"] = c["SessionToken"]
    if o.expires_in is not None:
        out["Expiration"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + o.expires_in))
    elif c.get("Expiration"):
        out["Expiration"] = c["Expiration"]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
