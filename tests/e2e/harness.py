"""End-to-end test harness: real servers, the real binary, boto3 as the judge.

Every test runs the built dynamo against a DynamoDB implementation started
here (moto, or dynalite for strict validation), or against any endpoint
named in the environment, and checks what the server ended up holding
through boto3, never only through dynamo itself.

Backends
  moto      one moto_server; profile 'src' is account 123456789012 with
            static keys, profile 'tgt' assumes
            arn:aws:iam::222222222222:role/dynamo-e2e from it (cross-account
            for real; moto's STS needs no IAM role for that). moto is reset
            (POST /moto-api/reset: every table, backup, IAM entity and
            assumed-role session) before each test class, so a class starts
            from an empty moto.
  dynalite  two dynalite servers standing for two accounts; 'src' and 'tgt'
            point at them through the profiles' endpoint_url.
  endpoint  any DynamoDB endpoint, e.g. DynamoDB Local or a real AWS account
            (run.py --backend endpoint, or DYNAMO_E2E_ENDPOINT set):
              DYNAMO_E2E_ENDPOINT         URL of the 'src' side
              DYNAMO_E2E_TARGET_ENDPOINT  URL of the 'tgt' side (default: the same)
              DYNAMO_E2E_REGION           region of 'src' (default us-east-1)
              DYNAMO_E2E_TARGET_REGION    region of 'tgt' (default: the same)
            Credentials are the caller's AWS_ACCESS_KEY_ID,
            AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN, for both sides; without
            them each side gets its own fake key, which DynamoDB Local (without
            -sharedDb) keeps apart as two accounts. When both sides turn out to
            be the same tables (a probe table made on 'src' is visible on
            'tgt'), tests that touch 'tgt' are skipped. Classes that need moto
            (STS into a second account, backups, IAM, the fault proxy in front
            of both sides) declare backends = ("moto",) and are skipped.

Tables: a test names its tables with unique_name() (the prefix, this
process's id, the time and a random part), also the tables dynamo creates
for it (name + "-saved" counts as that name's). On every backend but moto
(which is reset), each class deletes at its end the tables whose names start
with a name it drew, and nothing else.

Servers are started on free ports and stopped by PID when their run ends,
whether tests pass or fail (atexit plus signal handlers); with
DYNAMO_E2E_PIDS set, each server's PID and start time are also appended to
that file, so run.py can stop them if a shard dies.
"""

import atexit
import base64
import decimal
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

import boto3
from boto3.dynamodb.types import TypeDeserializer
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))
TESTS = os.path.dirname(HERE)
ROOT = os.path.dirname(TESTS)
BIN = os.environ.get("DYNAMO_BIN", os.path.join(ROOT, "build", "dynamo"))
WRAP = os.environ.get("DYNAMO_WRAP", "").split()

SRC_ACCOUNT = "123456789012"
TGT_ACCOUNT = "222222222222"
ROLE_ARN = "arn:aws:iam::%s:role/dynamo-e2e" % TGT_ACCOUNT
SRC_KEY = "AKIAIOSFODNN7EXAMPLE"
SRC_SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

_servers = []


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, what, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("%s exited with status %s while starting" % (what, proc.returncode))
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("%s did not listen on port %d within %ds" % (what, port, timeout))


class Server:
    """A server process on a free port, stopped by PID at exit."""

    def __init__(self, name, argv_for_port, env=None, ready=None):
        self.name = name
        self.argv_for_port = argv_for_port
        self.env = env
        self.ready = ready
        self.proc = None
        self.port = None
        self.log = None

    def start(self):
        for attempt in range(5):
            self.port = free_port()
            self.log = tempfile.NamedTemporaryFile(prefix="dynamo-e2e-%s-" % self.name, suffix=".log", delete=False)
            env = dict(os.environ)
            env.update(self.env or {})
            self.proc = subprocess.Popen(self.argv_for_port(self.port), stdout=self.log, stderr=subprocess.STDOUT,
                                         env=env, cwd=TESTS, start_new_session=True)
            _servers.append(self)
            record_pid(self.proc.pid)
            try:
                wait_port(self.port, self.proc, self.name)
                if self.ready:
                    self.ready(self)
                return self
            except RuntimeError:
                self.stop()
                if attempt == 4:
                    raise
        return self

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def stop(self):
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.log:
            self.log.close()
            try:
                os.unlink(self.log.name)
            except OSError:
                pass
            self.log = None


def process_start_time(pid):
    """The kernel's start time of pid (field 22 of /proc/PID/stat), or None: with the PID it names one process."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            return f.read().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def record_pid(pid):
    """Appends 'PID START-TIME' to $DYNAMO_E2E_PIDS, for run.py to stop what a dead shard left behind."""
    path = os.environ.get("DYNAMO_E2E_PIDS")
    if path:
        with open(path, "a") as f:
            f.write("%d %s\n" % (pid, process_start_time(pid)))


def stop_all():
    while _servers:
        _servers.pop().stop()


atexit.register(stop_all)


def _on_signal(sig, frame):
    """Stops the servers, cleans up and exits at once: not by raising SystemExit, which unittest
    would take for the running test's error before going on with the next test."""
    atexit._run_exitfuncs()
    os._exit(128 + sig)


signal.signal(signal.SIGTERM, _on_signal)


def moto_argv(port):
    exe = shutil.which("moto_server")
    if exe:
        return [exe, "-H", "127.0.0.1", "-p", str(port)]
    return [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]


def start_moto(env=None):
    return Server("moto", moto_argv, env=env).start()


def dynalite_argv(port):
    cli = os.path.join(TESTS, "node_modules", "dynalite", "cli.js")
    return ["node", cli, "--port", str(port), "--createTableMs", "0", "--deleteTableMs", "0",
            "--updateTableMs", "0"]


def start_dynalite():
    if not os.path.exists(os.path.join(TESTS, "node_modules", "dynalite", "cli.js")):
        raise RuntimeError("dynalite is not installed in tests/node_modules: run 'make test-deps'")
    return Server("dynalite", dynalite_argv).start()


FAKES = os.path.join(TESTS, "fakes")


class FakeServer(Server):
    """A stdlib fake from tests/fakes (SSO portal, container, IMDS) on a free port.

    Every request it receives is logged; requests() returns them as dicts
    ({"method", "path", "query", "headers", "status"}). The credentials it
    hands out are read from a JSON file on each request, so set_creds() may
    change them while it runs.
    """

    def __init__(self, script, args=(), env=None, creds=None):
        # Kept until the run ends: Server.start may stop and restart on another port.
        self.dir = tempfile.mkdtemp(prefix="dynamo-e2e-%s-" % script)
        atexit.register(shutil.rmtree, self.dir, True)
        self.req_log = os.path.join(self.dir, "requests.jsonl")
        self.creds_file = os.path.join(self.dir, "creds.json")
        open(self.req_log, "w").close()
        self.set_creds(creds or {"AccessKeyId": "AKIAFAKEFAKEFAKE0000", "SecretAccessKey": "fake-secret"})
        path = os.path.join(FAKES, script + ".py")
        extra = [str(a) for a in args]
        super().__init__(script, lambda port: [sys.executable, path, "--port", str(port), "--log", self.req_log,
                                               "--creds-file", self.creds_file] + extra, env=env)

    def set_creds(self, creds):
        with open(self.creds_file, "w") as f:
            json.dump(creds, f)

    def requests(self):
        with open(self.req_log) as f:
            return [json.loads(line) for line in f if line.strip()]


def start_fake(script, *args, env=None, creds=None):
    """Starts tests/fakes/SCRIPT.py (passed --port, --log, --creds-file and args); stop it with .stop()."""
    return FakeServer(script, args, env=env, creds=creds).start()


class FaultProxy(Server):
    """tests/fakes/fault_proxy.py on a free port, forwarding to backend_url; args are its fault flags."""

    def __init__(self, backend_url, args=()):
        self.dir = tempfile.mkdtemp(prefix="dynamo-e2e-fault-proxy-")
        atexit.register(shutil.rmtree, self.dir, True)
        self.req_log = os.path.join(self.dir, "requests.jsonl")
        path = os.path.join(FAKES, "fault_proxy.py")
        extra = [str(a) for a in args]
        super().__init__("fault-proxy", lambda port: [sys.executable, path, "--port", str(port),
                                                      "--backend", backend_url, "--log", self.req_log] + extra)

    def stats(self):
        """{"requests": {op: n}, "forwarded": n, "faults": {kind: n}} so far."""
        return json.loads(http_get(self.url + "/_fault/stats"))

    def configure(self, **flags):
        """Changes the proxy's flags while it runs (configure(throttle=0, ops="Scan")); returns them all."""
        req = urllib.request.Request(self.url + "/_fault/config", data=json.dumps(flags).encode(), method="POST")
        with urllib.request.urlopen(req, timeout=5) as r:
            return json.loads(r.read())

    def wait_held(self, count=1, timeout=60, proc=None):
        """Waits until count requests stand held (--hold-after); returns the stats. Fails the test
        when that does not happen within timeout, or when proc (a Popen) exits first."""
        deadline = time.monotonic() + timeout
        while True:
            st = self.stats()
            if st.get("held", 0) >= count:
                return st
            if proc is not None and proc.poll() is not None:
                raise AssertionError("dynamo exited %s before %d requests were held (stats: %s)" %
                                     (proc.returncode, count, st))
            if time.monotonic() > deadline:
                raise AssertionError("%d requests not held within %ds (stats: %s)" % (count, timeout, st))
            time.sleep(0.05)

    def requests(self):
        """One dict per request: {"op", "fault", "body" (a digest: retries repeat it), "status"}
        ("hold": true when --hold-after held it for a while; "host" and "path" for S3's GETs)."""
        try:
            with open(self.req_log) as f:
                return [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []


def start_fault_proxy(backend_url, *args):
    """Starts a fault proxy in front of backend_url; stop it with .stop()."""
    return FaultProxy(backend_url, args).start()


def moto_state(endpoint):
    """moto's own view of its backends (GET /moto-api/data.json): assumed roles, IAM users, ...

    moto is reset before each class (Backend.reset), so this holds that class's doings only.
    """
    return json.loads(http_get(endpoint + "/moto-api/data.json", timeout=300))


def iam_user_and_role(url, name, actions):
    """On a moto with IAM authentication: user NAME with an access key, and role NAME trusting it (moto
    wants the user's exact ARN as the principal; ':root' is not matched), both allowed actions.
    Six IAM requests. Returns (the access key, the role's ARN)."""
    iam = boto3.client("iam", endpoint_url=url, region_name="us-east-1",
                       aws_access_key_id="AKIASETUPSETUPSETUP0", aws_secret_access_key="setup")
    policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}]}
    user = iam.create_user(UserName=name)["User"]
    key = iam.create_access_key(UserName=name)["AccessKey"]
    pol = iam.create_policy(PolicyName=name + "-all", PolicyDocument=json.dumps(policy))["Policy"]
    iam.attach_user_policy(UserName=name, PolicyArn=pol["Arn"])
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": user["Arn"]}, "Action": "sts:AssumeRole"}]}
    role_arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.attach_role_policy(RoleName=name, PolicyArn=pol["Arn"])
    return key, role_arn


def moto_secrets(endpoint):
    """Every key, secret and session token moto handed out (assumed roles included), from its own records."""
    out = set()

    def walk(x):
        if isinstance(x, dict):
            for k, v in x.items():
                if k in ("session_token", "SessionToken", "secret_access_key", "SecretAccessKey",
                         "access_key_id", "AccessKeyId") and isinstance(v, str) and len(v) >= 8:
                    out.add(v)
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
    walk(moto_state(endpoint))
    return out


class Backend:
    """Where 'src' and 'tgt' live, and how to reach them: "moto", "dynalite" or "endpoint" (see above)."""

    def __init__(self, name):
        self.name = name
        self.servers = {}
        self.urls = {}
        self.regions = {"src": "us-east-1", "tgt": "us-east-1"}
        self.credentials = {}   # the caller's keys (endpoint backend only)
        # Both profiles reach the same tables (endpoint backend only): tests that touch 'tgt' skip.
        self.shared_sides = False

    def start(self):
        if self.name == "moto":
            self.servers["src"] = self.servers["tgt"] = start_moto()
        elif self.name == "dynalite":
            self.servers["src"] = start_dynalite()
            self.servers["tgt"] = start_dynalite()
        elif self.name == "endpoint":
            self.start_endpoint()
        else:
            raise ValueError("unknown backend %r" % self.name)
        return self

    def start_endpoint(self):
        src = os.environ.get("DYNAMO_E2E_ENDPOINT")
        if not src:
            raise RuntimeError("the endpoint backend needs DYNAMO_E2E_ENDPOINT (a DynamoDB endpoint URL)")
        self.urls = {"src": src, "tgt": os.environ.get("DYNAMO_E2E_TARGET_ENDPOINT") or src}
        region = os.environ.get("DYNAMO_E2E_REGION") or "us-east-1"
        self.regions = {"src": region, "tgt": os.environ.get("DYNAMO_E2E_TARGET_REGION") or region}
        # Read now: boto_session() takes AWS_* out of this process's environment.
        self.credentials = {k: os.environ[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
                                                       "AWS_SESSION_TOKEN") if os.environ.get(k)}
        self.shared_sides = self.probe_shared_sides()

    def probe_shared_sides(self):
        """True when a table made through 'src' is visible through 'tgt'."""
        env = Env(self)
        try:
            src, tgt = client(env, "src"), client(env, "tgt")
            name = unique_name("e2e-probe")
            create_table(src, name, range_key=None)
            try:
                tgt.describe_table(TableName=name)
                return True
            except tgt.exceptions.ResourceNotFoundException:
                return False
            finally:
                delete_tables(src, [name])
        finally:
            env.cleanup()

    def stop(self):
        for s in set(self.servers.values()):
            s.stop()

    def reset(self):
        """Before a test class: moto forgets everything (POST /moto-api/reset); others keep their state."""
        if self.name == "moto":
            req = urllib.request.Request(self.endpoint("src") + "/moto-api/reset", data=b"", method="POST")
            with urllib.request.urlopen(req, timeout=60) as r:
                r.read()

    def endpoint(self, profile):
        return self.servers[profile].url if self.servers else self.urls[profile]

    @property
    def cross_account_roles(self):
        return self.name == "moto"

    def runs(self, backends):
        """Whether a class declaring these backends runs here."""
        return self.name in backends


BACKEND = None  # set by run.py


def config_text(backend):
    """~/.aws/config for the profiles the tests use."""
    src = ["[profile src]", "region = %s" % backend.regions["src"]]
    tgt = ["[profile tgt]", "region = %s" % backend.regions["tgt"]]
    if backend.cross_account_roles:
        tgt += ["role_arn = %s" % ROLE_ARN, "source_profile = src", "role_session_name = dynamo-e2e"]
    else:
        src.append("endpoint_url = %s" % backend.endpoint("src"))
        tgt.append("endpoint_url = %s" % backend.endpoint("tgt"))
    return "\n".join(["[default]", "region = us-east-1", ""] + src + [""] + tgt) + "\n"


TGT_KEY = "AKIAI44QH8DHBEXAMPLE"
TGT_SECRET = "je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY"


def credentials_text(backend):
    creds = backend.credentials
    if creds.get("AWS_ACCESS_KEY_ID"):
        # The caller's own credentials (a real account), for both sides.
        keys = ["aws_access_key_id = %s" % creds["AWS_ACCESS_KEY_ID"],
                "aws_secret_access_key = %s" % creds.get("AWS_SECRET_ACCESS_KEY", "")]
        if creds.get("AWS_SESSION_TOKEN"):
            keys.append("aws_session_token = %s" % creds["AWS_SESSION_TOKEN"])
        return "\n".join(["[src]"] + keys + ["", "[tgt]"] + keys) + "\n"
    text = "[src]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (SRC_KEY, SRC_SECRET)
    if not backend.cross_account_roles:
        text += "\n[tgt]\naws_access_key_id = %s\naws_secret_access_key = %s\n" % (TGT_KEY, TGT_SECRET)
    return text


class Env:
    """A private HOME with AWS config files, and the environment for dynamo."""

    def __init__(self, backend):
        self.backend = backend
        self.home = tempfile.mkdtemp(prefix="dynamo-e2e-home-")
        atexit.register(shutil.rmtree, self.home, True)  # also when a signal cuts the class short
        os.makedirs(os.path.join(self.home, ".aws"))
        self.write(".aws/config", config_text(backend))
        self.write(".aws/credentials", credentials_text(backend))

    def write(self, rel, text, mode=0o600):
        path = os.path.join(self.home, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            f.write(text)
        os.chmod(path, mode)
        return path

    def environ(self, extra=None):
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"HOME": self.home, "AWS_EC2_METADATA_DISABLED": "true", "LC_ALL": "C.UTF-8"})
        if self.backend.cross_account_roles:
            env["AWS_ENDPOINT_URL"] = self.backend.endpoint("src")
        env.update(extra or {})
        return {k: v for k, v in env.items() if v is not None}

    def cleanup(self):
        shutil.rmtree(self.home, ignore_errors=True)


def run(env, *args, input=None, extra_env=None, timeout=120, check=None):
    """Runs dynamo; returns CompletedProcess (text). check=N asserts the exit code."""
    argv = WRAP + [BIN] + [str(a) for a in args]
    p = subprocess.run(argv, input=input, capture_output=True, env=env.environ(extra_env), timeout=timeout,
                       text=isinstance(input, str) or input is None)
    if check is not None and p.returncode != check:
        raise AssertionError("dynamo %s exited %d, wanted %d\nstdout: %s\nstderr: %s" %
                             (" ".join(map(str, args)), p.returncode, check, p.stdout, p.stderr))
    return p


def boto_session(env, profile):
    """A boto3 session that reads the test's config files, for the same account dynamo uses."""
    os.environ["AWS_CONFIG_FILE"] = os.path.join(env.home, ".aws", "config")
    os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.path.join(env.home, ".aws", "credentials")
    os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
    for k in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(k, None)
    if env.backend.cross_account_roles:
        # The role profile's STS call must reach the same moto.
        os.environ["AWS_ENDPOINT_URL"] = env.backend.endpoint("src")
    return boto3.Session(profile_name=profile)


def client(env, profile, service="dynamodb"):
    endpoint = env.backend.endpoint(profile)
    cfg = Config(retries={"max_attempts": 10, "mode": "standard"}, connect_timeout=5, read_timeout=60)
    if service == "sts":
        return boto_session(env, "src").client("sts", endpoint_url=endpoint, config=cfg)
    return boto_session(env, profile).client(service, endpoint_url=endpoint, config=cfg)


# ---- tables and items through boto3 ----

def create_table(ddb, name, hash_key=("PK", "S"), range_key=("SK", "S"), gsis=(), lsis=(), billing="PAY_PER_REQUEST"):
    """gsis/lsis: (name, hash(name,type) or None for LSI, range(name,type) or None, projection)."""
    attrs = {hash_key[0]: hash_key[1]}
    schema = [{"AttributeName": hash_key[0], "KeyType": "HASH"}]
    if range_key:
        attrs[range_key[0]] = range_key[1]
        schema.append({"AttributeName": range_key[0], "KeyType": "RANGE"})
    kw = {}

    def index(ix_name, h, r, projection):
        ks = [{"AttributeName": h[0], "KeyType": "HASH"}]
        attrs[h[0]] = h[1]
        if r:
            ks.append({"AttributeName": r[0], "KeyType": "RANGE"})
            attrs[r[0]] = r[1]
        proj = {"ProjectionType": projection if isinstance(projection, str) else "INCLUDE"}
        if not isinstance(projection, str):
            proj["NonKeyAttributes"] = list(projection)
        out = {"IndexName": ix_name, "KeySchema": ks, "Projection": proj}
        if billing == "PROVISIONED":
            out["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
        return out

    if gsis:
        kw["GlobalSecondaryIndexes"] = [index(n, h, r, p) for (n, h, r, p) in gsis]
    if lsis:
        kw["LocalSecondaryIndexes"] = [index(n, hash_key, r, p) for (n, _, r, p) in lsis]
        for ix in kw["LocalSecondaryIndexes"]:
            ix.pop("ProvisionedThroughput", None)
    if billing == "PROVISIONED":
        kw["ProvisionedThroughput"] = {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    ddb.create_table(TableName=name, KeySchema=schema,
                     AttributeDefinitions=[{"AttributeName": k, "AttributeType": v} for k, v in attrs.items()],
                     BillingMode=billing, **kw)
    wait_active(ddb, name)


def wait_active(ddb, name, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        t = ddb.describe_table(TableName=name)["Table"]
        if t["TableStatus"] == "ACTIVE" and all(g.get("IndexStatus", "ACTIVE") == "ACTIVE"
                                                 for g in t.get("GlobalSecondaryIndexes", [])):
            return
        time.sleep(0.1)
    raise AssertionError("table %s not ACTIVE after %ds" % (name, timeout))


def put_items(ddb, table, items):
    """Writes items (DynamoDB JSON) with BatchWriteItem, retrying UnprocessedItems."""
    for i in range(0, len(items), 25):
        req = {table: [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]}
        while req:
            resp = ddb.batch_write_item(RequestItems=req)
            req = resp.get("UnprocessedItems") or None


def scan_all(ddb, table, **kw):
    out, start = [], None
    while True:
        args = dict(TableName=table, **kw)
        if start:
            args["ExclusiveStartKey"] = start
        resp = ddb.scan(**args)
        out.extend(resp["Items"])
        start = resp.get("LastEvaluatedKey")
        if not start:
            return out


_deser = TypeDeserializer()


def num(x):
    """A DynamoDB number, exactly (boto3's own context rounds 126-digit expansions)."""
    d = decimal.Decimal(x)
    return "0" if d == 0 else str(d.normalize(decimal.Context(prec=200)))


def b64(x):
    """Binary as boto3 returns it (bytes) or as test data spells it (base64 text), in base64."""
    if isinstance(x, str):
        x = base64.b64decode(x)
    return base64.b64encode(bytes(x)).decode()


def canonical(item):
    """A comparable form of a DynamoDB-JSON item: numbers as exact decimals, sets sorted, bytes as base64."""
    def conv(v):
        (t, x), = v.items()
        if t == "S":
            return ["S", x]
        if t == "N":
            return ["N", num(x)]
        if t == "B":
            return ["B", b64(x)]
        if t == "BOOL":
            return ["BOOL", bool(x)]
        if t == "NULL":
            return ["NULL", True]
        if t == "SS":
            return ["SS", sorted(x)]
        if t == "NS":
            return ["NS", sorted(num(n) for n in x)]
        if t == "BS":
            return ["BS", sorted(b64(b) for b in x)]
        if t == "L":
            return ["L", [conv(e) for e in x]]
        if t == "M":
            return ["M", sorted((k, conv(e)) for k, e in x.items())]
        raise ValueError(t)
    return json.dumps(sorted((k, conv(v)) for k, v in item.items()), sort_keys=True)


def table_contents(ddb, table):
    return sorted(canonical(it) for it in scan_all(ddb, table, ConsistentRead=True))


_names = []   # every unique_name() of this process, in order


def unique_name(prefix):
    """A table name no other test, process or run uses; tables whose names start with it are deleted
    at the end of the class (except on moto, which is reset)."""
    name = "%s-%d-%d-%04x" % (prefix, os.getpid(), int(time.time() * 1000) % 10 ** 9, random.getrandbits(16))
    _names.append(name)
    return name


def list_tables(ddb):
    names, start = [], None
    while True:
        resp = ddb.list_tables(**({"ExclusiveStartTableName": start} if start else {}))
        names += resp.get("TableNames", [])
        start = resp.get("LastEvaluatedTableName")
        if not start:
            return names


def delete_tables(ddb, prefixes):
    """Deletes the tables whose names start with one of prefixes (a unique_name and what derives from it)."""
    prefixes = tuple(prefixes)
    if not prefixes:
        return
    for name in list_tables(ddb):
        if name.startswith(prefixes):
            try:
                ddb.delete_table(TableName=name)
            except ddb.exceptions.ResourceNotFoundException:
                pass


NO_DISTINCT_TARGET = ("needs a target distinct from the source (set DYNAMO_E2E_TARGET_ENDPOINT "
                      "or DYNAMO_E2E_TARGET_REGION)")


class _NoTarget:
    """TestCase.tgt when both profiles reach the same tables: using it skips the test."""

    def __getattr__(self, attr):
        raise unittest.SkipTest(NO_DISTINCT_TARGET)


class TestCase(unittest.TestCase):
    """Base class: a private HOME per test class, boto3 clients for both profiles."""

    backends = ("moto", "dynalite", "endpoint")

    @classmethod
    def setUpClass(cls):
        if BACKEND is None:
            raise unittest.SkipTest("run through tests/e2e/run.py")
        if not BACKEND.runs(cls.backends):
            raise unittest.SkipTest("not for %s" % BACKEND.name)
        cls.backend = BACKEND
        cls._first_name = len(_names)
        cls.env = Env(BACKEND)
        cls.src = client(cls.env, "src")
        cls.tgt = _NoTarget() if BACKEND.shared_sides else client(cls.env, "tgt")

    @classmethod
    def tearDownClass(cls):
        env = getattr(cls, "env", None)
        if env:
            if cls.backend.name != "moto":
                cls.delete_my_tables()
            env.cleanup()

    @classmethod
    def delete_my_tables(cls):
        """Deletes the tables this class created (by their unique_name prefixes), on both sides."""
        mine = _names[cls._first_name:]
        sides = [cls.src] if cls.backend.shared_sides else [cls.src, cls.tgt]
        for ddb in sides:
            delete_tables(ddb, mine)

    def dynamo(self, *args, **kw):
        return run(self.env, *args, **kw)

    def require_distinct_target(self):
        """For a test that has dynamo write to 'tgt' before it looks at self.tgt: skips it when both
        profiles reach the same tables (the endpoint backend with one endpoint)."""
        if self.backend.shared_sides:
            raise unittest.SkipTest(NO_DISTINCT_TARGET)

    def assertTablesEqual(self, src_client, src_table, tgt_client, tgt_table):
        a = table_contents(src_client, src_table)
        b = table_contents(tgt_client, tgt_table)
        if a != b:
            missing = set(a) - set(b)
            extra = set(b) - set(a)
            self.fail("tables differ: %d items only in %s, %d only in %s; first missing: %s; first extra: %s" %
                      (len(missing), src_table, len(extra), tgt_table,
                       next(iter(missing), None), next(iter(extra), None)))
        return len(a)

    def assertOneErrorLine(self, p, *needles):
        """A failure must be one clear 'dynamo: ' line naming what went wrong."""
        lines = [l for l in p.stderr.splitlines() if l.strip()]
        self.assertEqual(len(lines), 1, "wanted one error line, got:\n" + p.stderr)
        self.assertTrue(lines[0].startswith("dynamo: "), lines[0])
        for n in needles:
            self.assertIn(n, lines[0])
        return lines[0]


class IAMTestCase(TestCase):
    """A class with its own moto that checks every signature and IAM policy once
    SETUP_ACTIONS requests were served: create_identities makes the users and
    policies with exactly those first requests. dynamo runs against it."""

    backends = ("moto",)
    SETUP_ACTIONS = 0

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.moto = start_moto(env={"INITIAL_NO_AUTH_ACTION_COUNT": str(cls.SETUP_ACTIONS)})
        try:
            cls.create_identities()
        except Exception:
            cls.moto.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.moto.stop()
        super().tearDownClass()

    @classmethod
    def create_identities(cls):
        raise NotImplementedError

    @classmethod
    def setup_iam(cls):
        """An IAM client for the setup requests, which moto serves unsigned."""
        return boto3.client("iam", endpoint_url=cls.moto.url, region_name="us-east-1",
                            aws_access_key_id="AKIASETUPSETUPSETUP0", aws_secret_access_key="setup")

    @staticmethod
    def user_with_policy(iam, name, policy):
        """Four requests: a user, its key, a managed policy, attached. Returns (user, key, policy ARN)."""
        user = iam.create_user(UserName=name)["User"]
        key = iam.create_access_key(UserName=name)["AccessKey"]
        arn = iam.create_policy(PolicyName=name + "-policy", PolicyDocument=json.dumps(policy))["Policy"]["Arn"]
        iam.attach_user_policy(UserName=name, PolicyArn=arn)
        return user, key, arn

    def dynamo(self, *args, **kw):
        extra = dict(kw.pop("extra_env", None) or {})
        extra.setdefault("AWS_ENDPOINT_URL", self.moto.url)
        return run(self.env, *args, extra_env=extra, **kw)


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read()


def kill_when_held(test, proxy, args, ck, **hold):
    """Starts dynamo with args, the proxy holding requests as hold says (hold_after=N, hold_ops=...);
    once one stands held and the checkpoint ck exists and has been saved again (at most once a
    second), kills dynamo with SIGKILL and lifts the hold. Returns what dynamo printed on stdout."""
    proxy.configure(reset=True, **hold)
    p = subprocess.Popen(WRAP + [BIN] + [str(a) for a in args], env=test.env.environ(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    test.addCleanup(lambda: p.poll() is None and p.kill())
    proxy.wait_held(proc=p)
    deadline = time.monotonic() + 10
    while not os.path.exists(ck) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.2)
    os.killpg(p.pid, signal.SIGKILL)
    out, _ = p.communicate()
    proxy.configure(hold_after=-1)
    test.assertTrue(os.path.exists(ck), "no checkpoint was saved before the kill")
    return out.decode()
