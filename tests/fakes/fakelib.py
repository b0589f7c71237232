"""Shared bits of the fake credential servers in tests/fakes (stdlib only).

Each fake is a small http.server on 127.0.0.1 and the port given with
--port. Every request it receives is appended to --log as one JSON line
({"method", "path", "query", "headers", "status"}), so a test can assert on
what dynamo sent. Credentials come from the command line, or from a JSON file
(--creds-file) that the test may rewrite between runs.
"""
import argparse
import json
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def arg_parser(description):
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--log", required=True, help="JSON lines, one per request")
    ap.add_argument("--creds-file", required=True,
                    help='JSON {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}')
    return ap


def load_creds(path):
    with open(path) as f:
        return json.load(f)


class Handler(BaseHTTPRequestHandler):
    """Subclasses set route(self) -> (status, content_type, body_bytes)."""

    protocol_version = "HTTP/1.1"
    opts = None
    _log_lock = threading.Lock()

    def log_message(self, fmt, *args):  # keep stderr quiet
        pass

    def _handle(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        url = urllib.parse.urlsplit(self.path)
        self.url_path = url.path
        self.query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        try:
            status, ctype, body = self.route()
        except Exception as e:  # a bug in the fake must show in the test
            status, ctype, body = 500, "text/plain", ("fake error: %r" % e).encode()
        with self._log_lock, open(self.opts.log, "a") as f:
            f.write(json.dumps({"method": self.command, "path": url.path, "query": self.query,
                                "headers": {k.lower(): v for k, v in self.headers.items()},
                                "status": status}) + "\n")
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_POST = _handle

    def json(self, status, obj):
        return status, "application/json", json.dumps(obj).encode()

    def text(self, status, s):
        return status, "text/plain", s.encode()


def serve(handler_cls, opts):
    handler_cls.opts = opts
    srv = ThreadingHTTPServer(("127.0.0.1", opts.port), handler_cls)
    srv.daemon_threads = True
    print("listening on %d" % opts.port, file=sys.stderr, flush=True)
    srv.serve_forever()
