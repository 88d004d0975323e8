#!/usr/bin/env python3
"""A fake registry with Bearer token authentication, for registry_test.cpp.

Debian ships docker-registry but no token server for it, so this one process
stands in for the pair, speaking just enough of the protocol:

- every /v2/... request without the token gets 401 and
  `WWW-Authenticate: Bearer realm="http://<host>/token",service=...,scope=...`;
- GET /token?scope=repository:<repo>:pull&service=... with the right Basic
  credentials returns {"access_token": ...} (only access_token, the field
  some token servers use instead of "token");
- with `Authorization: Bearer <token>`, HEAD and GET serve one blob.

usage: fake_token_registry.py PORT_FILE USER PASSWORD REPOSITORY BLOB_FILE
It listens on a free port of 127.0.0.1 and writes the port to PORT_FILE.
"""
import base64
import hashlib
import http.server
import json
import os
import secrets
import sys
import urllib.parse

port_file, user, password, repository, blob_file = sys.argv[1:]
with open(blob_file, "rb") as f:
    blob = f.read()
digest = "sha256:" + hashlib.sha256(blob).hexdigest()
token = secrets.token_hex(16)
service = "fake-registry"
scope = "repository:%s:pull" % repository


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as a real registry

    def reply(self, status, body=b"", headers=()):
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def error(self, status, code, message, headers=()):
        body = json.dumps({"errors": [{"code": code, "message": message}]}).encode()
        self.reply(status, body, [("Content-Type", "application/json"), *headers])

    def do_GET(self):
        self.route()

    def do_HEAD(self):
        self.route()

    def route(self):
        url = urllib.parse.urlsplit(self.path)
        if url.path == "/token":
            return self.issue(urllib.parse.parse_qs(url.query))
        if self.headers.get("Authorization") != "Bearer " + token:
            challenge = 'Bearer realm="http://%s/token",service="%s",scope="%s"' % (
                self.headers["Host"], service, scope)
            return self.error(401, "UNAUTHORIZED", "authentication required",
                              [("WWW-Authenticate", challenge)])
        if url.path == "/v2/%s/blobs/%s" % (repository, digest):
            return self.reply(200, blob, [("Content-Type", "application/octet-stream"),
                                          ("Docker-Content-Digest", digest)])
        self.error(404, "BLOB_UNKNOWN", "blob unknown to registry")

    def issue(self, query):
        basic = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
        if self.headers.get("Authorization") != "Basic " + basic:
            return self.error(401, "UNAUTHORIZED", "invalid username or password")
        if query.get("service") != [service] or query.get("scope") != [scope]:
            return self.error(400, "DENIED", "unexpected service or scope: %s" % query)
        self.reply(200, json.dumps({"access_token": token}).encode(),
                   [("Content-Type", "application/json")])


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)  # the reader never sees a partial port
server.serve_forever()
