#!/usr/bin/env python3
"""A DynamoDB endpoint that misbehaves in one chosen way, for hostile-input tests.

usage: bad_server.py --port N --mode MODE

modes:
  garbage    200 with a body that is not JSON (correct x-amz-crc32)
  truncated  200 with the first half of a real-looking JSON answer
  huge       200 with a 40 MB body
  html       502 with an HTML page, as a misconfigured proxy answers
  empty      200 with an empty body
  silent     accepts the connection and never answers
  close      closes the connection without answering
  badtype    400 with a JSON error whose __type is unknown
Anything else (STS included) is answered the same way.
"""
import argparse
import http.server
import socketserver
import time
import zlib


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body, ctype="application/x-amz-json-1.0"):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("x-amz-crc32", str(zlib.crc32(body)))
        self.send_header("x-amzn-RequestId", "bad-server")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(n)
        mode = self.server.mode
        if mode == "garbage":
            self.send(200, b"this is not json at all \x00\xff")
        elif mode == "truncated":
            self.send(200, b'{"Table":{"TableName":"t","KeySchema":[{"AttributeName":"PK","Ke')
        elif mode == "huge":
            self.send(200, b'{"Items":[' + b'{"PK":{"S":"' + b"x" * (40 << 20) + b'"}}]}')
        elif mode == "html":
            self.send(502, b"<html><body><h1>502 Bad Gateway</h1></body></html>", "text/html")
        elif mode == "empty":
            self.send(200, b"")
        elif mode == "silent":
            time.sleep(3600)
        elif mode == "close":
            self.close_connection = True
            self.connection.close()
        elif mode == "badtype":
            self.send(400, b'{"__type":"com.example#WhatIsThisException","message":"strange"}')

    do_GET = do_POST
    do_PUT = do_POST


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--mode", required=True)
    args = ap.parse_args()
    srv = Server(("127.0.0.1", args.port), Handler)
    srv.mode = args.mode
    print("listening on 127.0.0.1:%d" % args.port, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
