#!/usr/bin/env bash
# Smoke test of the stock docker CLI (28.x) against burrowd's system endpoints, run as an
# unprivileged user: `docker version` negotiates API 1.9 and shows the server, `docker info`
# renders, and `docker events --since/--until` replays stored events. Skips without the CLI.
source "$(dirname "$0")/lib.sh"
have_docker_cli || skip "no docker CLI"
burrow_setup
require_programs burrowd

mkdir -p "$T/state"
echo '{"seq":1,"status":"die","id":"0123456789abcdef","from":"busybox:latest","type":"container","timeNano":1374067966000000000,"attributes":{"exitCode":"7","image":"busybox:latest","name":"web"}}' >"$T/state/events.jsonl"
[[ $(id -u) -eq 0 ]] && chown -R "$(test_user)": "$T/state"
start_burrowd

note "docker version"
assert_eq "$(docker_cli version --format '{{.Server.APIVersion}}')" "1.9" "server API version"
assert_eq "$(docker_cli version --format '{{.Client.APIVersion}}')" "1.9" "client negotiated down to 1.9"
assert_eq "$(docker_cli version --format '{{.Server.Version}}')" "0.1.0" "server version"
assert_contains "$(docker_cli version --format '{{.Server.GoVersion}}')" "C++20" "compiler in place of GoVersion"

note "docker info"
out=$(docker_cli info 2>&1) || fail "docker info failed: $out"
assert_contains "$out" "Server Version: 0.1.0" "server version line"
assert_contains "$out" "Id Mapping: 0:" "id mapping shown under the storage driver"
assert_eq "$(docker_cli info --format '{{.OSType}}')" "linux" "OSType"
assert_eq "$(docker_cli info --format '{{.Debug}}')" "false" "Debug"

note "docker events"
out=$(docker_cli events --since 1374067900 --until 1374067999 --format '{{.Status}} {{.ID}} {{index .Actor.Attributes "exitCode"}}')
assert_eq "$out" "die 0123456789abcdef 7" "stored event through the CLI"
out=$(docker_cli events --since 1374067900 --until 1374067999 --filter container=web --filter event=die --format '{{.Action}}')
assert_eq "$out" "die" "filters by container name and event"
out=$(docker_cli events --since 1374067900 --until 1374067999 --filter event=start --format '{{.Action}}')
assert_eq "$out" "" "a filter that matches nothing"
