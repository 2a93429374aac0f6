#!/usr/bin/env bash
# Images through the API as an unprivileged user: import from the body (plain and gzip) and
# from a URL, list, inspect, history, tag (409 without force), rmi rules, insert, save/load
# round trip, a hand-made real-Docker save archive, and hostile tars refused with the store
# unchanged.
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 missing"
burrow_setup
require_programs burrowd
start_burrowd

tar_=$(busybox_tar)

# --- import from the request body, tagged the way docker import sends it (repo=name:tag)
out=$(api POST "/v1.9/images/create?fromSrc=-&repo=docker.io/library/bb:1" -H 'Content-Type: application/tar' --data-binary "@$tar_")
assert_eq "$(api_status)" 200 "import status"
assert_contains "$out" '"progressDetail"' "import progress"
id=$(printf '%s\n' "$out" | tail -n1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
[[ ${#id} -eq 64 ]] || fail "import did not end with an id: $out"

gzip -c "$tar_" >"$T/bb.tar.gz"
out=$(api POST "/images/create?fromSrc=-&repo=bbgz&tag=x" --data-binary "@$T/bb.tar.gz")
assert_not_contains "$out" '"error"' "gzip import"

# --- list / inspect / history
list=$(api GET /images/json)
assert_contains "$list" '"RepoTags":["bb:1"]' "list tags"
assert_contains "$list" "\"Id\":\"$id\"" "list id"
assert_contains "$list" '"VirtualSize"' "list virtual size"
insp=$(api GET /images/bb:1/json)
assert_eq "$(api_status)" 200 "inspect"
assert_contains "$insp" "\"id\":\"$id\"" "inspect id"
assert_contains "$insp" '"container_config"' "inspect container_config"
assert_contains "$insp" '"Size"' "inspect size"
api GET "/images/${id:0:8}/json" >/dev/null
assert_eq "$(api_status)" 200 "inspect by id prefix"
hist=$(api GET /images/bb:1/history)
assert_contains "$hist" "\"Id\":\"$id\"" "history"
api GET /images/nothing/json >/dev/null
assert_eq "$(api_status)" 404 "unknown image"
assert_contains "$(cat "$T/body")" "No such image: nothing" "404 text"

# --- tag
api POST "/images/bb:1/tag?repo=docker.io/library/bb&tag=2" >/dev/null
assert_eq "$(api_status)" 201 "tag"
api POST "/images/bbgz:x/tag?repo=bb&tag=2" >/dev/null
assert_eq "$(api_status)" 409 "retag without force"
api POST "/images/bb:1/tag?repo=BAD" >/dev/null
assert_eq "$(api_status)" 400 "invalid repository"

# --- rmi: untag while other tags remain, then delete
out=$(api DELETE /images/bb:2)
assert_eq "$(api_status)" 200 "rmi tag"
assert_eq "$out" "[{\"Untagged\":\"$id\"}]" "rmi untag body"
out=$(api DELETE /images/bbgz:x)
assert_contains "$out" '"Deleted"' "rmi deletes the last tag's image"

# --- insert from a URL, import from a URL
mkdir -p "$T/www"
echo "inserted content" >"$T/www/file.txt"
cp "$tar_" "$T/www/rootfs.tar"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 -m http.server "$port" --bind 127.0.0.1 --directory "$T/www" >/dev/null 2>&1 &
http_pid=$!
trap 'kill $http_pid 2>/dev/null; burrow_cleanup' EXIT
for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/" >/dev/null && break; sleep 0.1; done
out=$(api POST "/images/create?fromSrc=http://127.0.0.1:$port/rootfs.tar&repo=fromurl")
assert_contains "$out" '"Downloading from' "url import status"
assert_not_contains "$out" '"error"' "url import"
api GET /images/fromurl/json >/dev/null
assert_eq "$(api_status)" 200 "url import tagged"
out=$(api POST "/images/create?fromSrc=http://127.0.0.1:$port/missing.tar")
assert_contains "$out" '"error"' "url import of a missing file"
out=$(api POST "/images/bb:1/insert?path=/opt/file.txt&url=http://127.0.0.1:$port/file.txt")
assert_not_contains "$out" '"error"' "insert"
new=$(printf '%s\n' "$out" | tail -n1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
hist=$(api GET "/images/$new/history")
assert_contains "$hist" "echo insert http://127.0.0.1:$port/file.txt /opt/file.txt" "insert history"
assert_eq "$(cat "$T/state/images/$new/layer/opt/file.txt")" "inserted content" "inserted file"

# --- hostile tars: refused, store unchanged
before=$(ls "$T/state/images" | sort)
python3 - "$T/evil.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    i = tarfile.TarInfo("ok"); t.addfile(i, io.BytesIO(b""))
    i = tarfile.TarInfo("../../escape"); i.size = 1; t.addfile(i, io.BytesIO(b"x"))
PY
out=$(api POST "/images/create?fromSrc=-&repo=evil" --data-binary "@$T/evil.tar")
assert_contains "$out" 'escape' "traversal refused with the member's name"
head -c 3000 "$tar_" >"$T/trunc.tar"
out=$(api POST "/images/create?fromSrc=-&repo=evil" --data-binary "@$T/trunc.tar")
assert_contains "$out" '"error"' "truncated tar refused"
assert_eq "$(ls "$T/state/images" | sort)" "$before" "store unchanged"

# --- save / load round trip into a second daemon
api GET /images/bb:1/get >"$T/save.tar"
assert_eq "$(api_status)" 200 "save"
cp "$T/body" "$T/save.tar"
tar -tf "$T/save.tar" >"$T/save.list"
grep -qx "repositories" "$T/save.list" || fail "no repositories in save"
grep -qx "$id/layer.tar" "$T/save.list" || fail "no layer.tar in save"
grep -qx "$id/VERSION" "$T/save.list" || fail "no VERSION in save"
api GET "/images/get?names=bb:1&names=fromurl" >/dev/null
assert_eq "$(api_status)" 200 "save of several names"

SOCK1=$SOCK
SOCK="$T/docker2.sock"
mkdir -p "$T/state2" && chown "$(test_user)": "$T/state2" 2>/dev/null || true
as_user --exec "$T/bin/burrowd" --root "$T/state2" -H "unix://$SOCK" >>"$T/burrowd.log" 2>&1 &
BURROWD_PIDS+=("$!")
for _ in $(seq 100); do curl -s --unix-socket "$SOCK" http://localhost/_ping >/dev/null && break; sleep 0.1; done
out=$(api POST "/images/load?quiet=1" --data-binary "@$T/save.tar")
assert_eq "$(api_status)" 200 "load"
assert_contains "$out" "Loaded image: bb:1" "load message"
insp=$(api GET /images/bb:1/json)
assert_contains "$insp" "\"id\":\"$id\"" "loaded image keeps its id"
cmp -s "$T/state/images/$id/layer/bin/busybox" "$T/state2/images/$id/layer/bin/busybox" || fail "layer content differs"

# --- an archive as real Docker 0.8 wrote it (made by hand from the documented format)
lid=$(printf 'a%.0s' $(seq 64))
mkdir -p "$T/d08/$lid"
printf '1.0' >"$T/d08/$lid/VERSION"
printf '{"id":"%s","created":"2014-02-04T10:11:12.123456789Z","container_config":{"Cmd":["/bin/sh","-c","#(nop) ADD rootfs"]},"config":{"Cmd":["/bin/sh"]},"docker_version":"0.8.0","architecture":"amd64","os":"linux","Size":0}' "$lid" >"$T/d08/$lid/json"
cp "$tar_" "$T/d08/$lid/layer.tar"
printf '{"old":{"latest":"%s"}}' "$lid" >"$T/d08/repositories"
tar -C "$T/d08" -cf "$T/d08.tar" repositories "$lid"
out=$(api POST /images/load --data-binary "@$T/d08.tar")
assert_eq "$(api_status)" 200 "load of a Docker 0.8 archive"
hist=$(api GET /images/old/history)
assert_contains "$hist" '#(nop) ADD rootfs' "0.8 archive history"
SOCK=$SOCK1
note "ok"
