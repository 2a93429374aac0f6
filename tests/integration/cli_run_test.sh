#!/usr/bin/env bash
# The stock docker CLI (28.x, negotiating API 1.9) against burrowd as an unprivileged user:
# run, run -i with piped stdin, run -d + logs + stop + rm, ps -a, inspect, wait, kill, restart,
# top, --name, -e, -w, -u, -h, -v host:container:ro, --volumes-from, rm -f.
source "$(dirname "$0")/lib.sh"
have_docker_cli || skip "no docker CLI"
burrow_setup
require_programs burrowd burrow-shim burrow-overlay
start_burrowd

import_busybox

note "run"
assert_eq "$(docker_cli run --rm busybox echo hello)" hello "docker run"
assert_eq "$(echo piped | docker_cli run --rm -i busybox cat)" piped "run -i with stdin"
set +e
docker_cli run --name three busybox sh -c 'exit 3'
rc=$?
set -e
assert_eq "$rc" 3 "run exit status"
assert_eq "$(docker_cli wait three)" 3 "docker wait"
set +e
docker_cli run --rm busybox nosuchcommand 2>"$T/err"
rc=$?
set -e
assert_eq "$rc" 127 "run of a missing command"
assert_contains "$(cat "$T/err")" "nosuchcommand" "its error names the command"
assert_eq "$(docker_cli inspect -f '{{.State.ExitCode}} {{.Name}}' three)" "3 /three" "inspect"
assert_contains "$(docker_cli ps -a)" "three" "ps -a lists it"
assert_contains "$(docker_cli ps -a --format '{{.Names}} {{.Status}}')" "three Exit 3" "ps -a status"
docker_cli rm three >/dev/null

note "options"
out=$(docker_cli run --rm -e FOO=bar -w /tmp -h myhost busybox sh -c 'echo $FOO $(pwd) $(hostname)')
assert_eq "$out" "bar /tmp myhost" "-e -w -h"
assert_eq "$(docker_cli run --rm -u nobody busybox id -u)" 65534 "-u nobody"
assert_eq "$(docker_cli run --rm busybox sh -c 'echo $$ $(id -u)')" "1 0" "pid 1 and root"
mkdir -p "$T/hostdir"
echo fromhost > "$T/hostdir/file"
[[ $(id -u) -eq 0 ]] && chown -R "$(test_user)": "$T/hostdir"
assert_eq "$(docker_cli run --rm -v "$T/hostdir:/mnt:ro" busybox cat /mnt/file)" fromhost "-v ro"
assert_eq "$(docker_cli run --rm -v "$T/hostdir:/mnt:ro" busybox sh -c 'echo x > /mnt/new 2>/dev/null || echo ro')" ro \
  "-v ro is read-only"
docker_cli create --name datac -v /data busybox true >/dev/null
docker_cli run --rm --volumes-from datac busybox sh -c 'echo shared > /data/f'
assert_eq "$(docker_cli run --rm --volumes-from datac busybox cat /data/f)" shared "--volumes-from"

note "detached: logs, top, restart, kill, stop, rm"
id=$(docker_cli run -d --name bg busybox sh -c 'echo started; exec sleep 300')
[[ ${#id} -eq 64 ]] || fail "run -d printed '$id'"
for _ in $(seq 1 50); do [[ "$(docker_cli logs bg 2>&1)" == *started* ]] && break; sleep 0.1; done
assert_eq "$(docker_cli logs bg)" started "docker logs"
assert_contains "$(docker_cli top bg)" "sleep 300" "docker top"
assert_contains "$(docker_cli ps)" "bg" "docker ps"
docker_cli restart -t 1 bg >/dev/null
assert_eq "$(docker_cli inspect -f '{{.State.Running}}' bg)" true "restarted"
docker_cli kill bg >/dev/null
assert_eq "$(docker_cli inspect -f '{{.State.Running}}' bg)" false "killed"
docker_cli start bg >/dev/null
docker_cli stop -t 1 bg >/dev/null
assert_eq "$(docker_cli inspect -f '{{.State.Running}}' bg)" false "stopped"
docker_cli start bg >/dev/null
docker_cli rm -f bg >/dev/null
set +e
docker_cli inspect bg >/dev/null 2>&1
rc=$?
set -e
[[ $rc -ne 0 ]] || fail "rm -f left the container"
docker_cli rm datac >/dev/null

note "export"
docker_cli run --name ex busybox sh -c 'echo new > /newfile; rm /www/index.html'
docker_cli export ex -o "$T/ex.tar"
members=$(tar -tf "$T/ex.tar")
assert_contains "$members" "newfile" "export has the container's new file"
assert_contains "$members" "bin/busybox" "export has the image's files"
assert_not_contains "$members" "www/index.html" "export leaves out deleted files"
assert_not_contains "$members" ".wh." "export has no whiteouts"
docker_cli rm ex >/dev/null

note "cp"
docker_cli run --name cpx busybox sh -c 'mkdir -p /d/e; echo hi > /d/e/f; echo top > /t'
mkdir -p "$T/cpout"
[[ $(id -u) -eq 0 ]] && chown "$(test_user)": "$T/cpout"
docker_cli cp cpx:/t "$T/cpout/t"
docker_cli cp cpx:/d "$T/cpout/d"
assert_eq "$(cat "$T/cpout/t") $(cat "$T/cpout/d/e/f")" "top hi" "docker cp of a file and a directory"
set +e
docker_cli cp cpx:/nosuch "$T/cpout/x" 2>/dev/null
rc=$?
set -e
[[ $rc -ne 0 ]] || fail "docker cp of a missing path succeeded"
assert_eq "$(api POST /containers/cpx/copy -H 'Content-Type: application/json' -d '{"Resource":"t"}' | tar -xO)" top \
  "v1.9 copy"
docker_cli rm cpx >/dev/null

note "logs --follow ends with the container"
id=$(docker_cli run -d busybox sh -c 'echo a; sleep 1; echo b >&2')
assert_eq "$(docker_cli logs -f "$id" 2>&1 | tr '\n' ' ')" "a b " "logs -f"
docker_cli rm "$id" >/dev/null
note "ok"
