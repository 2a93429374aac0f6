# Shared helpers for the integration tests: each test sources this file, calls burrow_setup,
# starts a real burrowd as an unprivileged user on its own socket and state directory, and
# drives it with curl (and the docker CLI when installed). Exit code 77 means "skipped".
#
# Environment (set by ctest, see tests/integration/CMakeLists.txt):
#   BURROW_BIN_DIR   directory with burrowd, burrow-shim, burrow-overlay
#   BURROW_SRC_DIR   the source tree (for scripts/)
#   BURROW_SANITIZE  ON when the binaries are built with ASan+UBSan: burrow_setup then sends every
#                    sanitizer report to $T/sanitizer/ (as_user passes the options through its
#                    env -i) and the cleanup fails the test when a report is there.
set -euo pipefail

SKIP=77
TEST_NAME=$(basename "$0" .sh)
SANITIZER_ENV=()

fail() { echo "FAIL [$TEST_NAME]: $*" >&2; exit 1; }
skip() { echo "SKIP [$TEST_NAME]: $*" >&2; exit $SKIP; }
note() { echo "[$TEST_NAME] $*" >&2; }
assert_eq() { [[ "$1" == "$2" ]] || fail "${3:-values differ}: expected '$2', got '$1'"; }
assert_contains() { [[ "$1" == *"$2"* ]] || fail "${3:-missing text}: '$2' not in '$1'"; }
assert_not_contains() { [[ "$1" != *"$2"* ]] || fail "${3:-unexpected text}: '$2' in '$1'"; }

# The unprivileged user tests run as: burrowtest when we are root, else ourselves.
test_user() {
  if [[ $(id -u) -eq 0 ]]; then echo "${1:-burrowtest}"; else id -un; fi
}

# as_user [--exec] [-u USER] CMD...: runs CMD as the test user with that user's HOME. With
# --exec the shell is replaced by CMD: `as_user --exec CMD &` makes $! the pid of CMD itself
# (a backgrounded function otherwise runs in a subshell whose pid is not CMD's).
as_user() {
  local user mode=""
  user=$(test_user)
  if [[ "${1:-}" == "--exec" ]]; then mode=exec; shift; fi
  if [[ "${1:-}" == "-u" ]]; then user=$(test_user "$2"); shift 2; fi
  if [[ $(id -u) -eq 0 ]]; then
    local home
    home=$(getent passwd "$user" | cut -d: -f6)
    $mode setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
      env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$home" USER="$user" \
      "${SANITIZER_ENV[@]}" "$@"
  else
    $mode "$@"
  fi
}

# burrow_setup: a private temp directory owned by the test user with the binaries copied in
# (the build tree may sit where the test user cannot reach), and cleanup on exit.
burrow_setup() {
  if [[ $(id -u) -eq 0 ]] && ! id burrowtest >/dev/null 2>&1; then
    skip "user burrowtest missing: run scripts/setup-test-host as root"
  fi
  T=$(mktemp -d "/tmp/burrow-it-$TEST_NAME.XXXXXX")
  chmod 0755 "$T"
  mkdir -p "$T/bin" "$T/state"
  local prog
  for prog in burrowd burrow-shim burrow-overlay burrow-net burrow-net-probe burrow-tls.so; do
    [[ -x "$BURROW_BIN_DIR/$prog" ]] && cp "$BURROW_BIN_DIR/$prog" "$T/bin/"
  done
  if [[ ${BURROW_SANITIZE:-OFF} == ON ]]; then
    mkdir "$T/sanitizer"
    chmod 1777 "$T/sanitizer"
    SANITIZER_ENV=("ASAN_OPTIONS=log_path=$T/sanitizer/asan:halt_on_error=1:detect_leaks=1"
      "UBSAN_OPTIONS=log_path=$T/sanitizer/ubsan:halt_on_error=1:print_stacktrace=1")
    export "${SANITIZER_ENV[@]}"
  fi
  [[ $(id -u) -eq 0 ]] && chown -R "$(test_user)": "$T"
  SOCK="$T/docker.sock"
  BURROWD_PIDS=()
  trap burrow_cleanup EXIT
}

burrow_cleanup() {
  local rc=$?
  local pid
  for pid in "${BURROWD_PIDS[@]:-}"; do
    [[ -n "$pid" ]] && kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${BURROWD_PIDS[@]:-}"; do
    [[ -n "$pid" ]] && { timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; }
  done
  # Engine namespace holders outlive burrowd by design (one per state directory): end ours,
  # and detach anything still mounted below the test directory (FUSE overlays).
  "$BURROW_SRC_DIR/scripts/end-burrow-leftovers" "$T"
  sanitizer_reports_absent || rc=1
  if [[ $rc -ne 0 && $rc -ne $SKIP && -f "$T/burrowd.log" ]]; then
    echo "---- burrowd.log ($TEST_NAME) ----" >&2
    tail -n 60 "$T/burrowd.log" >&2 || true
  fi
  if [[ -z "${BURROW_KEEP_TEST_DIR:-}" ]]; then rm -rf "$T" 2>/dev/null || true; fi
  exit $rc
}

# sanitizer_reports_absent: prints each sanitizer report written by this test's programs and
# fails (returns 1) if there is any. GCC's UBSan inside the ASan runtime ignores log_path and
# writes to stderr, which for burrowd and its helpers is burrowd.log: its findings are there.
sanitizer_reports_absent() {
  local report found=0
  [[ -d "$T/sanitizer" ]] || return 0
  for report in "$T"/sanitizer/*; do
    [[ -f "$report" ]] || continue
    found=1
    echo "---- sanitizer report $(basename "$report") ($TEST_NAME) ----" >&2
    cat "$report" >&2
  done
  if [[ -f "$T/burrowd.log" ]] && grep -q "runtime error:" "$T/burrowd.log"; then
    found=1
    echo "---- UBSan findings in burrowd.log ($TEST_NAME) ----" >&2
    grep -A 30 "runtime error:" "$T/burrowd.log" >&2 || true
  fi
  [[ $found -eq 0 ]]
}

# start_burrowd [EXTRA ARGS...]: starts burrowd as the test user on $SOCK with state in
# $T/state, waits until /_ping answers, and sets BURROWD_PID.
start_burrowd() {
  as_user --exec "$T/bin/burrowd" --root "$T/state" -H "unix://$SOCK" "$@" >>"$T/burrowd.log" 2>&1 &
  BURROWD_PID=$!
  BURROWD_PIDS+=("$BURROWD_PID")
  local i
  for i in $(seq 1 100); do
    if curl -s --max-time 2 --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1; then return 0; fi
    kill -0 "$BURROWD_PID" 2>/dev/null || { cat "$T/burrowd.log" >&2; fail "burrowd exited during start"; }
    sleep 0.1
  done
  cat "$T/burrowd.log" >&2
  fail "burrowd did not answer /_ping within 10 s"
}

# signal_burrowd SIGNAL SECONDS: sends SIGNAL (TERM, KILL) to the last burrowd started and waits
# for it to exit; fails when it is still running after SECONDS.
signal_burrowd() {
  kill "-$1" "$BURROWD_PID"
  timeout "$2" tail --pid="$BURROWD_PID" -f /dev/null || fail "burrowd did not exit within $2 s of SIG$1"
}

# api METHOD PATH [CURL ARGS...]: prints the response body; the status goes to $T/status.
api() {
  local method=$1 path=$2
  shift 2
  curl -sS --max-time "${API_TIMEOUT:-60}" --unix-socket "$SOCK" -X "$method" \
    -o "$T/body" -w '%{http_code}' "$@" "http://localhost$path" >"$T/status"
  cat "$T/body"
}
api_status() { cat "$T/status"; }

# docker_cli ARGS...: the stock docker CLI against this burrowd, run as the test user.
have_docker_cli() { [[ -x /usr/local/bin/docker ]] || command -v docker >/dev/null 2>&1; }
docker_cli() {
  local docker
  docker=$(command -v docker || echo /usr/local/bin/docker)
  as_user env DOCKER_HOST="unix://$SOCK" DOCKER_BUILDKIT=0 DOCKER_CONFIG="$T/docker-config" "$docker" "$@"
}

# busybox_tar: path of a busybox base image tarball made for this test.
busybox_tar() {
  if [[ ! -f "$T/busybox.tar" ]]; then
    "$BURROW_SRC_DIR/scripts/make-busybox-image" "$T/busybox.tar"
    [[ $(id -u) -eq 0 ]] && chown "$(test_user)": "$T/busybox.tar"
  fi
  echo "$T/busybox.tar"
}

# ---- Helpers for tests that run containers ----

# require_programs PROG...: skips the test unless each burrow program was built.
require_programs() {
  local prog
  for prog; do [[ -x "$T/bin/$prog" ]] || skip "$prog not built"; done
}

# json EXPR: prints EXPR evaluated with d = the JSON document on stdin (e.g. json 'd["Id"]').
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print(eval(sys.argv[1]))" "$1"; }

# import_busybox: imports the busybox base image as busybox:latest.
import_busybox() {
  api POST "/images/create?fromSrc=-&repo=busybox&tag=latest" --data-binary @"$(busybox_tar)" >/dev/null
  assert_eq "$(api_status)" 200 "import busybox"
}

# create BODY [NAME]: creates a container from the JSON BODY and prints its id.
create() {
  api POST "/containers/create${2:+?name=$2}" -H 'Content-Type: application/json' -d "$1" | json 'd["Id"]'
}

# run_wait BODY: creates and starts a container, waits until it exited, prints its id.
run_wait() {
  local id
  id=$(create "$1")
  api POST "/containers/$id/start" >/dev/null
  [[ $(api_status) == 204 ]] || fail "start: $(cat "$T/body")"
  api POST "/containers/$id/wait" >/dev/null
  echo "$id"
}

# frames: the payloads of a multiplexed attach/logs stream (8-byte headers) on stdin.
frames() { python3 -c '
import sys
d = sys.stdin.buffer.read()
while len(d) >= 8:
    n = int.from_bytes(d[4:8], "big"); sys.stdout.buffer.write(d[8:8 + n]); d = d[8 + n:]'; }

# logs_of ID: the container's stdout and stderr as stored in its log.
logs_of() { api GET "/containers/$1/logs?stdout=1&stderr=1" | frames; }

# remove_containers: force-removes every container of this burrowd; never fails (for traps).
remove_containers() {
  local ids id
  ids=$(API_TIMEOUT=10 api GET "/containers/json?all=1" |
    python3 -c 'import json,sys; print(" ".join(c["Id"] for c in json.load(sys.stdin)))' 2>/dev/null) || return 0
  for id in $ids; do API_TIMEOUT=15 api DELETE "/containers/$id?force=1" >/dev/null 2>&1 || true; done
}

# remove_containers_on_exit: on exit, remove the containers first, then burrow_cleanup.
remove_containers_on_exit() {
  trap 'rc=$?; set +e; remove_containers; (exit $rc); burrow_cleanup' EXIT
}

# free_port: a TCP port on 127.0.0.1 that nobody listens on now (off the ephemeral range).
free_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 12000))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  fail "no free port"
}
