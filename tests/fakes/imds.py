#!/usr/bin/env python3
"""A fake EC2 instance metadata service, IMDSv2 only.

PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds gives a
session token; GET /latest/meta-data/iam/security-credentials/ with that
token in X-aws-ec2-metadata-token gives the role name (--role); GET
.../security-credentials/ROLE gives {"Code": "Success", "AccessKeyId", ...}.
A GET without the token is refused with 401, as on an instance that
requires IMDSv2.
"""
import secrets

import fakelib

PREFIX = "/latest/meta-data/iam/security-credentials/"


class Imds(fakelib.Handler):
    tokens = set()

    def route(self):
        o = self.opts
        if self.command == "PUT" and self.url_path == "/latest/api/token":
            ttl = self.headers.get("X-aws-ec2-metadata-token-ttl-seconds")
            if not ttl or not ttl.isdigit() or not 1 <= int(ttl) <= 21600:
                return self.text(400, "missing or bad X-aws-ec2-metadata-token-ttl-seconds")
            tok = "imds-" + secrets.token_hex(16)
            self.tokens.add(tok)
            return self.text(200, tok)
        if self.command != "GET":
            return self.text(405, "method not allowed")
        if self.headers.get("X-aws-ec2-metadata-token") not in self.tokens:
            return self.text(401, "unauthorized")
        if self.url_path == PREFIX:
            return self.text(200, o.role + "\n")
        if self.url_path == PREFIX + o.role:
            c = fakelib.load_creds(o.creds_file)
            return self.json(200, {"Code": "Success", "LastUpdated": "2026-01-01T00:00:00Z", "Type": "AWS-HMAC",
                                   "AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"],
                                   "Token": c.get("SessionToken"),
                                   "Expiration": c.get("Expiration") or "2099-01-01T00:00:00Z"})
        return self.text(404, "not found")


def main():
    ap = fakelib.arg_parser(__doc__)
    ap.add_argument("--role", default="dynamo-instance-role")
    fakelib.serve(Imds, ap.parse_args())


if __name__ == "__main__":
    main()
