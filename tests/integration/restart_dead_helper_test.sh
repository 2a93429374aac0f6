#!/usr/bin/env bash
# A container's helper process that died (issue 8): when its burrow-overlay (the rootfs) or its
# burrow-shim is killed, inspect, ps and wait answer promptly (never hang), the container is
# reported as not running with State.Error saying which helper died, and it can be removed; an
# overlay that died while burrowd was down is reported once burrowd adopts the container; /info
# names each such container in ContainerErrors and in Warnings, which docker info prints.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/restart_lib.sh"
burrow_setup
require_programs burrowd burrow-shim burrow-overlay
remove_containers_on_exit
start_burrowd
import_busybox
export API_TIMEOUT=15
# info_has_error NAME TEXT: /info's ContainerErrors and Warnings name container NAME with TEXT,
# and so does docker info (it prints Warnings) when the docker CLI is installed.
info_has_error() {
  local info
  info=$(api GET /info)
  assert_eq "$(api_status)" 200 "/info"
  assert_contains "$(echo "$info" | json '[e["Error"] for e in d["ContainerErrors"] if e["Name"] == "'"$1"'"]')" "$2" \
    "/info ContainerErrors"
  assert_contains "$(echo "$info" | json '"\n".join(d["Warnings"])')" "): $2" "/info Warnings"
  if have_docker_cli; then
    info=$(docker_cli info 2>&1) || fail "docker info: $info"
    assert_contains "$info" "WARNING: container " "docker info"
    assert_contains "$info" "($1): $2" "docker info"
  fi
}
loop='{"Image":"busybox","Cmd":["sh","-c","while true; do date > /tmp/now; sleep 0.1; done"]}'

for helper in overlay shim; do
  note "kill the container's burrow-$helper"
  create "$loop" "$helper" >/dev/null
  api POST "/containers/$helper/start" >/dev/null
  assert_eq "$(api_status)" 204 "start"
  state=$(cat "$T/state/containers/$(api GET "/containers/$helper/json" | json 'd["Id"]')/state.json")
  if [[ $helper == overlay ]]; then field=OverlayPid; else field=ShimPid; fi
  hpid=$(echo "$state" | json "d.get(\"$field\", 0)")
  [[ $hpid -gt 0 ]] || fail "no $field in state.json: $state"
  kill -KILL "$hpid"
  for _ in $(seq 1 50); do
    [[ $(api GET "/containers/$helper/json" | json 'd["State"]["Running"]') == False ]] && break
    sleep 0.2
  done
  inspect=$(api GET "/containers/$helper/json")
  assert_eq "$(api_status)" 200 "inspect answers"
  assert_eq "$(echo "$inspect" | json 'd["State"]["Running"]')" False "the container is not running any more"
  assert_contains "$(echo "$inspect" | json 'd["State"].get("Error", "")')" "burrow-$helper" "State.Error"
  code=$(api POST "/containers/$helper/wait" | json 'd["StatusCode"]')
  assert_eq "$(api_status)" 200 "wait answers"
  [[ $code -ne 0 ]] || fail "wait gave 0 for a container whose $helper died"
  assert_contains "$(api GET '/containers/json?all=1' | json '[c["Status"] for c in d if "/'$helper'" in c["Names"]]')" "Exit" "ps -a"
  info_has_error "$helper" "burrow-$helper (pid $hpid)"
  api DELETE "/containers/$helper" >/dev/null
  assert_eq "$(api_status)" 204 "remove"
  assert_not_contains "$(api GET /info)" "($helper)" "/info after the removal"
done

note "burrow-overlay killed while burrowd is down: reported once burrowd adopts the container"
id=$(create "$loop" downed)
api POST /containers/downed/start >/dev/null
assert_eq "$(api_status)" 204 "start"
hpid=$(json 'd["OverlayPid"]' <"$T/state/containers/$id/state.json")
signal_burrowd KILL 5
kill -KILL "$hpid"
start_burrowd
for _ in $(seq 1 50); do
  [[ $(api GET /containers/downed/json | json 'd["State"]["Running"]') == False ]] && break
  sleep 0.2
done
assert_eq "$(api GET /containers/downed/json | json 'd["State"]["Running"]')" False "Running after the adoption"
assert_contains "$(api GET /containers/downed/json | json 'd["State"]["Error"]')" "burrow-overlay (pid $hpid)" \
  "State.Error after the adoption"
# 137 when the kill came first, 135 (SIGBUS) when the shell touched its vanished binary before.
code=$(api POST /containers/downed/wait | json 'd["StatusCode"]')
[[ $code -gt 128 ]] || fail "wait gave $code"
info_has_error downed "burrow-overlay (pid $hpid)"
note "ok"
