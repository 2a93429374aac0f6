#!/usr/bin/env bash
# Containers across a burrowd restart (a running one is adopted, one that ended meanwhile gets
# its exit code, logs survive), plus the event stream of a container's life (die carries
# exitCode), logs options, the v1.9 attach replay, and the resource-limit warnings.
source "$(dirname "$0")/lib.sh"
burrow_setup
require_programs burrowd burrow-shim burrow-overlay
start_burrowd

import_busybox

note "events of a container's life"
since=$(date +%s)
id=$(create '{"Image":"busybox","Cmd":["sh","-c","exit 5"]}')
api POST "/containers/$id/start" >/dev/null
assert_eq "$(api POST "/containers/$id/wait" | json 'd["StatusCode"]')" 5 "wait"
api DELETE "/containers/$id" >/dev/null
events=$(API_TIMEOUT=5 api GET "/events?since=$since&until=$(($(date +%s) + 1))")
mine=$(echo "$events" | python3 -c '
import json, sys
evs = [json.loads(l) for l in sys.stdin if l.strip()]
print(" ".join(e["status"] + ("=" + e["Actor"]["Attributes"]["exitCode"] if e["status"] == "die" else "")
               for e in evs if e.get("id") == sys.argv[1]))' "$id")
assert_eq "$mine" "create start die=5 destroy" "events of the container"

note "resource limits without a delegated cgroup give warnings"
if [[ ! -w /sys/fs/cgroup/cgroup.subtree_control ]]; then
  out=$(api POST /containers/create -H 'Content-Type: application/json' -d '{"Image":"busybox","Cmd":["true"],"Memory":4194304,"CpuShares":512}')
  assert_eq "$(echo "$out" | json 'len(d["Warnings"])')" 2 "warnings for Memory and CpuShares"
fi

note "logs: tail, timestamps, v1.9 attach replay"
id=$(create '{"Image":"busybox","Cmd":["sh","-c","echo one; echo two; echo three >&2"]}')
api POST "/containers/$id/start" >/dev/null
api POST "/containers/$id/wait" >/dev/null
assert_eq "$(api GET "/containers/$id/logs?stdout=1&stderr=1&tail=1" | frames)" three "tail=1"
assert_eq "$(api GET "/containers/$id/logs?stdout=1" | frames | tr '\n' ' ')" "one two " "stdout only"
stamped=$(api GET "/containers/$id/logs?stdout=1&timestamps=1" | frames)
[[ "${stamped%%$'\n'*}" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[^\ ]+Z\ one$ ]] || fail "timestamps: $stamped"
api GET "/containers/$id/logs" >/dev/null
assert_eq "$(api_status)" 400 "logs without a stream"
replay=$(curl -sS -i --max-time 10 --unix-socket "$SOCK" -X POST "http://localhost/v1.9/containers/$id/attach?logs=1&stdout=1&stderr=1" | tr -d '\0')
assert_contains "$replay" "HTTP/1.1 200 OK" "v1.9 attach status"
assert_contains "$replay" "application/vnd.docker.raw-stream" "v1.9 attach content type"
assert_contains "$replay" "three" "attach replay"

note "a restart of burrowd adopts running containers"
run=$(create '{"Image":"busybox","Cmd":["sh","-c","echo started; exec sleep 300"]}' keeper)
api POST "/containers/keeper/start" >/dev/null
short=$(create '{"Image":"busybox","Cmd":["sh","-c","sleep 1; exit 7"]}' short)
api POST "/containers/short/start" >/dev/null
signal_burrowd TERM 10
sleep 1.5
start_burrowd
assert_eq "$(api GET /containers/keeper/json | json 'd["State"]["Running"]')" True "adopted container runs"
assert_eq "$(api GET "/containers/keeper/logs?stdout=1" | frames)" started "logs survive the restart"
for _ in $(seq 1 50); do
  [[ $(api GET /containers/short/json | json 'd["State"]["Running"]') == False ]] && break
  sleep 0.1
done
assert_eq "$(api GET /containers/short/json | json 'd["State"]["ExitCode"]')" 7 "exit while burrowd was down"
api POST "/containers/keeper/stop?t=1" >/dev/null
assert_eq "$(api_status)" 204 "stop the adopted container"
assert_eq "$(api POST /containers/keeper/wait | json 'd["StatusCode"]')" 137 "its exit code"
api DELETE "/containers/keeper" >/dev/null
api DELETE "/containers/short" >/dev/null
note "ok"
