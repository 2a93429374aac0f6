#!/usr/bin/env bash
# A clean SIGTERM restart of burrowd (issue 8): by default running containers keep running (same
# Pid, log without a gap, published port served); with --stop-containers-on-exit burrowd stops
# every running container first (SIGTERM, SIGKILL after 10 s), as Docker 0.8 did.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/restart_lib.sh"
burrow_setup
require_programs burrowd burrow-shim burrow-overlay burrow-net
remove_containers_on_exit
start_burrowd
import_busybox

start_counter_and_web '["sh","-c","trap \"exit 4\" TERM; httpd -f -p 8080 -h /www & wait"]'
pid=$(api GET /containers/counter/json | json 'd["State"]["Pid"]')

note "SIGTERM: containers keep running"
signal_burrowd TERM 10
kill -0 "$pid" 2>/dev/null || fail "the container's process $pid ended with burrowd"
assert_eq "$(http_get "$port")" "hello from burrow" "port served while burrowd is down"
sleep 1
start_burrowd --stop-containers-on-exit
assert_eq "$(api GET /containers/counter/json | json 'd["State"]["Running"], d["State"]["Pid"]')" "(True, $pid)" "adopted"
api GET "/containers/counter/logs?stdout=1" | frames | gapless 0 >/dev/null || fail "logs have a gap"
assert_eq "$(http_get "$port")" "hello from burrow" "port served after the restart"

note "--stop-containers-on-exit: SIGTERM stops them"
t0=$(date +%s)
signal_burrowd TERM 20
kill -0 "$pid" 2>/dev/null && fail "the container's process $pid survived --stop-containers-on-exit"
http_get "$port" >/dev/null && fail "port $port still served after the containers were stopped"
grep -q "stopping container ${counter:0:12}" "$T/burrowd.log" || fail "no log line for stopping the counter"
start_burrowd
assert_eq "$(api GET /containers/counter/json | json 'd["State"]["Running"], d["State"]["ExitCode"]')" "(False, 3)" \
  "counter stopped with its TERM exit code"
assert_eq "$(API_TIMEOUT=5 api POST /containers/web/wait | json 'd["StatusCode"]')" 4 "web stopped by SIGTERM"
[[ $(($(date +%s) - t0)) -lt 12 ]] || fail "stopping took the whole timeout"
note "ok"
