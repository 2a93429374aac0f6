#!/usr/bin/env bash
# docker export of a stopped container reads its layers directly (engine/layers_tar.h): the
# merged tree over an image of two layers and the container's changes, with whiteouts, an
# opaque directory (removed and made again) and a hard link, matches what the mount shows.
source "$(dirname "$0")/lib.sh"
have_docker_cli || skip "no docker CLI"
burrow_setup
require_programs burrowd burrow-shim burrow-overlay
start_burrowd

import_busybox

docker_cli run --name base busybox sh -c 'mkdir -p /d/sub && echo a > /d/sub/f && echo b > /d/keep && echo k > /kept'
docker_cli commit base layered >/dev/null
docker_cli run --name ex layered sh -c 'rm -rf /d && mkdir /d && echo c > /d/new; ln /bin/busybox /hl; rm /www/index.html; ln -s /kept /sl'
docker_cli export ex -o "$T/ex.tar"
listing=$(tar -tvf "$T/ex.tar")
members=$(tar -tf "$T/ex.tar")
assert_contains "$members" "d/new" "the directory made again has its new file"
assert_not_contains "$members" "d/sub" "the removed directory's lower contents are hidden (opaque)"
assert_not_contains "$members" "d/keep" "the removed directory's lower files are hidden"
assert_contains "$members" "kept" "a file of the committed layer"
assert_contains "$members" "bin/busybox" "a file of the base layer"
assert_not_contains "$members" "www/index.html" "a deleted file"
assert_not_contains "$members" ".wh." "no whiteouts"
assert_contains "$listing" "hl link to bin/busybox" "the hard link is a link member"
assert_contains "$listing" "sl -> /kept" "the symlink"
tar -xOf "$T/ex.tar" d/new >"$T/new"
assert_eq "$(cat "$T/new")" c "file content from the upper layer"
tar -xOf "$T/ex.tar" kept >"$T/kept"
assert_eq "$(cat "$T/kept")" k "file content from the committed layer"
# The same container exported while it runs (read through its mounted rootfs): same members.
docker_cli rm ex >/dev/null
docker_cli run -d --name live layered sh -c 'rm -rf /d && mkdir /d && echo c > /d/new; ln /bin/busybox /hl; rm /www/index.html; ln -s /kept /sl; sleep 30' >/dev/null
sleep 1
docker_cli export live -o "$T/live.tar"
docker_cli kill live >/dev/null
docker_cli export live -o "$T/stopped.tar"
diff <(tar -tf "$T/live.tar" | grep -v -e '^proc/.' -e '^sys/.' -e '^dev/.' | sort) \
     <(tar -tf "$T/stopped.tar" | grep -v -e '^proc/.' -e '^sys/.' -e '^dev/.' | sort) || fail "running and stopped exports differ"
docker_cli rm -f live base >/dev/null
note "ok"
