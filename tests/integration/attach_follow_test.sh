#!/usr/bin/env bash
# attach with logs=1&stream=1 on a running container (Docker 0.8's `docker logs -f`) replays
# the stored log and follows it live with no line lost or repeated between the two.
source "$(dirname "$0")/lib.sh"
burrow_setup
require_programs burrowd burrow-shim burrow-overlay
start_burrowd

import_busybox

id=$(api POST /containers/create -H 'Content-Type: application/json' \
  -d '{"Image":"busybox","Cmd":["sh","-c","i=0; while [ $i -lt 60000 ]; do i=$((i+1)); echo $i; [ $((i % 1000)) = 0 ] && usleep 40000; done; true"]}' | json 'd["Id"]')
api POST "/containers/$id/start" >/dev/null
assert_eq "$(api_status)" 204 "start"
sleep 0.3   # some output is in the log before we attach; more is printed while we replay
curl -sS --max-time 60 --unix-socket "$SOCK" -X POST \
  "http://localhost/v1.9/containers/$id/attach?logs=1&stream=1&stdout=1&stderr=1" -o "$T/attach.raw" ||
  fail "attach failed"
python3 - "$T/attach.raw" <<'PY' || fail "attach stream lost or repeated lines"
import sys
# The hijacked v1.9 stream as curl saved it (the HTTP head stripped): 8-byte frames.
body = open(sys.argv[1], "rb").read()
out = b""
while len(body) >= 8:
    n = int.from_bytes(body[4:8], "big")
    out += body[8:8 + n]
    body = body[8 + n:]
lines = out.decode().split()
expected = [str(i) for i in range(1, 60001)]
if lines != expected:
    missing = sorted(set(expected) - set(lines), key=int)[:10]
    print("got %d lines; first missing: %s" % (len(lines), missing), file=sys.stderr)
    sys.exit(1)
PY
echo "attach_follow_test: ok"
