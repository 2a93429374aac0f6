#!/usr/bin/env bash
# docker build with the stock docker CLI (DOCKER_BUILDKIT=0, which the CLI needs to use the
# /build API) as an unprivileged user: a multi-step build tagged with -t, docker run of the
# result, a cached rebuild, --no-cache, -q, -f, a failing RUN's exit status, and a context
# that tries to ADD a file outside itself.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/build_lib.sh"
have_docker_cli || skip "no docker CLI"
burrow_setup
require_programs burrowd burrow-shim burrow-overlay
start_burrowd
import_busybox

mkdir -p "$T/ctx/site"
echo "<h1>hi</h1>" >"$T/ctx/site/index.html"
cat >"$T/ctx/Dockerfile" <<'DOCKERFILE'
FROM busybox
MAINTAINER cli test
ENV NAME world
WORKDIR /app
COPY site /app/site
ADD site/index.html /app/copy.html
RUN echo "hello $NAME" > greeting && echo built-by-run
ONBUILD RUN echo never-in-this-build
EXPOSE 8000
VOLUME /data
USER root
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat greeting site/index.html copy.html"]
DOCKERFILE
[[ $(id -u) -eq 0 ]] && chown -R "$(test_user)": "$T/ctx"

note "docker build -t"
out=$(docker_cli build -t cli/app:1 "$T/ctx" 2>&1) || fail "docker build: $out"
assert_contains "$out" "Step 1 : FROM busybox" "steps shown"
assert_contains "$out" "built-by-run" "RUN output shown"
assert_contains "$out" "Successfully built" "success line"
assert_eq "$(grep -cx "never-in-this-build" <<<"$out" || true)" 0 "ONBUILD not run in its own build"
assert_eq "$(docker_cli run --rm cli/app:1)" $'hello world\n<h1>hi</h1>\n<h1>hi</h1>' "docker run of the result"
assert_eq "$(docker_cli run --rm cli/app:1 'pwd; echo $NAME')" $'/app\nworld' "WORKDIR and ENV"
assert_eq "$(docker_cli image inspect -f '{{.Author}} {{.Config.ExposedPorts}} {{.Config.Volumes}}' cli/app:1)" \
  "cli test map[8000/tcp:{}] map[/data:{}]" "inspect"

note "cache, --no-cache, -q, -f"
out=$(docker_cli build -t cli/app:2 "$T/ctx" 2>&1) || fail "second build: $out"
assert_eq "$(grep -c "Using cache" <<<"$out")" 12 "every step cached"
out=$(docker_cli build --no-cache -t cli/app:3 "$T/ctx" 2>&1) || fail "no-cache build: $out"
assert_not_contains "$out" "Using cache" "--no-cache"
id=$(docker_cli build -q "$T/ctx") || fail "build -q"
assert_eq "$(docker_cli image inspect -f '{{.Id}}' cli/app:3 | sed 's/^sha256://')" "$(sed 's/^sha256://' <<<"$id")" "-q prints the id"
printf 'FROM cli/app:1\nCMD ["echo from-other-file"]\n' >"$T/ctx/Other"
[[ $(id -u) -eq 0 ]] && chown "$(test_user)": "$T/ctx/Other"
out=$(docker_cli build -f "$T/ctx/Other" -t cli/other "$T/ctx" 2>&1) || fail "build -f: $out"
assert_contains "$out" "Trigger 0, RUN echo never-in-this-build" "trigger announced"
assert_eq "$(grep -cx "never-in-this-build" <<<"$out" || true)" 1 "the child build ran the ONBUILD trigger"
assert_eq "$(docker_cli image inspect -f '{{.Config.Cmd}}' cli/other)" "[echo from-other-file]" "-f Dockerfile result"

note "a failing RUN"
mkdir -p "$T/fail"
printf 'FROM busybox\nRUN echo about-to-fail; exit 42\n' >"$T/fail/Dockerfile"
[[ $(id -u) -eq 0 ]] && chown -R "$(test_user)": "$T/fail"
set +e
out=$(docker_cli build -t cli/fail "$T/fail" 2>&1)
rc=$?
set -e
assert_eq "$rc" 42 "docker build exits with the RUN's code"
assert_contains "$out" "returned a non-zero code: 42" "error shown"
set +e
docker_cli image inspect cli/fail >/dev/null 2>&1
rc=$?
set -e
[[ $rc -ne 0 ]] || fail "failed build left a tag"

note "ADD outside the context"
printf 'FROM busybox\nADD ../fail/Dockerfile /x\n' >"$T/ctx/Escape"
[[ $(id -u) -eq 0 ]] && chown "$(test_user)": "$T/ctx/Escape"
set +e
out=$(docker_cli build -f "$T/ctx/Escape" "$T/ctx" 2>&1)
rc=$?
set -e
[[ $rc -ne 0 ]] || fail "escaping ADD succeeded"
assert_contains "$out" "Forbidden path outside the build context" "escape refused"
note "ok"
