#!/usr/bin/env bash
# Lifecycle benchmark: `docker run --rm busybox true` end to end, N runs (default 20), against
# burrowd and, in the same run, rootless podman (`podman --runtime runc run --rm`, and podman's
# Docker-compatible service driven by the same docker CLI); then 50 sequential
# create/start/wait/delete cycles over burrowd's API with curl. Prints median and p90 (ms).
# Runs everything as an unprivileged user (burrowtest when started as root).
# Usage: bench/lifecycle/run.sh [RUNS]   (needs a build in _build, see scripts/test)
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
runs=${1:-20}
cycles=${CYCLES:-50}
[[ -x "$docker_cli" ]] || { echo "bench: the docker CLI is needed" >&2; exit 1; }
bench_init lifecycle
scripts/make-busybox-image "$dir/busybox.tar"
bench_chown

echo "bench: burrowd ($user)"
start_burrowd "$dir/burrow.sock"
run_as curl -sf --unix-socket "$dir/burrow.sock" -X POST --data-binary @"$dir/busybox.tar" \
  "http://localhost/images/create?fromSrc=-&repo=busybox&tag=latest" >/dev/null
bdocker() { run_as env DOCKER_HOST="unix://$dir/burrow.sock" DOCKER_CONFIG="$dir/dc" "$docker_cli" "$@"; }
bdocker run --rm busybox true  # warm-up

pdocker() { run_as env DOCKER_HOST="unix://$dir/podman.sock" DOCKER_CONFIG="$dir/dc" "$docker_cli" "$@"; }
have_podman=0
if pman import "$dir/busybox.tar" localhost/busybox:latest >/dev/null 2>&1; then
  have_podman=1
  pman run --rm localhost/busybox true
  run_as_bg podman --root "$dir/podman-root" --runroot "$dir/podman-run" --runtime runc \
    system service --time=0 "unix://$dir/podman.sock" >"$dir/podman-service.log" 2>&1
  pids+=($!)
  wait_sock "$dir/podman.sock"
  pdocker run --rm localhost/busybox true
else
  echo "bench: rootless podman does not work here; peers skipped" >&2
fi

# The machine is shared: the three contenders take turns, round by round, so that load
# changes hit them alike.
B="burrow: docker run --rm busybox true"
P="podman --runtime runc run --rm busybox true"
S="podman service: docker run --rm busybox true"
for ((i = 0; i < runs; i++)); do
  time_once "$B" bdocker run --rm busybox true
  if [[ $have_podman -eq 1 ]]; then
    time_once "$P" pman run --rm localhost/busybox true
    time_once "$S" pdocker run --rm localhost/busybox true
  fi
done
report "$B" "$P" "$S"

echo "bench: $cycles create/start/wait/delete cycles over burrowd's API"
# curl runs as the invoking user (root may use the test user's socket), so the cycle times
# measure the API rather than setpriv.
bcurl() { curl -sf --unix-socket "$dir/burrow.sock" "$@"; }
cycle() {
  local id
  id=$(bcurl -X POST -H 'Content-Type: application/json' -d '{"Image":"busybox","Cmd":["true"]}' \
    http://localhost/containers/create | sed -e 's/.*"Id" *: *"\([0-9a-f]*\)".*/\1/')
  bcurl -X POST "http://localhost/containers/$id/start" >/dev/null
  bcurl -X POST "http://localhost/containers/$id/wait" >/dev/null
  bcurl -X DELETE "http://localhost/containers/$id" >/dev/null
}
for ((i = 0; i < cycles; i++)); do time_once "burrow API: create/start/wait/delete" cycle; done
report "burrow API: create/start/wait/delete"

ratio "$B" "$P" "target < 0.50, aim 0.25"
ratio "$B" "$S" "target < 0.50, aim 0.25"
