#!/usr/bin/env bash
# burrowd killed with SIGKILL and started again on the same state (issue 8): a running container
# is adopted with the same Pid and StartedAt, its log has every line (the shim kept writing),
# attach stream=1 continues, stop and wait work; a container that exited while burrowd was down
# reports its exit code at once (wait, ps -a "Exit N"); a published port keeps serving.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/restart_lib.sh"
burrow_setup
require_programs burrowd burrow-shim burrow-overlay burrow-net
remove_containers_on_exit
start_burrowd
import_busybox

start_counter_and_web '["httpd","-f","-p","8080","-h","/www"]'
create '{"Image":"busybox","Cmd":["sh","-c","sleep 1; exit 7"]}' shortlived >/dev/null
api POST /containers/shortlived/start >/dev/null
assert_eq "$(api_status)" 204 "start shortlived"
before=$(api GET /containers/counter/json | json 'd["State"]["Pid"], d["State"]["StartedAt"]')
sleep 0.5

note "SIGKILL burrowd, 2 s down"
signal_burrowd KILL 5
served_down=0
for _ in $(seq 1 10); do [[ $(http_get "$port") == "hello from burrow" ]] && served_down=$((served_down + 1)); sleep 0.2; done
[[ $served_down -ge 8 ]] || fail "port served only $served_down of 10 times while burrowd was down"
start_burrowd

note "the adopted counter"
after=$(api GET /containers/counter/json | json 'd["State"]["Pid"], d["State"]["StartedAt"]')
assert_eq "$after" "$before" "Pid and StartedAt after the restart"
assert_eq "$(api GET /containers/counter/json | json 'd["State"]["Running"]')" True "counter runs"
assert_contains "$(api GET /containers/json | json '[c["Names"] for c in d]')" "/counter" "ps lists the counter"
last=$(api GET "/containers/counter/logs?stdout=1" | frames | gapless 0) || fail "logs have a gap"
[[ $last -ge 25 ]] || fail "only $last lines logged across a 2.5 s restart"
attached=$(curl -s --max-time 1.5 --unix-socket "$SOCK" -X POST \
  "http://localhost/v1.9/containers/counter/attach?stream=1&stdout=1" | frames || true)
first=$(echo "$attached" | head -n 1)
[[ -n $first && $first -gt $last ]] || fail "attach stream=1 after the restart gave '$first' (log ended at $last)"
echo "$attached" | gapless "$first" >/dev/null || fail "attach stream has a gap"
api POST "/containers/counter/stop?t=5" >/dev/null
assert_eq "$(api_status)" 204 "stop the adopted counter"
assert_eq "$(API_TIMEOUT=5 api POST /containers/counter/wait | json 'd["StatusCode"]')" 3 "counter's exit code"
api GET "/containers/counter/logs?stdout=1" | frames | gapless 0 >/dev/null || fail "logs have a gap after stop"

note "the container that exited while burrowd was down"
# At once: a wait that blocked would run into API_TIMEOUT; only curl is timed (a loaded CI
# machine can take a second to start python).
t0=$(date +%s%N)
API_TIMEOUT=10 api POST /containers/shortlived/wait >"$T/wait.json"
waited_ms=$((($(date +%s%N) - t0) / 1000000))
assert_eq "$(json 'd["StatusCode"]' <"$T/wait.json")" 7 "wait after the restart"
[[ $waited_ms -lt 3000 ]] || fail "wait took $waited_ms ms, not at once"
assert_eq "$(api GET '/containers/json?all=1' | json '[c["Status"] for c in d if "/shortlived" in c["Names"]][0]')" "Exit 7" "ps -a"

note "the published port after the restart"
assert_eq "$(http_get "$port")" "hello from burrow" "port served after the restart"
if have_docker_cli; then
  assert_contains "$(docker_cli ps --format '{{.Names}} {{.Ports}}')" "web 127.0.0.1:$port->8080/tcp" "docker ps"
  assert_contains "$(docker_cli ps -a --format '{{.Names}} {{.Status}}')" "shortlived Exit" "docker ps -a"
fi
note "ok"
