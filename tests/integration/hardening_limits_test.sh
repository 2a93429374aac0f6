#!/usr/bin/env bash
# burrowd's request limits, lowered on the command line (--max-json-body, --max-header-bytes,
# --max-connections): a JSON body over the limit (with a length or chunked) gets 400 naming the
# option, a request head over it 431, connections past the limit wait until one ends; below the
# limits everything works, and the daemon keeps serving throughout. Bad values stop burrowd at
# once with a message.
source "$(dirname "$0")/lib.sh"
burrow_setup
require_programs burrowd burrow-shim burrow-overlay
API_TIMEOUT=20

rc=0
"$T/bin/burrowd" --max-json-body 12 >"$T/out" 2>&1 || rc=$?
assert_eq "$rc" 2 "burrowd with a limit below 1k"
assert_contains "$(cat "$T/out")" "--max-json-body takes a size" "message for a bad size"
rc=0
"$T/bin/burrowd" --max-connections 0 >"$T/out" 2>&1 || rc=$?
assert_eq "$rc" 2 "burrowd with no connections"
assert_contains "$(cat "$T/out")" "--max-connections takes a number" "message for a bad count"
assert_contains "$("$T/bin/burrowd" --help)" "--max-header-bytes" "--help lists the limits"

start_burrowd -D --max-json-body 64k --max-header-bytes 8k --max-connections 4
assert_contains "$(cat "$T/burrowd.log")" "limits: 4 connections, JSON bodies up to 65536 bytes, request heads up to 8192 bytes" \
  "limits logged at start"
alive() {
  api GET /_ping >/dev/null || fail "no answer after $1"
  assert_eq "$(api_status)" 200 "daemon alive after $1"
}

import_busybox  # a streamed body, not a JSON body: no limit

body_of() { printf '{"Image":"busybox","Cmd":["true"],"Env":["A=%s"]}' "$(head -c "$1" /dev/zero | tr '\0' a)"; }
body_of 60000 >"$T/fits.json"
body_of 70000 >"$T/big.json"
JSON=(-H 'Content-Type: application/json')

out=$(api POST "/containers/create?name=fits" "${JSON[@]}" --data-binary @"$T/fits.json")
assert_eq "$(api_status)" 201 "a 60 KB create body under the 64 KiB limit: $out"
out=$(api POST "/containers/create?name=big" "${JSON[@]}" --data-binary @"$T/big.json")
assert_eq "$(api_status)" 400 "a 70 KB create body over the limit"
assert_contains "$out" "larger than the limit of 65536 bytes (burrowd --max-json-body)" "message for a large body"
alive "a large body"
out=$(api POST "/containers/create?name=big" "${JSON[@]}" -H 'Transfer-Encoding: chunked' --data-binary @"$T/big.json")
assert_eq "$(api_status)" 400 "a chunked 70 KB create body"
assert_contains "$out" "(burrowd --max-json-body)" "message for a large chunked body"
alive "a large chunked body"
out=$(api POST "/containers/fits/start" "${JSON[@]}" --data-binary @"$T/big.json")
assert_eq "$(api_status)" 400 "a 70 KB start body"
alive "a large start body"
api GET "/containers/big/json" >/dev/null
assert_eq "$(api_status)" 404 "no container from a refused body"

pad=$(head -c 5000 /dev/zero | tr '\0' p)  # POCO refuses a single value above 8 KiB itself (a bare 400)
out=$(api GET /containers/json -H "X-Padding-1: $pad" -H "X-Padding-2: $pad")
assert_eq "$(api_status)" 431 "a 10 KB request head over the 8 KiB limit"
assert_contains "$out" "larger than the limit of 8192 bytes (burrowd --max-header-bytes)" "message for a large head"
out=$(api GET /containers/json -H "X-Padding: $(head -c 7000 /dev/zero | tr '\0' p)")
assert_eq "$(api_status)" 200 "a 7 KB request head under the limit"
alive "a large head"

# Four event streams take the four connections; a fifth request waits in the queue until one
# of them ends.
stream_pids=()
for i in 1 2 3 4; do
  curl -sS -N --unix-socket "$SOCK" "http://localhost/events" >/dev/null 2>&1 &
  stream_pids+=($!)
done
sleep 1
rc=0
curl -sS --max-time 2 --unix-socket "$SOCK" -o /dev/null http://localhost/_ping 2>/dev/null || rc=$?
assert_eq "$rc" 28 "a fifth connection waits while four streams hold the limit (curl timeout)"
curl -sS --max-time 20 --unix-socket "$SOCK" -o "$T/queued" http://localhost/_ping &
queued=$!
sleep 0.5
kill "${stream_pids[0]}"
wait "$queued" || fail "the queued request was not served after a stream ended"
assert_eq "$(cat "$T/queued")" "OK" "the queued request's answer"
kill "${stream_pids[@]:1}" 2>/dev/null || true
wait "${stream_pids[@]}" 2>/dev/null || true
alive "the connection limit"

api DELETE /containers/fits >/dev/null
assert_eq "$(api_status)" 204 "remove the container"
