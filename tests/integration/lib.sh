# Shared helpers for the integration tests: each test sources this file, calls burrow_setup,
# starts a real burrowd as an unprivileged user on its own socket and state directory, and
# drives it with curl (and the docker CLI when installed). Exit code 77 means "skipped".
#
# Environment (set by ctest, see tests/integration/CMakeLists.txt):
#   BURROW_BIN_DIR   directory with burrowd, burrow-shim, burrow-overlay
#   BURROW_SRC_DIR   the source tree (for scripts/)
set -euo pipefail

SKIP=77
TEST_NAME=$(basename "$0" .sh)

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
      "$@"
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
  for prog in burrowd burrow-shim burrow-overlay burrow-net burrow-net-probe; do
    [[ -x "$BURROW_BIN_DIR/$prog" ]] && cp "$BURROW_BIN_DIR/$prog" "$T/bin/"
  done
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
  # Engine namespace holders outlive burrowd by design (one per state directory); end ours,
  # checking the start time recorded with the pid so that a recycled pid is left alone.
  local rec hpid hstart
  while IFS= read -r rec; do
    read -r hpid hstart <"$rec" 2>/dev/null || continue
    if [[ -n "$hpid" && "$(sed 's/.*) //' "/proc/$hpid/stat" 2>/dev/null | cut -d' ' -f20)" == "$hstart" ]]; then
      kill -KILL "$hpid" 2>/dev/null || true
    fi
  done < <(find "$T" -name engine-ns.pid 2>/dev/null)
  if [[ $rc -ne 0 && $rc -ne $SKIP && -f "$T/burrowd.log" ]]; then
    echo "---- burrowd.log ($TEST_NAME) ----" >&2
    tail -n 60 "$T/burrowd.log" >&2 || true
  fi
  # Anything still mounted below the test directory (FUSE overlays) goes before removal.
  { grep -o " $T[^ ]*" /proc/self/mountinfo 2>/dev/null || true; } | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || fusermount3 -uz "$m" 2>/dev/null || true
  done
  if [[ -z "${BURROW_KEEP_TEST_DIR:-}" ]]; then rm -rf "$T" 2>/dev/null || true; fi
  exit $rc
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
