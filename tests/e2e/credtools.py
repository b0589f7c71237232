"""Helpers shared by the credential tests (test_creds_*.py).

moto without IAM authentication accepts any key, but it still keeps each
account's tables apart: keys from an AssumeRole into account N are account
N's. So a test that wants to prove which credentials dynamo signed with
hands them out through the provider under test (a fake portal, a
credential_process, ...) and checks that dynamo lists a table that exists
only in that account.
"""
import hashlib
import json
import os
import socket
import sys
import time

import boto3

import harness

HERE = os.path.dirname(os.path.abspath(__file__))
# moto's session tokens all start like this: none may ever be printed.
MOTO_TOKEN_PREFIX = "FQoGZXIvYXdzE"


def moto_url():
    return harness.BACKEND.endpoint("src")


def assume(account, role="dynamo-creds-e2e", session="credtools"):
    """Temporary credentials for account (from moto's STS), as the fakes hand them out."""
    sts = boto3.client("sts", endpoint_url=moto_url(), region_name="us-east-1",
                       aws_access_key_id=harness.SRC_KEY, aws_secret_access_key=harness.SRC_SECRET)
    c = sts.assume_role(RoleArn="arn:aws:iam::%s:role/%s" % (account, role), RoleSessionName=session,
                        DurationSeconds=3600)["Credentials"]
    return {"AccessKeyId": c["AccessKeyId"], "SecretAccessKey": c["SecretAccessKey"],
            "SessionToken": c["SessionToken"], "Expiration": c["Expiration"].strftime("%Y-%m-%dT%H:%M:%SZ")}


def ddb_for(creds, region="us-east-1"):
    return boto3.client("dynamodb", endpoint_url=moto_url(), region_name=region,
                        aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                        aws_session_token=creds.get("SessionToken"))


def table_in_account(account, prefix):
    """Creates a table that only account has; returns (name, creds for that account)."""
    creds = assume(account)
    name = harness.unique_name(prefix)
    harness.create_table(ddb_for(creds), name, range_key=None)
    return name, creds


def assumed_roles(role_arn=None):
    """moto's record of every AssumeRole* it served (role_arn, session_name, external_id, keys)."""
    roles = harness.moto_state(moto_url()).get("sts", {}).get("AssumedRole", [])
    return [r for r in roles if role_arn is None or r["role_arn"] == role_arn]


def sha1_hex(s):
    return hashlib.sha1(s.encode()).hexdigest()


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t))


def sso_cache(env, key, token, expires_in=3600, start_url="https://example.awsapps.com/start"):
    """Writes the token cache 'aws sso login' leaves: ~/.aws/sso/cache/<sha1(key)>.json."""
    doc = {"startUrl": start_url, "region": "us-east-1", "accessToken": token,
           "expiresAt": iso(time.time() + expires_in), "clientId": "fake-client-id",
           "clientSecret": "fake-client-secret", "registrationExpiresAt": iso(time.time() + 86400 * 90),
           "refreshToken": "fake-refresh-token"}
    return env.write(".aws/sso/cache/%s.json" % sha1_hex(key), json.dumps(doc))


def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    return harness.free_port()


class Blackhole:
    """A listening socket that never accepts: connections succeed, requests never answer."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = "http://127.0.0.1:%d" % self.port

    def close(self):
        self.sock.close()


def process_command(creds_file, *extra):
    """A credential_process line running tests/fakes/cred_process.py with this Python."""
    script = os.path.join(harness.FAKES, "cred_process.py")
    return " ".join(['"%s"' % sys.executable, '"%s"' % script, "--creds-file", '"%s"' % creds_file] +
                    list(extra))
