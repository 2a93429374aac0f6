#!/usr/bin/env bash
# POST /build through the API as an unprivileged user: a Dockerfile using every instruction
# (ADD of a file, a directory, a local tar.gz and a URL; COPY; ENV substitution), the result
# inspected and run; the second build hits the cache at every step, nocache=1 does not; a
# failing RUN reports its exit code and leaves no tag; ONBUILD triggers run in a child build;
# hostile contexts and a bad Dockerfile line are refused; the remote form (a Dockerfile URL).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/build_lib.sh"
burrow_setup
require_programs burrowd burrow-shim burrow-overlay
start_burrowd
api POST "/images/create?fromSrc=-&repo=busybox&tag=latest" --data-binary @"$(busybox_tar)" >/dev/null
assert_eq "$(api_status)" 200 "import busybox"

mkdir -p "$T/www" "$T/ctx/dir/sub" "$T/arch/unpacked"
echo "from the web" >"$T/www/remote.txt"
serve_dir "$T/www"
echo "file content" >"$T/ctx/file.txt"
echo "in a dir" >"$T/ctx/dir/sub/deep.txt"
echo "from the archive" >"$T/arch/unpacked/a.txt"
tar -C "$T/arch" -czf "$T/ctx/archive.tar.gz" .
cat >"$T/ctx/Dockerfile" <<DOCKERFILE
# every instruction of Docker 0.8, plus COPY
from busybox
MAINTAINER Burrow Test <test@example.com>
ENV GREETING hello
ENV APP=/srv/app OTHER="two words"
WORKDIR /work
RUN echo "\$GREETING from run" > /work/run.txt && \\
    echo step-output && echo to-stderr >&2
RUN ["/bin/sh", "-c", "echo json-form > json.txt"]
ADD file.txt \$APP/
COPY dir /copied
ADD archive.tar.gz /x
ADD http://127.0.0.1:$HTTP_PORT/remote.txt /remote/
COPY *.txt dir/*/*.txt /globbed/
RUN rm /etc/group
EXPOSE 8080 53/udp
VOLUME ["/data"]
USER nobody
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /work/run.txt; id -u; pwd"]
DOCKERFILE
build_tar "$T/ctx" "$T/ctx.tar"

note "first build"
out=$(api_build "t=built:v1&rm=1" "$T/ctx.tar" | stream_text)
assert_eq "$(api_status)" 200 "build status"
assert_contains "$out" "Step 1 : FROM busybox" "step line"
assert_contains "$out" "Step 18 : CMD" "all steps"
assert_contains "$out" "step-output" "RUN output streamed"
assert_contains "$out" "to-stderr" "RUN stderr streamed"
assert_contains "$out" " ---> Running in " "RUN container"
assert_contains "$out" "Removing intermediate container" "rm=1"
assert_not_contains "$out" "ERROR" "no error"
id=$(built_id <<<"$out")
[[ ${#id} -eq 12 ]] || fail "no Successfully built line in: $out"

note "inspect"
json=$(api GET /images/built:v1/json)
assert_eq "$(api_status)" 200 "inspect built:v1"
check() { python3 -c "import sys, json; c = json.load(sys.stdin)$1; print(c)" <<<"$json"; }
assert_eq "$(check '["id"][:12]')" "$id" "tag points at the result"
assert_eq "$(check '["author"]')" "Burrow Test <test@example.com>" "MAINTAINER"
assert_eq "$(check '["config"]["Cmd"]')" "['cat /work/run.txt; id -u; pwd']" "CMD"
assert_eq "$(check '["config"]["Entrypoint"]')" "['/bin/sh', '-c']" "ENTRYPOINT"
assert_eq "$(check '["config"]["User"]')" "nobody" "USER"
assert_eq "$(check '["config"]["WorkingDir"]')" "/work" "WORKDIR"
assert_eq "$(check '["config"]["ExposedPorts"]')" "{'53/udp': {}, '8080/tcp': {}}" "EXPOSE"
assert_eq "$(check '["config"]["Volumes"]')" "{'/data': {}}" "VOLUME"
env_=$(check '["config"]["Env"]')
assert_contains "$env_" "'GREETING=hello'" "ENV legacy form"
assert_contains "$env_" "'APP=/srv/app'" "ENV key=value"
assert_contains "$env_" "'OTHER=two words'" "ENV quoted value"

note "run the result"
assert_eq "$(run_in built:v1 null)" $'hello from run\n65534\n/work' "default command"
assert_eq "$(cat "$T/exit_code")" 0 "exit code"
out=$(run_in built:v1 '["cat /work/json.txt /srv/app/file.txt /copied/sub/deep.txt /x/unpacked/a.txt /remote/remote.txt; test -e /etc/group || echo group-gone; echo $OTHER; ls /globbed"]' root)
assert_eq "$out" $'json-form\nfile content\nin a dir\nfrom the archive\nfrom the web\ngroup-gone\ntwo words\ndeep.txt\nfile.txt' "files"
assert_eq "$(run_in built:v1 '["stat -c %u:%a /srv/app/file.txt /remote/remote.txt"]')" $'0:644\n0:600' "ADD owners and modes"

note "second build hits the cache at every step"
out=$(api_build "t=built:v2&rm=1" "$T/ctx.tar" | stream_text)
uses=$(grep -c "Using cache" <<<"$out" || true)
assert_eq "$uses" 17 "cached steps"
assert_not_contains "$out" "Running in" "no container when cached"
assert_eq "$(built_id <<<"$out")" "$id" "same image"

note "nocache=1 builds again"
out=$(api_build "t=built:v3&rm=1&nocache=1" "$T/ctx.tar" | stream_text)
assert_not_contains "$out" "Using cache" "nocache"
assert_contains "$out" "step-output" "RUN ran again"
[[ "$(built_id <<<"$out")" != "$id" ]] || fail "nocache gave the cached image"

note "a changed ADD source misses the cache from that step on"
echo "changed" >"$T/ctx/file.txt"
build_tar "$T/ctx" "$T/ctx2.tar"
out=$(api_build "t=built:v4&rm=1" "$T/ctx2.tar" | stream_text)
assert_eq "$(grep -c "Using cache" <<<"$out" || true)" 6 "cache up to ADD file.txt"
assert_eq "$(run_in built:v4 '["cat /srv/app/file.txt"]')" "changed" "new content"

note "a failing RUN"
mkdir -p "$T/fail"
printf 'FROM busybox\nRUN echo before-failure && exit 7\nCMD ["true"]\n' >"$T/fail/Dockerfile"
build_tar "$T/fail" "$T/fail.tar"
raw=$(api_build "t=failed:tag&rm=1" "$T/fail.tar")
out=$(stream_text <<<"$raw")
assert_contains "$out" "before-failure" "output before the failure"
assert_contains "$out" "ERROR: The command [/bin/sh -c echo before-failure && exit 7] returned a non-zero code: 7 code=7" \
  "error with exit code"
assert_not_contains "$out" "Successfully built" "no success"
api GET /images/failed:tag/json >/dev/null
assert_eq "$(api_status)" 404 "no half-made tag"

note "ONBUILD runs in a child build"
mkdir -p "$T/parent" "$T/child"
printf 'FROM busybox\nONBUILD ADD . /app\nONBUILD RUN echo triggered > /app/triggered\n' >"$T/parent/Dockerfile"
build_tar "$T/parent" "$T/parent.tar"
out=$(api_build "t=parent:latest&rm=1" "$T/parent.tar" | stream_text)
assert_not_contains "$out" "ERROR" "parent build"
assert_eq "$(run_in parent '["/bin/sh", "-c", "ls /app 2>&1 || echo none"]' | tail -n 1)" "none" "triggers do not run in the parent"
printf 'FROM parent\nCMD ["cat", "/app/triggered", "/app/child.txt"]\n' >"$T/child/Dockerfile"
echo "child context" >"$T/child/child.txt"
build_tar "$T/child" "$T/child.tar"
out=$(api_build "t=child:latest&rm=1" "$T/child.tar" | stream_text)
assert_contains "$out" "# Executing 2 build triggers" "triggers announced"
assert_contains "$out" "Trigger 0, ADD . /app" "trigger 0"
assert_eq "$(run_in child null)" $'triggered\nchild context' "triggers ran"
json=$(api GET /images/child/json)
assert_eq "$(check '["config"]["OnBuild"]')" "None" "triggers do not reach grandchildren"

note "hostile contexts"
mkdir -p "$T/escape"
printf 'FROM busybox\nADD ../etc/passwd /p\n' >"$T/escape/Dockerfile"
build_tar "$T/escape" "$T/escape.tar"
out=$(api_build "t=escape:1" "$T/escape.tar" | stream_text)
assert_contains "$out" "Forbidden path outside the build context" "ADD ../"
printf 'FROM busybox\nCOPY link /p\n' >"$T/escape/Dockerfile"
ln -s /etc/shadow "$T/escape/link"
build_tar "$T/escape" "$T/escape.tar"
out=$(api_build "t=escape:2" "$T/escape.tar" | stream_text)
assert_contains "$out" "Forbidden path outside the build context" "symlink out"
rm "$T/escape/link"
ln -s ../../../../../../etc/passwd "$T/escape/link"
build_tar "$T/escape" "$T/escape.tar"
out=$(api_build "t=escape:3" "$T/escape.tar" | stream_text)
assert_contains "$out" "Forbidden path outside the build context" "relative symlink out"
python3 - "$T/evil.tar" <<'PY'
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    for name, data in (("Dockerfile", b"FROM busybox\n"), ("../../evil", b"x")):
        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
PY
api_build "t=escape:4" "$T/evil.tar" >/dev/null
assert_eq "$(api_status)" 400 "tar member with ../"
[[ ! -e "$T/state/evil" && ! -e "$T/evil" ]] || fail "tar escaped"
for t in 1 2 3 4; do
  api GET "/images/escape:$t/json" >/dev/null
  assert_eq "$(api_status)" 404 "no tag escape:$t"
done

note "Dockerfile errors"
mkdir -p "$T/bad"
printf 'FROM busybox\n\nBOGUS thing\n' >"$T/bad/Dockerfile"
build_tar "$T/bad" "$T/bad.tar"
out=$(api_build "" "$T/bad.tar" | stream_text)
assert_contains "$out" "Dockerfile parse error line 3: unknown instruction: BOGUS" "unknown instruction"
printf 'FROM nosuchimage\n' >"$T/bad/Dockerfile"
build_tar "$T/bad" "$T/bad.tar"
assert_contains "$(api_build "" "$T/bad.tar" | stream_text)" "No such image: nosuchimage" "missing base"

note "remote Dockerfile"
printf 'FROM busybox\nRUN echo remote-build > /r\n' >"$T/www/Dockerfile"
out=$(api POST "/build?t=remote:1&rm=1&remote=http://127.0.0.1:$HTTP_PORT/Dockerfile" | stream_text)
assert_contains "$out" "Successfully built" "remote build"
assert_eq "$(run_in remote:1 '["cat", "/r"]')" "remote-build" "remote result"

mkdir -p "$T/rctx"
printf 'FROM busybox\nCOPY payload /payload\n' >"$T/rctx/Dockerfile"
echo "remote context" >"$T/rctx/payload"
tar -C "$T/rctx" -cJf "$T/www/context.tar.xz" .
out=$(api POST "/build?t=remote:2&remote=http://127.0.0.1:$HTTP_PORT/context.tar.xz" | stream_text)
assert_contains "$out" "Successfully built" "remote context tar (xz)"
assert_eq "$(run_in remote:2 '["cat", "/payload"]')" "remote context" "remote context result"

note "gzip context and dockerfile="
mkdir -p "$T/gz"
printf 'FROM busybox\nCMD ["echo", "other-file"]\n' >"$T/gz/Other.dockerfile"
tar -C "$T/gz" -czf "$T/gz.tar.gz" .
out=$(api_build "t=gz:1&dockerfile=Other.dockerfile" "$T/gz.tar.gz" | stream_text)
assert_contains "$out" "Successfully built" "gzip context"
assert_eq "$(run_in gz:1 null)" "other-file" "dockerfile= result"

ls "$T/state/tmp" 2>/dev/null | grep -q . && fail "temporary build files left: $(ls "$T/state/tmp")"
note "ok"
