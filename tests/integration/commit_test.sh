#!/usr/bin/env bash
# docker commit: a container's changes (added, changed and deleted files) become a new image
# on top of the container's image, through POST /commit and through the docker CLI; the
# image's config is the container's, or a given config merged over it (Docker 0.8's
# MergeConfig); an unknown container is 404.
source "$(dirname "$0")/lib.sh"
burrow_setup
require_programs burrowd burrow-shim burrow-overlay
start_burrowd

import_busybox
base=$(api GET /images/busybox/json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')


note "commit through the API"
cid=$(run_wait '{"Image":"busybox","Env":["STAGE=one"],"WorkingDir":"/srv","Cmd":["sh","-c","echo committed > /hello; rm /www/index.html; echo changed > /etc/motd"]}')
api POST "/commit?container=${cid:0:12}&repo=mine&tag=v1&m=first%20commit&author=Ann" >/dev/null
assert_eq "$(api_status)" 201 "commit status: $(cat "$T/body")"
img=$(json 'd["Id"]' < "$T/body")
api GET /images/mine:v1/json >"$T/img.json"
assert_eq "$(json 'd["id"]' < "$T/img.json")" "$img" "tag points at the commit"
assert_eq "$(json 'd["parent"]' < "$T/img.json")" "$base" "parent is the container's image"
assert_eq "$(json 'd["container"]' < "$T/img.json")" "$cid" "container recorded"
assert_eq "$(json 'd["comment"]' < "$T/img.json")" "first commit" "comment"
assert_eq "$(json 'd["author"]' < "$T/img.json")" "Ann" "author"
assert_contains "$(json 'd["config"]["Env"]' < "$T/img.json")" "STAGE=one" "config is the container's"
assert_eq "$(json 'd["config"]["WorkingDir"]' < "$T/img.json")" "/srv" "working dir kept"

out=$(logs_of "$(run_wait '{"Image":"mine:v1","Cmd":["sh","-c","cat /hello /etc/motd; ls /www | wc -l"]}')" | tr '\n' ' ')
assert_eq "$out" "committed changed 0 " "the committed layer's additions, changes and deletion"

note "a run config merged over the container's config"
api POST "/commit?container=$cid&repo=mine&tag=v2" -H 'Content-Type: application/json' \
  -d '{"Cmd":["cat","/hello"],"Env":["EXTRA=1"]}' >/dev/null
assert_eq "$(api_status)" 201 "commit with config"
api GET /images/mine:v2/json >"$T/img2.json"
assert_eq "$(json 'd["config"]["Cmd"]' < "$T/img2.json")" "['cat', '/hello']" "given Cmd wins"
env2=$(json 'd["config"]["Env"]' < "$T/img2.json")
assert_contains "$env2" "EXTRA=1" "given Env kept"
assert_contains "$env2" "STAGE=one" "container Env merged in"
assert_eq "$(json 'd["config"]["WorkingDir"]' < "$T/img2.json")" "/srv" "empty fields filled from the container"
out=$(logs_of "$(run_wait '{"Image":"mine:v2"}')")
assert_eq "$out" "committed" "the image runs its committed Cmd"

note "errors"
api POST "/commit?container=nosuchcontainer&repo=x" >/dev/null
assert_eq "$(api_status)" 404 "unknown container"
api POST "/commit?container=$cid&repo=Bad%20Repo" >/dev/null
[[ $(api_status) == 4* || $(api_status) == 500 ]] || fail "invalid repo gave $(api_status)"

if have_docker_cli; then
  note "docker commit through the CLI"
  cli_id=$(docker_cli run -d busybox sh -c 'echo from-cli > /cli.txt')
  docker_cli wait "$cli_id" >/dev/null
  docker_cli commit -m "cli commit" -a "Bob" "$cli_id" docker.io/library/cliimage:latest >/dev/null ||
    fail "docker commit failed"
  assert_eq "$(docker_cli run --rm cliimage cat /cli.txt)" "from-cli" "docker run of the committed image"
  assert_eq "$(docker_cli inspect -f '{{.Author}}' cliimage)" "Bob" "author through the CLI"
fi
echo "commit_test: ok"
