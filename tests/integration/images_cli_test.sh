#!/usr/bin/env bash
# The stock docker CLI against burrowd for images: import (file and stdin), images, inspect,
# history, tag, rmi, save | load round trip.
source "$(dirname "$0")/lib.sh"
[[ -x "$BURROW_BIN_DIR/burrowd" ]] || skip "burrowd not built"
have_docker_cli || skip "docker CLI not installed"
burrow_setup
start_burrowd
tar_=$(busybox_tar)

id=$(docker_cli import "$tar_" cli/bb:1) || fail "docker import"
[[ $id == sha256:* ]] && id=${id#sha256:}
[[ ${#id} -eq 64 ]] || fail "docker import printed '$id'"
id2=$(as_user cat "$tar_" | docker_cli import - cli/bb:stdin) || fail "docker import -"

out=$(docker_cli images)
assert_contains "$out" "cli/bb" "docker images lists the repository"
assert_contains "$out" "${id:0:12}" "docker images shows the short id"
out=$(docker_cli images cli/bb --format '{{.Repository}}:{{.Tag}}' | sort | tr '\n' ' ')
assert_eq "$out" "cli/bb:1 cli/bb:stdin " "docker images REPO filter"
assert_eq "$(docker_cli image inspect cli/bb:1 --format '{{.Id}}')" "$id" "inspect {{.Id}}"
assert_eq "$(docker_cli image inspect cli/bb:1 --format '{{.Os}}')" "linux" "inspect {{.Os}}"
out=$(docker_cli history cli/bb:1)
assert_contains "$out" "Imported from" "docker history"

docker_cli tag cli/bb:1 cli/other:2 || fail "docker tag"
assert_contains "$(docker_cli images)" "cli/other" "tag listed"

docker_cli save cli/bb:1 -o "$T/saved.tar" || fail "docker save"
out=$(docker_cli rmi cli/bb:1 cli/other:2)
assert_contains "$out" "Deleted: $id" "rmi of the last tag deletes"
assert_not_contains "$(docker_cli images)" "cli/bb   1" "image gone"
out=$(docker_cli load -i "$T/saved.tar")
assert_contains "$out" "Loaded image: cli/bb:1" "docker load"
assert_eq "$(docker_cli image inspect cli/bb:1 --format '{{.Id}}')" "$id" "loaded id"

# save | load through pipes, into a fresh tag
docker_cli rmi cli/bb:stdin >/dev/null
out=$(docker_cli save cli/bb:1 | docker_cli load) || fail "save | load"
assert_contains "$out" "Loaded image" "pipe load"

out=$(docker_cli rmi nothing 2>&1) && fail "rmi of a missing image succeeded"
assert_contains "$out" "No such image" "rmi error"
note "ok"
