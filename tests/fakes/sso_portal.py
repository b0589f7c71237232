#!/usr/bin/env python3
"""A fake IAM Identity Center portal: GetRoleCredentials only.

GET /federation/credentials?role_name=R&account_id=A with the header
x-amz-sso_bearer_token. Answers as the real portal does:
  401 UnauthorizedException  the token is not --token
  403 ForbiddenException     the token is fine but (account, role) is not --account/--role
  200 {"roleCredentials": {"accessKeyId", "secretAccessKey", "sessionToken",
                           "expiration": epoch milliseconds}}
"""
import calendar
import time

import fakelib


class Portal(fakelib.Handler):

    def route(self):
        o = self.opts
        if self.command != "GET" or self.url_path != "/federation/credentials":
            return self.json(404, {"message": "no such route %s %s" % (self.command, self.url_path)})
        if self.headers.get("x-amz-sso_bearer_token") != o.token:
            return self.json(401, {"message": "Session token not found or invalid"})
        if self.query.get("account_id") != o.account or self.query.get("role_name") != o.role:
            return self.json(403, {"message": "No access"})
        c = fakelib.load_creds(o.creds_file)
        exp = c.get("Expiration")
        if exp:
            exp_ms = calendar.timegm(time.strptime(exp, "%Y-%m-%dT%H:%M:%SZ")) * 1000
        else:
            exp_ms = int((time.time() + 3600) * 1000)
        return self.json(200, {"roleCredentials": {
            "accessKeyId": c["AccessKeyId"], "secretAccessKey": c["SecretAccessKey"],
            "sessionToken": c.get("SessionToken"), "expiration": exp_ms}})


def main():
    ap = fakelib.arg_parser(__doc__)
    ap.add_argument("--token", required=True, help="the access token 'aws sso login' cached")
    ap.add_argument("--account", required=True)
    ap.add_argument("--role", required=True)
    fakelib.serve(Portal, ap.parse_args())


if __name__ == "__main__":
    main()
