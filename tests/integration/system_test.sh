#!/usr/bin/env bash
# The system endpoints of a real burrowd run by an unprivileged user on a temporary socket:
# /_ping (GET, HEAD), /version, /info, an unknown path, /events?since= (history kept on disk
# across a restart), the stock docker CLI's `version` and `info` (API 1.9), and that a second
# user cannot connect to the first user's socket.
source "$(dirname "$0")/lib.sh"
burrow_setup
require_programs burrowd


# A stored event from an earlier run: the history on disk is replayed by since=.
mkdir -p "$T/state"
echo '{"seq":1,"status":"destroy","id":"0123456789ab","from":"base:latest","type":"container","timeNano":1374067970000000000,"attributes":{"image":"base:latest"}}' >"$T/state/events.jsonl"
[[ $(id -u) -eq 0 ]] && chown -R "$(test_user)": "$T/state"
start_burrowd

note "/_ping"
body=$(api GET /_ping -D "$T/headers")
assert_eq "$(api_status)" 200 "GET /_ping status"
assert_eq "$body" "OK" "GET /_ping body"
assert_contains "$(tr -d '\r' <"$T/headers")" "API-Version: 1.9" "API-Version header"
curl -sS --unix-socket "$SOCK" -I http://localhost/v1.24/_ping -o "$T/head" -w '%{http_code} %{size_download}' >"$T/status"
assert_eq "$(cat "$T/status")" "200 0" "HEAD /_ping: 200 and no body"
assert_contains "$(tr -d '\r' <"$T/head")" "API-Version: 1.9" "HEAD API-Version header"

note "/version"
v=$(api GET /v1.9/version)
assert_eq "$(api_status)" 200 "/version status"
assert_eq "$(echo "$v" | json 'd["ApiVersion"]')" "1.9" "ApiVersion"
assert_eq "$(echo "$v" | json 'd["Version"]')" "0.1.0" "Version"
assert_eq "$(echo "$v" | json 'd["Os"]')" "linux" "Os"
for key in GitCommit GoVersion Arch KernelVersion; do
  [[ -n $(echo "$v" | json "d[\"$key\"]") ]] || fail "/version lacks $key: $v"
done
assert_eq "$(api GET /version | json 'd["Version"]')" "0.1.0" "/version without prefix"

note "/info"
i=$(api GET /info)
assert_eq "$(api_status)" 200 "/info status"
for key in Containers Images NFd NGoroutines; do
  [[ $(echo "$i" | json "type(d[\"$key\"]).__name__") == int ]] || fail "/info $key is not a number: $i"
done
for key in Debug MemoryLimit SwapLimit IPv4Forwarding; do
  [[ $(echo "$i" | json "type(d[\"$key\"]).__name__") == bool ]] || fail "/info $key is not a boolean: $i"
done
assert_eq "$(echo "$i" | json 'd["Debug"]')" "False" "Debug off without -D"
[[ $(echo "$i" | json 'd["NGoroutines"]') -ge 2 ]] || fail "NGoroutines should count threads: $i"
assert_eq "$(echo "$i" | json 'd["Driver"]')" "burrow-overlay" "Driver"
[[ -n $(echo "$i" | json 'd["KernelVersion"]') ]] || fail "no KernelVersion"
[[ -n $(echo "$i" | json 'd["IdMapping"]["UidMap"]') ]] || fail "no id mapping in /info: $i"
if [[ $(id -u) -eq 0 ]]; then
  # The test user has a subordinate range (scripts/setup-test-host): 0 -> uid, then the range.
  assert_contains "$(echo "$i" | json 'd["IdMapping"]["UidMap"]')" "0:$(id -u "$(test_user)"):1" "uid 0 maps to the user"
fi

note "unknown path"
body=$(api GET /v1.9/no/such/endpoint)
assert_eq "$(api_status)" 404 "unknown path status"
assert_eq "$body" "404 page not found" "unknown path body"

note "/events?since= replays the stored history"
ev=$(api GET "/events?since=1374067900&until=$(date +%s)")
assert_eq "$(api_status)" 200 "/events status"
assert_contains "$ev" '"status":"destroy"' "stored event replayed"
assert_contains "$ev" '"time":1374067970' "event time in seconds"
assert_contains "$ev" '"Actor":{"Attributes":{"image":"base:latest"},"ID":"0123456789ab"}' "modern Actor"
ev=$(api GET "/events?since=1374067980&until=$(date +%s)")
assert_not_contains "$ev" '"destroy"' "since= after the event"

# With the container API in the build, a created container's event is stored and survives a
# restart of burrowd.
api GET /containers/json >/dev/null
if [[ $(api_status) == 200 ]]; then
  api POST "/images/create?fromSrc=-&repo=busybox&tag=latest" --data-binary @"$(busybox_tar)" >/dev/null
  id=$(api POST /containers/create -H 'Content-Type: application/json' -d '{"Image":"busybox","Cmd":["true"]}' | json 'd["Id"]')
  assert_eq "$(api_status)" 201 "create a container"
  i=$(api GET /info)
  assert_eq "$(echo "$i" | json 'd["Containers"]')" "1" "/info counts the container"
  assert_eq "$(echo "$i" | json 'd["ContainersStopped"]')" "1" "/info counts it as stopped"
  [[ $(echo "$i" | json 'd["Images"]') -ge 1 ]] || fail "/info counts no image after an import: $i"
  signal_burrowd TERM 10
  start_burrowd
  filters=$(python3 -c 'import urllib.parse,sys; print(urllib.parse.quote(sys.argv[1]))' "{\"container\":[\"$id\"],\"type\":[\"container\"]}")
  ev=$(api GET "/events?since=1&until=$(date +%s)&filters=$filters")
  assert_contains "$ev" "\"status\":\"create\",\"time\"" "create event after a restart"
  assert_not_contains "$ev" '"destroy"' "filters select the container"
else
  note "container API not in this build: skipping the live event check"
fi

note "docker CLI"
if have_docker_cli; then
  out=$(docker_cli -H "unix://$SOCK" version 2>&1) || fail "docker version failed: $out"
  server=$(echo "$out" | sed -n '/^Server/,$p')
  [[ $server =~ API\ version:\ +1\.9 ]] || fail "docker version does not show API 1.9 for the server: $out"
  out=$(docker_cli -H "unix://$SOCK" info 2>&1) || fail "docker info failed: $out"
  assert_contains "$out" "Server Version: 0.1.0" "docker info server version"
  assert_contains "$out" "Storage Driver: burrow-overlay" "docker info driver"
  out=$(docker_cli info --format '{{.Images}} {{.Driver}}' 2>&1) || fail "docker info --format failed: $out"
  assert_contains "$out" "burrow-overlay" "docker info --format"
else
  note "no docker CLI: skipping docker version/info"
fi

note "another user cannot connect"
assert_eq "$(stat -c %a "$SOCK")" "600" "socket mode"
if [[ $(id -u) -eq 0 ]] && id burrowtest2 >/dev/null 2>&1; then
  if out=$(as_user -u burrowtest2 curl -sS --max-time 5 --unix-socket "$SOCK" http://localhost/_ping 2>&1); then
    fail "burrowtest2 reached burrowtest's daemon: $out"
  fi
  assert_contains "$out" "ouldn't connect" "connection refused for the other user"
else
  note "not root or no burrowtest2: skipping the other-user check"
fi
api GET /_ping >/dev/null
assert_eq "$(api_status)" 200 "still serving"
