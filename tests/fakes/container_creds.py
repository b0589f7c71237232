#!/usr/bin/env python3
"""A fake ECS/EKS container credentials endpoint.

GET --path (default /creds) answers {"AccessKeyId", "SecretAccessKey",
"Token", "Expiration"}; with --auth-token, a request whose Authorization
header is not exactly that token gets 401, as from the EKS Pod Identity agent.
With --echo-auth every request gets 403 with a message that quotes the
Authorization header it was sent, as a careless agent or proxy would.
"""
import fakelib


class Container(fakelib.Handler):

    def route(self):
        o = self.opts
        if self.command != "GET" or self.url_path != o.path:
            return self.json(404, {"code": "NotFound", "message": "no such path %s" % self.url_path})
        if o.echo_auth:
            return self.json(403, {"code": "AccessDenied",
                                   "message": "token %s is not valid for this task" % self.headers.get("Authorization")})
        if o.auth_token is not None and self.headers.get("Authorization") != o.auth_token:
            return self.json(401, {"code": "AccessDenied", "message": "bad or missing authorization token"})
        c = fakelib.load_creds(o.creds_file)
        out = {"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"],
               "Token": c.get("SessionToken"), "RoleArn": "arn:aws:iam::123456789012:role/fake"}
        if c.get("Expiration"):
            out["Expiration"] = c["Expiration"]
        return self.json(200, out)


def main():
    ap = fakelib.arg_parser(__doc__)
    ap.add_argument("--path", default="/creds")
    ap.add_argument("--auth-token")
    ap.add_argument("--echo-auth", action="store_true")
    fakelib.serve(Container, ap.parse_args())


if __name__ == "__main__":
    main()
