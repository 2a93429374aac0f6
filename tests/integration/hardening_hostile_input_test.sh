#!/usr/bin/env bash
# Hostile input against a real burrowd (as the unprivileged test user): malformed, deeply
# nested and oversized JSON, oversized headers, URIs and bodies, garbage request lines, bad
# query values, invalid names and ids, truncated and escaping tars to import and load, chunked
# bodies cut short by the client, and a half-closed hijacked attach. Each gets an error status
# with a message (or a 400 and a closed connection for broken HTTP), the daemon keeps serving,
# and the image and container lists are the same afterwards.
source "$(dirname "$0")/lib.sh"
command -v python3 >/dev/null || skip "python3 missing"
burrow_setup
require_programs burrowd burrow-shim burrow-overlay
start_burrowd
API_TIMEOUT=20

api POST "/images/create?fromSrc=-&repo=busybox&tag=latest" --data-binary @"$(busybox_tar)" >/dev/null
assert_eq "$(api_status)" 200 "import busybox"
api POST "/containers/create?name=keeper" -H 'Content-Type: application/json' -d '{"Image":"busybox","Cmd":["true"]}' >/dev/null
assert_eq "$(api_status)" 201 "create the reference container"

snapshot() { api GET "/images/json?all=1"; echo; api GET "/containers/json?all=1"; echo; }
snapshot >"$T/before"

problems=()  # collected so that one run reports every wrong answer
alive() {
  api GET /_ping >/dev/null || fail "no answer after $1"
  assert_eq "$(api_status)" 200 "daemon alive after $1"
}
# refused WHAT METHOD PATH [CURL ARGS]: an error status (4xx/5xx) with a message in the body.
refused() {
  local what=$1 method=$2 path=$3
  shift 3
  api "$method" "$path" "$@" >/dev/null || fail "$what: curl failed"
  local st
  st=$(api_status)
  [[ $st == 4* || $st == 5* ]] || problems+=("$what: expected an error status, got $st: $(head -c 300 "$T/body")")
  [[ -s "$T/body" || $method == HEAD ]] || problems+=("$what: status $st without a message")
  note "$what -> $st $(head -c 120 "$T/body" | tr '\n' ' ')"
}
JSON=(-H 'Content-Type: application/json')

note "malformed JSON bodies"
for body in '{' '{"Image":' '[]' '"string"' '42' 'null' '{"Image":"busybox","Cmd":5}' \
  '{"Image":["busybox"]}' '{"Image":"busybox","Memory":"lots","Cmd":["true"]}' '{"Image":"busybox","Cmd":["true"],"ExposedPorts":[1]}' \
  '{"Image":"busybox","Cmd":["true"],"Volumes":"x"}' '{"Image":"busybox","Cmd":["true"],"HostConfig":"x"}' \
  '{"Image":"busybox","Cmd":["true"],"HostConfig":{"Binds":"x"}}' \
  '{"Image":"busybox","Cmd":["true"],"HostConfig":{"Binds":["relative:/x"]}}' \
  $'{"Image":"busybox\x01","Cmd":["true"]}' '{"Image":"\ud800","Cmd":["true"]}'; do
  refused "create body $(printf '%q' "$body" | head -c 60)" POST /containers/create "${JSON[@]}" --data-binary "$body"
done
# Lenient like newer Docker (a string for a list, scalars as strings): accepted or refused, but
# an accepted one is a normal container that can be removed again.
for body in '{"Image":"busybox","Env":"A=B","Cmd":["true"]}' '{"Image":"busybox","Env":[1,2],"Cmd":["true"]}' \
  '{"Image":"busybox","Cmd":[{"a":1}]}' '{"Image":"busybox","Cmd":"true","Entrypoint":""}' \
  '{"Image":"busybox","Cmd":["true"],"HostConfig":{"PortBindings":{"80/tcp":[{"HostPort":"99999"}]}}}' \
  '{"Image":"busybox","Cmd":["true"],"User":"nosuchuser:nosuchgroup:x"}' '{"Image":"busybox","Cmd":["true"]} trailing'; do
  out=$(api POST /containers/create "${JSON[@]}" --data-binary "$body")
  note "lenient body $body -> $(api_status) $out"
  case $(api_status) in
    201) api DELETE "/containers/$(printf '%s' "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["Id"])')" >/dev/null
         assert_eq "$(api_status)" 204 "remove the container of a lenient body" ;;
    4*|5*) [[ -n $out ]] || fail "lenient body $body: error without a message" ;;
    *) fail "lenient body $body: status $(api_status)" ;;
  esac
done
alive "malformed JSON"

python3 - "$T" <<'EOF'
import sys
t = sys.argv[1]
open(t + "/deep.json", "w").write('{"Image":"busybox","Cmd":' + "[" * 200000 + "]" * 200000 + "}")
open(t + "/deepobj.json", "w").write('{"a":' * 100000 + "1" + "}" * 100000)
open(t + "/bigenv.json", "w").write('{"Image":"busybox","Cmd":["true"],"Env":["' + "A" * (5 << 20) + '"]}')
EOF
refused "deeply nested array" POST /containers/create "${JSON[@]}" --data-binary @"$T/deep.json"
refused "deeply nested object" POST /containers/create "${JSON[@]}" --data-binary @"$T/deepobj.json"
refused "5 MiB JSON body" POST /containers/create "${JSON[@]}" --data-binary @"$T/bigenv.json"
assert_eq "$(api_status)" 400 "JSON body above the 4 MiB limit"
assert_contains "$(cat "$T/body")" "larger than" "body limit message"
refused "deep start body" POST /containers/keeper/start "${JSON[@]}" --data-binary @"$T/deepobj.json"
refused "deeply nested events filter" GET "/events?since=1&until=2&filters=$(python3 -c 'print("%5B"*5000)')"
alive "deep and oversized JSON"

note "bad query values"
refused "all=maybe" GET "/containers/json?all=maybe"
refused "limit=abc" GET "/containers/json?limit=abc"
refused "size=2" GET "/containers/json?size=2"
refused "wait t" POST "/containers/keeper/stop?t=abc"
refused "restart t overflow" POST "/containers/keeper/restart?t=999999999999999999999999"
refused "kill signal" POST "/containers/keeper/kill?signal=NOTASIGNAL"
refused "kill signal number" POST "/containers/keeper/kill?signal=99999"
refused "resize h" POST "/containers/keeper/resize?h=abc&w=80"
refused "resize negative" POST "/containers/keeper/resize?h=-1&w=-1"
refused "logs tail" GET "/containers/keeper/logs?stdout=1&tail=xyz"
refused "events since" GET "/events?since=abc"
refused "events filters" GET "/events?since=1&until=2&filters=%7Bnot-json"
refused "events filters type" GET "/events?since=1&until=2&filters=%5B1%2C2%5D"
refused "images all" GET "/images/json?all=perhaps"
refused "rmi force" DELETE "/images/busybox?force=sometimes"
refused "rm v" DELETE "/containers/keeper?v=yes_please"
refused "bad percent-encoding" GET "/containers/json?all=%zz"
alive "bad query values"

note "invalid names and ids"
refused "name with slash path" POST "/containers/create?name=../../etc" "${JSON[@]}" -d '{"Image":"busybox","Cmd":["true"]}'
refused "name with NUL" POST "/containers/create?name=a%00b" "${JSON[@]}" -d '{"Image":"busybox","Cmd":["true"]}'
refused "name 4096 chars" POST "/containers/create?name=$(head -c 4096 /dev/zero | tr '\0' a)" "${JSON[@]}" -d '{"Image":"busybox","Cmd":["true"]}'
refused "name with newline" POST "/containers/create?name=a%0Ab" "${JSON[@]}" -d '{"Image":"busybox","Cmd":["true"]}'
refused "image ../" POST /containers/create "${JSON[@]}" -d '{"Image":"../../../etc","Cmd":["true"]}'
refused "image with NUL" POST /containers/create "${JSON[@]}" -d '{"Image":"busy\u0000box","Cmd":["true"]}'
refused "image empty" POST /containers/create "${JSON[@]}" -d '{"Image":"","Cmd":["true"]}'
for id in ".." "..%2F..%2Fetc" "%00" "$(head -c 300 /dev/zero | tr '\0' f)" "a%0Ab" "keeper%2F..%2Fkeeper"; do
  refused "container id $id" GET "/containers/$id/json"
  refused "container id $id delete" DELETE "/containers/$id"
done
for name in ".." "..%2F..%2Fetc" "%00" "busybox%00" "a:b:c:d" "UPPER" "x%0Ay" "$(head -c 300 /dev/zero | tr '\0' f)"; do
  refused "image name $name" GET "/images/$name/json"
  refused "image name $name delete" DELETE "/images/$name"
done
refused "tag to bad repo" POST "/images/busybox/tag?repo=..%2Fx"
refused "tag to uppercase" POST "/images/busybox/tag?repo=busybox&tag=bad%2Ftag"
refused "import to bad repo" POST "/images/create?fromSrc=-&repo=..%2F..%2Fx" --data-binary @"$(busybox_tar)"
# "aaa...a!" made the repository validator's std::regex backtrack exponentially (minutes per
# request from 25 characters on); it must be refused at once.
started=$(date +%s)
refused "repository name that made the validator backtrack" POST "/images/busybox/tag?repo=$(head -c 60 /dev/zero | tr '\0' a)%21"
(( $(date +%s) - started < 5 )) || fail "validating a 61-character repository name took $(( $(date +%s) - started )) s"
refused "save unknown" GET "/images/get?names=nosuch"
refused "save bad name" GET "/images/%2E%2E%2Fx/get"
alive "invalid names and ids"

note "hostile tars to import and load"
tar_=$(busybox_tar)
head -c 3000 "$tar_" >"$T/trunc.tar"
head -c 200000 /dev/urandom >"$T/random.bin"
printf '\x1f\x8b\x08\x00garbage' >"$T/badgz.tar.gz"
mark="burrow-hardening-$$-$RANDOM"
python3 - "$T" "$mark" <<'EOF'
import io, sys, tarfile, json
t, mark = sys.argv[1], sys.argv[2]
def add(tf, name, data=b"x", **kw):
    ti = tarfile.TarInfo(name)
    for k, v in kw.items(): setattr(ti, k, v)
    if ti.type in (tarfile.REGTYPE, tarfile.AREGTYPE): ti.size = len(data); tf.addfile(ti, io.BytesIO(data))
    else: tf.addfile(ti)
with tarfile.open(t + "/dotdot.tar", "w") as tf:
    add(tf, "../../../../../../tmp/" + mark + "-dotdot")
with tarfile.open(t + "/abs.tar", "w") as tf:
    add(tf, "/tmp/" + mark + "-abs")
with tarfile.open(t + "/symlink.tar", "w") as tf:
    add(tf, "escape", type=tarfile.SYMTYPE, linkname="/tmp")
    add(tf, "escape/" + mark + "-symlink")
with tarfile.open(t + "/symlink-rel.tar", "w") as tf:
    add(tf, "a", type=tarfile.DIRTYPE, mode=0o755)
    add(tf, "a/up", type=tarfile.SYMTYPE, linkname="../../../../../../../../tmp")
    add(tf, "a/up/" + mark + "-relsym")
with tarfile.open(t + "/hardlink.tar", "w") as tf:
    add(tf, "hl", type=tarfile.LNKTYPE, linkname="../../../../../../../etc/passwd")
with tarfile.open(t + "/device.tar", "w") as tf:
    add(tf, "dev/evil", type=tarfile.CHRTYPE, devmajor=1, devminor=1)
with tarfile.open(t + "/longname.tar", "w", format=tarfile.PAX_FORMAT) as tf:
    add(tf, "d/" + "n" * 5000)
# docker load archives: garbage repositories, an id that climbs out, a parent cycle
def load_archive(path, entries):
    with tarfile.open(path, "w") as tf:
        for name, data in entries:
            if data is None: add(tf, name, type=tarfile.DIRTYPE, mode=0o755)
            else: add(tf, name, data)
layer = io.BytesIO()
with tarfile.open(fileobj=layer, mode="w") as lt: add(lt, "f")
L = layer.getvalue()
a = "a" * 64; b = "b" * 64
load_archive(t + "/load-badrepos.tar", [("repositories", b'{"x":')])
load_archive(t + "/load-reposnotobj.tar", [("repositories", b'[1,2]')])
load_archive(t + "/load-dotdot.tar", [("../../" + mark + "-load/json", b'{"id":"x"}'), ("../../" + mark + "-load/layer.tar", L)])
load_archive(t + "/load-badid.tar", [("zz/", None), ("zz/json", b'{"id":"../../x"}'), ("zz/layer.tar", L),
                                     ("repositories", b'{"evil":{"latest":"../../x"}}')])
load_archive(t + "/load-cycle.tar", [(a + "/json", json.dumps({"id": a, "parent": b}).encode()), (a + "/layer.tar", L),
                                     (b + "/json", json.dumps({"id": b, "parent": a}).encode()), (b + "/layer.tar", L),
                                     ("repositories", json.dumps({"cyc": {"latest": a}}).encode())])
load_archive(t + "/load-nolayer.tar", [(a + "/json", json.dumps({"id": a}).encode()),
                                       ("repositories", json.dumps({"nolayer": {"latest": a}}).encode())])
load_archive(t + "/load-badjson.tar", [(a + "/json", b"[[[["), (a + "/layer.tar", L)])
load_archive(t + "/load-manifestobj.tar", [("manifest.json", b'{"Config":"x"}')])
load_archive(t + "/load-manifest.tar", [("manifest.json", b'[{"Config":"../../../etc/passwd","RepoTags":["m:1"],"Layers":["../../x"]}]')])
EOF
for f in trunc.tar random.bin badgz.tar.gz dotdot.tar abs.tar symlink.tar symlink-rel.tar hardlink.tar device.tar longname.tar; do
  before_images=$(api GET /images/json)
  api POST "/images/create?fromSrc=-&repo=hostile&tag=x" --data-binary @"$T/$f" >/dev/null
  note "import $f -> $(api_status) $(tail -c 160 "$T/body" | tr '\n' ' ')"
  st=$(api_status)
  if grep -q '"error"' "$T/body" || [[ $st != 200 ]]; then
    # Refused: the store must not have gained anything.
    assert_eq "$(api GET /images/json)" "$before_images" "images after refused import of $f"
  else
    # Accepted (the entries were kept inside the layer): remove it again.
    api DELETE /images/hostile:x >/dev/null
  fi
done
found=$(ls -d /tmp/"$mark"* 2>/dev/null || true)
[[ -z $found ]] || { rm -rf /tmp/"$mark"*; fail "a hostile tar wrote outside the layer: $found"; }
[[ ! -e "$T/state/$mark-load" && ! -e "$T/$mark-load" ]] || fail "load wrote outside the store"

for f in trunc.tar random.bin load-badrepos.tar load-reposnotobj.tar load-dotdot.tar load-badid.tar load-cycle.tar \
  load-nolayer.tar load-badjson.tar load-manifest.tar load-manifestobj.tar; do
  # Refused with a message, or nothing in it was loadable: either way the store is unchanged.
  before_images=$(api GET "/images/json?all=1")
  api POST "/images/load?quiet=1" -H 'Content-Type: application/x-tar' --data-binary @"$T/$f" >/dev/null
  note "load $f -> $(api_status) $(tail -c 160 "$T/body" | tr '\n' ' ')"
  [[ $(api_status) == [245]* ]] || problems+=("load $f: status $(api_status)")
  [[ $(api_status) == 200 || -s "$T/body" ]] || problems+=("load $f: status $(api_status) without a message")
  cp "$T/body" "$T/load-answer"
  assert_eq "$(api GET "/images/json?all=1")" "$before_images" "images after the load of $f"
  case $f in
    load-reposnotobj.tar) assert_contains "$(cat "$T/load-answer")" "repositories: not a JSON object" "load message" ;;
    load-manifestobj.tar) assert_contains "$(cat "$T/load-answer")" "manifest.json: not a JSON array" "load message" ;;
  esac
done
found=$(ls -d /tmp/"$mark"* "$T/$mark"* 2>/dev/null || true)
[[ -z $found ]] || fail "a hostile load archive wrote outside the store: $found"
alive "hostile tars"

note "broken HTTP: oversized headers and URIs, garbage, lying lengths"
cat >"$T/raw.py" <<'EOF'
import socket, sys, time
sock_path, case = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(15)
s.connect(sock_path)
def send(b):
    try: s.sendall(b)
    except (BrokenPipeError, ConnectionResetError): pass
def answer():
    data = b""
    try:
        while True:
            c = s.recv(65536)
            if not c: break
            data += c
            if b"\r\n\r\n" in data and case != "attach-halfclose" and not case.startswith("chunked-"): break
    except (socket.timeout, ConnectionResetError):
        if case.startswith("chunked-"): data += b" TIMEOUT"
    return data
def chunk(b): return b"%x\r\n%s\r\n" % (len(b), b)
chunked_head = b"Host: x\r\nTransfer-Encoding: chunked\r\n"
if case == "big-header":
    send(b"GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * (1 << 20) + b"\r\n\r\n")
elif case == "many-headers":
    send(b"GET /_ping HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-H%d: v\r\n" % i for i in range(5000)) + b"\r\n")
elif case == "long-uri":
    send(b"GET /containers/" + b"a" * (1 << 20) + b"/json HTTP/1.1\r\nHost: x\r\n\r\n")
elif case == "garbage":
    send(b"\x00\x01\x02 \xff\xfe\r\n\r\n")
elif case == "no-version":
    send(b"GET /_ping\r\n\r\n")
elif case == "huge-method":
    send(b"A" * 100000 + b" / HTTP/1.1\r\n\r\n")
elif case == "short-body":
    send(b"POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n{\"Image\":")
    s.shutdown(socket.SHUT_WR)
elif case == "negative-length":
    send(b"POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n{}")
elif case == "bad-chunk":
    send(b"POST /containers/create HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzzzz\r\n{}\r\n0\r\n\r\n")
elif case == "huge-chunk":
    send(b"POST /containers/create HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffff\r\n{\"Image\":")
    s.shutdown(socket.SHUT_WR)
elif case == "head-only-close":
    send(b"POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n")
    s.close(); sys.exit(0)
# chunked-*: bodies cut short by the client's close, and a whole one with a request after it.
elif case == "chunked-create":
    send(b"POST /containers/create?name=truncated HTTP/1.1\r\n" + chunked_head + b"Content-Type: application/json\r\n\r\n" +
         chunk(b'{"Image":"busybox","Cmd":["true"]}') + chunk(b" "))
    s.shutdown(socket.SHUT_WR)
elif case == "chunked-import":
    import io, tarfile
    tar = io.BytesIO()
    with tarfile.open(fileobj=tar, mode="w", format=tarfile.USTAR_FORMAT) as tf:
        for name in ("first", "second"):
            ti = tarfile.TarInfo(name); ti.size = 1000; tf.addfile(ti, io.BytesIO(b"x" * 1000))
    send(b"POST /images/create?fromSrc=-&repo=truncated&tag=x HTTP/1.1\r\n" + chunked_head + b"\r\n" +
         chunk(tar.getvalue()[:512 + 1024]))  # "first" complete, nothing of "second"
    s.shutdown(socket.SHUT_WR)
elif case == "chunked-complete":
    send(b"POST /containers/create?name=chunked HTTP/1.1\r\n" + chunked_head + b"\r\n" +
         chunk(b'{"Image":"busybox",') + chunk(b'"Cmd":["true"]}') + b"0\r\n\r\n" +
         b"GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
r = answer()
if case.startswith("chunked-"):
    print(r.decode("latin-1").replace("\r\n", " ")); sys.exit(0)
line = r.split(b"\r\n", 1)[0].decode("latin-1")
print(line if line else "(closed)")
EOF
for c in big-header many-headers long-uri garbage no-version huge-method short-body negative-length bad-chunk huge-chunk head-only-close; do
  out=$(timeout 30 python3 "$T/raw.py" "$SOCK" "$c") || fail "raw $c: client failed ($out)"
  note "raw $c -> $out"
  [[ $out != *" 200 "* && $out != *" 201 "* && $out != *" 204 "* ]] || fail "raw $c was accepted: $out"
  alive "raw $c"
done

note "chunked bodies that end without their last chunk"
# POCO took a chunked body cut short by the client's close for a complete one: a create body
# whose first chunk is valid JSON made a container; a tar cut at a member boundary imported.
out=$(timeout 30 python3 "$T/raw.py" "$SOCK" chunked-create) || fail "chunked create client failed"
note "truncated chunked create -> $(head -c 200 <<<"$out")"
assert_contains "$out" "before the last chunk" "truncated create body named"
assert_not_contains "$out" " 201 " "truncated create body refused"
api GET /containers/truncated/json >/dev/null
assert_eq "$(api_status)" 404 "no container from a truncated create body"
images_before=$(api GET "/images/json?all=1")
out=$(timeout 30 python3 "$T/raw.py" "$SOCK" chunked-import) || fail "chunked import client failed"
note "truncated chunked import -> $(tail -c 200 <<<"$out")"
assert_contains "$out" "before the last chunk" "truncated import named"
assert_eq "$(api GET "/images/json?all=1")" "$images_before" "no image from a truncated import"
out=$(timeout 30 python3 "$T/raw.py" "$SOCK" chunked-complete) || fail "chunked complete client failed"
note "complete chunked create + pipelined ping -> $(head -c 300 <<<"$out")"
assert_contains "$out" "HTTP/1.1 201" "complete chunked create body"
assert_contains "$out" "HTTP/1.1 200 OK" "pipelined request after a chunked body"
assert_not_contains "$out" "TIMEOUT" "pipelined request answered"
api DELETE /containers/chunked >/dev/null
assert_eq "$(api_status)" 204 "remove the container of the chunked body"
alive "truncated chunked bodies"

note "a half-closed hijacked attach"
cid=$(api POST /containers/create "${JSON[@]}" -d '{"Image":"busybox","Cmd":["cat"],"OpenStdin":true,"StdinOnce":true,"AttachStdin":true,"AttachStdout":true}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["Id"])')
api POST "/containers/$cid/start" >/dev/null
if [[ $(api_status) == 204 ]]; then
  out=$(timeout 30 python3 - "$SOCK" "$cid" <<'EOF'
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.settimeout(15)
s.connect(sys.argv[1])
s.sendall(b"POST /containers/%s/attach?stream=1&stdin=1&stdout=1&stderr=1 HTTP/1.1\r\nHost: x\r\n"
          b"Connection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n" % sys.argv[2].encode())
data = b""
while b"\r\n\r\n" not in data:
    c = s.recv(4096)
    if not c: break
    data += c
s.sendall(b"hostile-hello\n")
s.shutdown(socket.SHUT_WR)
try:
    while True:
        c = s.recv(4096)
        if not c: break
        data += c
except socket.timeout:
    print("TIMEOUT")
print(data.split(b"\r\n", 1)[0].decode(), b"hostile-hello" in data)
EOF
)
  note "attach half-close -> $out"
  assert_contains "$out" "101" "attach upgraded"
  assert_contains "$out" "True" "attach echoed stdin before the half-close ended it"
  assert_not_contains "$out" "TIMEOUT" "stream ended after the half-close"
  api POST "/containers/$cid/wait" >/dev/null
  assert_eq "$(api_status)" 200 "wait after half-closed attach"
  # A client that vanishes mid-stream (full close, no half-close) of a running container.
  cid2=$(api POST /containers/create "${JSON[@]}" -d '{"Image":"busybox","Cmd":["cat"],"OpenStdin":true}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["Id"])')
  api POST "/containers/$cid2/start" >/dev/null
  timeout 20 python3 - "$SOCK" "$cid2" <<'EOF'
import socket, sys
for _ in range(20):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    s.sendall(b"POST /containers/%s/attach?stream=1&stdin=1&stdout=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nxx" % sys.argv[2].encode())
    s.close()
EOF
  alive "abandoned attaches"
  api POST "/containers/$cid2/kill" >/dev/null
  api POST "/containers/$cid2/wait" >/dev/null
  api DELETE "/containers/$cid2" >/dev/null
  assert_eq "$(api_status)" 204 "remove the abandoned-attach container"
else
  note "containers cannot start here ($(cat "$T/body")); attach cases left out"
fi
api DELETE "/containers/$cid" >/dev/null

[[ ${#problems[@]} -eq 0 ]] || { printf '%s\n' "${problems[@]}" >&2; fail "${#problems[@]} hostile requests were not refused"; }
note "the store is unchanged"
snapshot >"$T/after"
diff "$T/before" "$T/after" >&2 || fail "image or container lists changed"
grep -q "Segmentation\|AddressSanitizer\|terminate called" "$T/burrowd.log" && fail "burrowd crashed or aborted"
kill -0 "$BURROWD_PID" || fail "burrowd is gone"
note "ok"
