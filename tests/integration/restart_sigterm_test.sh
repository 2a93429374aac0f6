#!/usr/bin/env bash
# A clean SIGTERM restart of burrowd (issue 8): by default running containers keep running (same
# Pid, log without a gap, published port served); with --stop-containers-on-exit burrowd stops
# every running container first (SIGTERM, SIGKILL after 10 s), as Docker 0.8 did.
source "$(dirname "$0")/lib.sh"
burrow_setup
require_programs burrowd burrow-shim burrow-overlay burrow-net
remove_containers_on_exit
start_burrowd
import_busybox
http_get() { curl -s --max-time 2 "http://127.0.0.1:$1/" 2>/dev/null; }
gapless() { python3 -c '
import sys
n = [int(l) for l in sys.stdin.read().split()]
if not n or n != list(range(len(n))):
    sys.exit("not contiguous: %s" % (n[:5] + ["..."] + n[-5:]))
print(n[-1])'; }
stop_burrowd() {
  kill -TERM "$BURROWD_PID"
  timeout "$1" tail --pid="$BURROWD_PID" -f /dev/null || fail "burrowd did not exit within $1 s of SIGTERM"
}

counter=$(create '{"Image":"busybox","Cmd":["sh","-c","trap \"exit 3\" TERM; i=0; while true; do echo $i; i=$((i+1)); sleep 0.1; done"]}' counter)
api POST /containers/counter/start >/dev/null
assert_eq "$(api_status)" 204 "start counter"
port=$(free_port)
api POST "/containers/create?name=web" -H 'Content-Type: application/json' \
  -d '{"Image":"busybox","Cmd":["sh","-c","trap \"exit 4\" TERM; httpd -f -p 8080 -h /www & wait"],"ExposedPorts":{"8080/tcp":{}}}' >/dev/null
api POST /containers/web/start -H 'Content-Type: application/json' \
  -d '{"PortBindings":{"8080/tcp":[{"HostIp":"127.0.0.1","HostPort":"'$port'"}]}}' >/dev/null
assert_eq "$(api_status)" 204 "start web"
for _ in $(seq 1 50); do [[ $(http_get "$port") == "hello from burrow" ]] && break; sleep 0.1; done
assert_eq "$(http_get "$port")" "hello from burrow" "port served before the restart"
pid=$(api GET /containers/counter/json | json 'd["State"]["Pid"]')

note "SIGTERM: containers keep running"
stop_burrowd 10
kill -0 "$pid" 2>/dev/null || fail "the container's process $pid ended with burrowd"
assert_eq "$(http_get "$port")" "hello from burrow" "port served while burrowd is down"
sleep 1
start_burrowd --stop-containers-on-exit
assert_eq "$(api GET /containers/counter/json | json 'd["State"]["Running"], d["State"]["Pid"]')" "(True, $pid)" "adopted"
api GET "/containers/counter/logs?stdout=1" | frames | gapless >/dev/null || fail "logs have a gap"
assert_eq "$(http_get "$port")" "hello from burrow" "port served after the restart"

note "--stop-containers-on-exit: SIGTERM stops them"
t0=$(date +%s)
stop_burrowd 20
kill -0 "$pid" 2>/dev/null && fail "the container's process $pid survived --stop-containers-on-exit"
http_get "$port" >/dev/null && fail "port $port still served after the containers were stopped"
grep -q "stopping container ${counter:0:12}" "$T/burrowd.log" || fail "no log line for stopping the counter"
start_burrowd
assert_eq "$(api GET /containers/counter/json | json 'd["State"]["Running"], d["State"]["ExitCode"]')" "(False, 3)" \
  "counter stopped with its TERM exit code"
assert_eq "$(API_TIMEOUT=5 api POST /containers/web/wait | json 'd["StatusCode"]')" 4 "web stopped by SIGTERM"
[[ $(($(date +%s) - t0)) -lt 12 ]] || fail "stopping took the whole timeout"
note "ok"
