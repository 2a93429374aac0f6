#!/usr/bin/env python3
"""A one-image v2 registry on 127.0.0.1 for hardening_crash_build_test.sh: serves LAYER_TAR as
the only layer of <any name>:latest (an OCI manifest, uncompressed layer), and stalls each layer
download after its first MiB until the file RELEASE exists, so that the test can kill burrowd at
a point it observes (the partial download on disk). Writes its port to PORT_FILE.
Usage: slow_registry.py LAYER_TAR RELEASE PORT_FILE"""
import hashlib
import http.server
import json
import os
import sys
import time


def digest(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


layer = open(sys.argv[1], "rb").read()
release, port_file = sys.argv[2], sys.argv[3]
layer_digest = digest(layer)
config = json.dumps({
    "architecture": "amd64", "os": "linux", "config": {"Cmd": ["/bin/sh"]},
    "rootfs": {"type": "layers", "diff_ids": [layer_digest]},
    "history": [{"created": "2026-01-01T00:00:00Z", "created_by": "slow_registry.py"}],
}).encode()
config_digest = digest(config)
manifest_type = "application/vnd.oci.image.manifest.v1+json"
manifest = json.dumps({
    "schemaVersion": 2, "mediaType": manifest_type,
    "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "size": len(config), "digest": config_digest},
    "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar", "size": len(layer), "digest": layer_digest}],
}).encode()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def head(self, status, length, content_type="application/json", extra=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(length))
        self.send_header("Docker-Distribution-API-Version", "registry/2.0")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()

    def answer(self, status, body, content_type="application/json", extra=None):
        self.head(status, len(body), content_type, extra)
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0]
        try:
            if path == "/v2/":
                self.answer(200, b"{}")
            elif "/manifests/" in path:
                self.answer(200, manifest, manifest_type, {"Docker-Content-Digest": digest(manifest)})
            elif path.endswith("/blobs/" + config_digest):
                self.answer(200, config)
            elif path.endswith("/blobs/" + layer_digest):
                self.head(200, len(layer), "application/octet-stream")
                if self.command == "HEAD":
                    return
                first = 1 << 20
                self.wfile.write(layer[:first])
                self.wfile.flush()
                for _ in range(1200):
                    if os.path.exists(release):
                        break
                    time.sleep(0.05)
                self.wfile.write(layer[first:])
            else:
                self.answer(404, b'{"errors":[{"code":"NAME_UNKNOWN","message":"unknown"}]}')
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_HEAD = do_GET


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
server.daemon_threads = True
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
