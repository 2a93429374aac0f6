#!/usr/bin/env bash
# The bearer-token flow against a small fake registry on 127.0.0.1 (python): /v2/ answers 401
# with a Bearer challenge naming a token endpoint on the same server; the token endpoint wants
# basic credentials and hands out a token; /v2/ and the catalog want that token. POST /auth
# and search go through the flow; wrong credentials give 401 with the endpoint's message.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/registry_lib.sh"
command -v python3 >/dev/null || skip "python3 missing"
burrow_setup
require_programs burrowd
start_burrowd

port=$(free_port)
REG="127.0.0.1:$port"
cat >"$T/fake_registry.py" <<'PY'
import base64, json, sys
from http.server import BaseHTTPRequestHandler, HTTPServer
port = int(sys.argv[1])
GOOD = "Basic " + base64.b64encode(b"bob:tok-pw").decode()
class H(BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def send(self, code, body, headers=()):
        data = json.dumps(body).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers: self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)
    def do_GET(self):
        auth = self.headers.get("Authorization", "")
        if self.path.startswith("/token"):
            if auth != GOOD:
                return self.send(401, {"errors": [{"code": "UNAUTHORIZED", "message": "bad credentials for the token service"}]})
            scope = self.path.split("scope=")[1] if "scope=" in self.path else ""
            return self.send(200, {"token": "T0K3N", "scope": scope})
        if auth != "Bearer T0K3N":
            chal = 'Bearer realm="http://127.0.0.1:%d/token",service="fake-registry"' % port
            return self.send(401, {"errors": [{"code": "UNAUTHORIZED", "message": "authentication required"}]},
                             [("WWW-Authenticate", chal)])
        if self.path == "/v2/":
            return self.send(200, {})
        if self.path.startswith("/v2/_catalog"):
            return self.send(200, {"repositories": ["team/tokenized", "other"]})
        if self.path.startswith("/v1/search"):
            return self.send(404, {})
        self.send(404, {"errors": [{"code": "NAME_UNKNOWN", "message": "repository name not known to registry"}]})
HTTPServer(("127.0.0.1", port), H).serve_forever()
PY
python3 "$T/fake_registry.py" "$port" &
BURROWD_PIDS+=("$!")  # lib.sh's cleanup ends it
for _ in $(seq 1 50); do curl -s -o /dev/null "http://$REG/v2/" && break; sleep 0.1; done

out=$(api POST /auth -H 'Content-Type: application/json' -d "{\"username\":\"bob\",\"password\":\"tok-pw\",\"serveraddress\":\"$REG\"}")
assert_eq "$(api_status)" 200 "bearer login"
assert_contains "$out" "Login Succeeded" "bearer login status"
out=$(api POST /auth -H 'Content-Type: application/json' -d "{\"username\":\"bob\",\"password\":\"nope\",\"serveraddress\":\"$REG\"}")
assert_eq "$(api_status)" 401 "bearer login with a wrong password"
assert_contains "$out" "bad credentials for the token service" "token endpoint's message"

auth=$(printf '{"username":"bob","password":"tok-pw"}' | base64 -w0)
out=$(api GET "/images/search?term=$REG/token" -H "X-Registry-Auth: $auth")
assert_eq "$(api_status)" 200 "search with a token"
assert_contains "$out" "\"name\":\"$REG/team/tokenized\"" "catalog through the token"
assert_not_contains "$out" "other" "filtered"
out=$(api POST "/images/create?fromImage=$REG/team/missing&tag=1" -H "X-Registry-Auth: $auth")
assert_contains "$out" "not found" "pull of an unknown repository through the token"
note "ok"
