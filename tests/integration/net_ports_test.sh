#!/usr/bin/env bash
# Published ports through burrowd as the unprivileged test user, with the stock docker CLI:
# -p 127.0.0.1:PORT:8080 with busybox httpd and a real HTTP request from the host; inspect
# (NetworkSettings.Ports, IPAddress, HostConfig.PortBindings) and ps; a taken port fails the
# start cleanly; -P with an exposed port (random port from 49153-65535); UDP echo; the port is
# released when the container stops and served again after a restart. Loopback only.
source "$(dirname "$0")/lib.sh"
have_docker_cli || skip "no docker CLI"
burrow_setup
require_programs burrowd burrow-shim burrow-overlay burrow-net burrow-net-probe
# Containers go before burrowd does, also when a check fails (they outlive burrowd otherwise).
remove_containers_on_exit
start_burrowd
api POST "/images/create?fromSrc=-&repo=busybox&tag=latest" --data-binary @"$(busybox_tar)" >/dev/null
assert_eq "$(api_status)" 200 "import busybox"

# http_get PORT: the body from 127.0.0.1:PORT, retried while the container comes up.
http_get() {
  local out
  for _ in $(seq 1 50); do
    out=$(curl -s --max-time 2 "http://127.0.0.1:$1/" 2>/dev/null) && { echo "$out"; return 0; }
    sleep 0.1
  done
  return 1
}
probe() { as_user "$T/bin/burrow-net-probe" "$@"; }
slirp=0
command -v slirp4netns >/dev/null && slirp=1

note "-p 127.0.0.1:PORT:8080"
port=$(free_port)
cid=$(docker_cli run -d -p "127.0.0.1:$port:8080" busybox httpd -f -p 8080 -h /www)
assert_eq "$(http_get "$port")" "hello from burrow" "HTTP through the published port"
assert_eq "$(docker_cli inspect -f '{{range $k, $v := .NetworkSettings.Ports}}{{$k}}={{(index $v 0).HostIp}}:{{(index $v 0).HostPort}}{{end}}' "$cid")" \
  "8080/tcp=127.0.0.1:$port" "inspect NetworkSettings.Ports"
assert_contains "$(docker_cli inspect -f '{{json .HostConfig.PortBindings}}' "$cid")" "\"HostPort\":\"$port\"" "HostConfig.PortBindings"
if [[ $slirp -eq 1 ]]; then
  assert_eq "$(docker_cli inspect -f '{{.NetworkSettings.IPAddress}}/{{.NetworkSettings.IPPrefixLen}} {{.NetworkSettings.Gateway}}' "$cid")" \
    "10.0.2.100/24 10.0.2.2" "IPAddress"
fi
assert_contains "$(docker_cli ps --format '{{.ID}} {{.Ports}}')" "127.0.0.1:$port->8080/tcp" "ps Ports"
list=$(api GET /containers/json)
assert_contains "$list" "\"IP\":\"127.0.0.1\",\"PrivatePort\":8080,\"PublicPort\":$port,\"Type\":\"tcp\"" "list Ports"

note "a taken port"
set +e
out=$(docker_cli run -d --name clash -p "127.0.0.1:$port:8080" busybox httpd -f -p 8080 -h /www 2>&1)
rc=$?
set -e
[[ $rc -ne 0 ]] || fail "second container on port $port started: $out"
assert_contains "$out" "port is already allocated" "conflict message"
assert_eq "$(docker_cli inspect -f '{{.State.Running}}' clash)" false "the clashing container is not running"
assert_eq "$(http_get "$port")" "hello from burrow" "the first container still serves"

note "stop frees the port, restart serves it again"
docker_cli stop -t 1 "$cid" >/dev/null
curl -s --max-time 2 "http://127.0.0.1:$port/" >/dev/null 2>&1 && fail "port $port still served after stop"
docker_cli start "$cid" >/dev/null
assert_eq "$(http_get "$port")" "hello from burrow" "served after restart"
docker_cli rm -f "$cid" clash >/dev/null

note "-P with an exposed port"
cid=$(docker_cli run -d -P --expose 8080 busybox httpd -f -p 8080 -h /www)
hp=$(docker_cli inspect -f '{{(index (index .NetworkSettings.Ports "8080/tcp") 0).HostPort}}' "$cid")
[[ $hp -ge 49153 && $hp -le 65535 ]] || fail "random host port $hp outside 49153-65535"
assert_contains "$(docker_cli ps --format '{{.Ports}}')" "0.0.0.0:$hp->8080/tcp" "ps shows the random port"
assert_eq "$(http_get "$hp")" "hello from burrow" "HTTP through the random port (via 127.0.0.1)"
docker_cli rm -f "$cid" >/dev/null

note "udp"
uport=$(free_port)
cid=$(docker_cli run -d -p "127.0.0.1:$uport:9000/udp" -v "$T/bin:/probe:ro" busybox /probe/burrow-net-probe udp-echo 9000)
assert_eq "$(probe udp-send 127.0.0.1 "$uport" "udp through burrow")" "udp through burrow" "UDP echo"
assert_contains "$(docker_cli port "$cid")" "9000/udp -> 127.0.0.1:$uport" "docker port"
docker_cli rm -f "$cid" >/dev/null

note "v1.9 API: PortSpecs in create, PortBindings in the start body"
port=$(free_port)
body='{"Image":"busybox","Cmd":["httpd","-f","-p","8080","-h","/www"],"PortSpecs":["127.0.0.1:'$port':8080"]}'
id=$(api POST /v1.9/containers/create -H 'Content-Type: application/json' -d "$body" | sed 's/.*"Id":"\([0-9a-f]*\)".*/\1/')
assert_eq "$(api_status)" 201 "create with PortSpecs"
api POST "/v1.9/containers/$id/start" -H 'Content-Type: application/json' -d '{}' >/dev/null
assert_eq "$(http_get "$port")" "hello from burrow" "PortSpecs published"
assert_contains "$(api GET "/v1.9/containers/$id/json")" '"ExposedPorts":{"8080/tcp":{}}' "PortSpecs became ExposedPorts"
port2=$(free_port)
body='{"Image":"busybox","Cmd":["httpd","-f","-p","8080","-h","/www"],"ExposedPorts":{"8080/tcp":{}}}'
id2=$(api POST /v1.9/containers/create -H 'Content-Type: application/json' -d "$body" | sed 's/.*"Id":"\([0-9a-f]*\)".*/\1/')
api POST "/v1.9/containers/$id2/start" -H 'Content-Type: application/json' \
  -d '{"PortBindings":{"8080/tcp":[{"HostIp":"127.0.0.1","HostPort":"'$port2'"}]}}' >/dev/null
assert_eq "$(http_get "$port2")" "hello from burrow" "PortBindings from the start body"
docker_cli rm -f "$id" "$id2" >/dev/null

note "burrowd restart: the forwarder keeps serving, and is re-established when it is gone"
port=$(free_port)
cid=$(docker_cli run -d -p "127.0.0.1:$port:8080" busybox httpd -f -p 8080 -h /www)
assert_eq "$(http_get "$port")" "hello from burrow" "served before the restart"
signal_burrowd TERM 10
assert_eq "$(http_get "$port")" "hello from burrow" "served while burrowd is down"
helper=$(awk '$1 == "helper" {print $2}' "$T/state/containers/$cid/network.state")
[[ -n $helper ]] && kill "$helper"
for _ in $(seq 1 50); do kill -0 "$helper" 2>/dev/null || break; sleep 0.1; done
curl -s --max-time 2 "http://127.0.0.1:$port/" >/dev/null 2>&1 && fail "port $port served without its helper"
start_burrowd
assert_eq "$(http_get "$port")" "hello from burrow" "served again after burrowd adopted the container"
assert_eq "$(docker_cli inspect -f '{{(index (index .NetworkSettings.Ports "8080/tcp") 0).HostPort}}' "$cid")" "$port" \
  "inspect after the restart"
docker_cli rm -f "$cid" >/dev/null
