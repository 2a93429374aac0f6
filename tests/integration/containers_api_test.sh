#!/usr/bin/env bash
# Containers through the raw API (curl), daemon as an unprivileged user: create/start/stop/
# kill/wait/restart/remove, inspect, ps status strings, top, changes, logs, volumes, binds,
# ids and ownership inside the sandbox, and the error statuses of bad input.
source "$(dirname "$0")/lib.sh"
burrow_setup
require_programs burrowd burrow-shim burrow-overlay
start_burrowd

import_busybox


note "bad input"
api POST /containers/create -H 'Content-Type: application/json' -d '{"Image": "busybox", ' >/dev/null
[[ $(api_status) == 4* || $(api_status) == 500 ]] || fail "bad JSON gave $(api_status)"
api GET /_ping >/dev/null
assert_eq "$(api_status)" 200 "daemon alive after bad JSON"
api POST /containers/create -H 'Content-Type: application/json' -d '{"Image":"nosuchimage","Cmd":["true"]}' >/dev/null
assert_eq "$(api_status)" 404 "missing image"
api POST "/containers/create?name=bad%20name" -H 'Content-Type: application/json' -d '{"Image":"busybox","Cmd":["true"]}' >/dev/null
assert_eq "$(api_status)" 400 "invalid name"
for ep in "GET /containers/nosuch/json" "POST /containers/nosuch/start" "POST /containers/nosuch/stop" \
  "POST /containers/nosuch/kill" "POST /containers/nosuch/wait" "DELETE /containers/nosuch" \
  "GET /containers/nosuch/top" "GET /containers/nosuch/changes"; do
  api $ep >/dev/null
  assert_eq "$(api_status)" 404 "$ep"
done

note "exit codes, logs, pid 1 and root"
id=$(run_wait '{"Image":"busybox","Cmd":["sh","-c","echo out; echo err >&2; exit 3"]}')
assert_eq "$(api POST "/containers/$id/wait" | json 'd["StatusCode"]')" 3 "wait status"
assert_eq "$(logs_of "$id" | sort | tr '\n' ' ')" "err out " "logs"
assert_eq "$(api GET "/containers/$id/json" | json 'd["State"]["ExitCode"]')" 3 "inspect exit code"
api GET "/containers/json?all=1" | json '[c["Status"] for c in d if c["Id"]=="'"$id"'"][0]' | grep -qx "Exit 3" ||
  fail "ps -a status"
id=$(run_wait '{"Image":"busybox","Cmd":["sh","-c","echo $$; id -u; ps -o pid= | wc -l"]}')
out=$(logs_of "$id" | tr '\n' ' ')
assert_eq "$(echo "$out" | cut -d' ' -f1,2)" "1 0" "pid 1 and uid 0 inside"
[[ $(echo "$out" | cut -d' ' -f3) -le 3 ]] || fail "the container sees host processes: $out"

note "changes"
id=$(run_wait '{"Image":"busybox","Cmd":["sh","-c","echo x > /newfile; rm /www/index.html"]}')
ch=$(api GET "/containers/$id/changes")
assert_contains "$ch" '"Path":"/newfile","Kind":1' "added file"
assert_contains "$ch" '"Path":"/www/index.html","Kind":2' "deleted file"

note "a long-running container: start twice, top, ps, stop, restart, kill"
id=$(create '{"Image":"busybox","Cmd":["sleep","300"]}' sleeper)
api POST "/containers/create?name=sleeper" -H 'Content-Type: application/json' -d '{"Image":"busybox","Cmd":["true"]}' >/dev/null
assert_eq "$(api_status)" 409 "name conflict"
api POST "/containers/sleeper/start" >/dev/null
assert_eq "$(api_status)" 204 "start"
api POST "/containers/sleeper/start" >/dev/null
[[ $(api_status) == 4* || $(api_status) == 5* ]] || fail "second start gave $(api_status)"
top=$(api GET "/containers/sleeper/top")
assert_contains "$top" '"PID"' "top titles"
assert_contains "$top" 'sleep' "top rows"
assert_contains "$(api GET /containers/json)" '"Status":"Up ' "ps status"
api DELETE "/containers/sleeper" >/dev/null
assert_eq "$(api_status)" 409 "remove running"
api POST "/containers/sleeper/stop?t=1" >/dev/null
assert_eq "$(api_status)" 204 "stop"
assert_eq "$(api GET "/containers/sleeper/json" | json 'd["State"]["Running"]')" False "stopped"
api POST "/containers/sleeper/restart?t=1" >/dev/null
assert_eq "$(api_status)" 204 "restart"
assert_eq "$(api GET "/containers/sleeper/json" | json 'd["State"]["Running"]')" True "restarted"
api POST "/containers/sleeper/kill" >/dev/null
assert_eq "$(api_status)" 204 "kill"
assert_eq "$(api POST "/containers/sleeper/wait" | json 'd["StatusCode"]')" 137 "killed status"
api DELETE "/containers/sleeper" >/dev/null
assert_eq "$(api_status)" 204 "remove"
api GET "/containers/sleeper/json" >/dev/null
assert_eq "$(api_status)" 404 "removed"

note "binds, volumes, volumes-from, ownership on the host"
mkdir -p "$T/hostdir"
[[ $(id -u) -eq 0 ]] && chown "$(test_user)": "$T/hostdir"
id=$(create '{"Image":"busybox","Cmd":["sh","-c","echo hi > /mnt/f; echo v > /data/v"],"Volumes":{"/data":{}},"HostConfig":{"Binds":["'"$T/hostdir"':/mnt"]}}')
api POST "/containers/$id/start" >/dev/null
api POST "/containers/$id/wait" >/dev/null
assert_eq "$(cat "$T/hostdir/f")" hi "bind write"
owner=$(stat -c %u "$T/hostdir/f")
[[ $owner -ne 0 ]] || fail "a file written by container root is owned by host root"
assert_eq "$owner" "$(id -u "$(test_user)")" "owner of a file written as container root"
vol=$(api GET "/containers/$id/json" | json 'd["Volumes"]["/data"]')
[[ -f "$vol/v" ]] || fail "volume content missing at $vol"
id2=$(run_wait '{"Image":"busybox","Cmd":["cat","/data/v"],"HostConfig":{"VolumesFrom":["'"$id"'"]}}')
assert_eq "$(logs_of "$id2")" v "volumes-from"
id3=$(run_wait '{"Image":"busybox","Cmd":["sh","-c","touch /mnt/ro 2>/dev/null && echo writable || echo readonly"],"HostConfig":{"Binds":["'"$T/hostdir"':/mnt:ro"]}}')
assert_eq "$(logs_of "$id3")" readonly "read-only bind"
api DELETE "/containers/$id2" >/dev/null
api DELETE "/containers/$id?v=1" >/dev/null
assert_eq "$(api_status)" 204 "remove with volumes"
[[ ! -e "$vol" ]] || fail "volume $vol kept after v=1"
note "ok"
