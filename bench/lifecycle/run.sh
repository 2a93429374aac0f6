#!/usr/bin/env bash
# Lifecycle benchmark: `docker run --rm busybox true` end to end, N runs (default 20), against
# burrowd and, in the same run, rootless podman (`podman --runtime runc run --rm`, and podman's
# Docker-compatible service driven by the same docker CLI); then 50 sequential
# create/start/wait/delete cycles over burrowd's API with curl. Prints median and p90 (ms).
# Runs everything as an unprivileged user (burrowtest when started as root).
# Usage: bench/lifecycle/run.sh [RUNS]   (needs a build in _build, see scripts/test)
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$(pwd)
runs=${1:-20}
cycles=${CYCLES:-50}
bin_dir=${BURROW_BIN_DIR:-$src/_build/bin}

user=$(id -un)
[[ $(id -u) -eq 0 ]] && { scripts/setup-test-host; user=burrowtest; }
home=$(getent passwd "$user" | cut -d: -f6)
run_as() {
  if [[ $(id -u) -eq 0 ]]; then
    setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
      env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$home" USER="$user" \
      XDG_RUNTIME_DIR="$dir/xdg" "$@"
  else
    XDG_RUNTIME_DIR="$dir/xdg" "$@"
  fi
}
docker=$(command -v docker || echo /usr/local/bin/docker)
[[ -x "$docker" ]] || { echo "bench: the docker CLI is needed" >&2; exit 1; }

dir=$(mktemp -d /tmp/burrow-bench.XXXXXX)
chmod 0755 "$dir"
mkdir -p "$dir/bin" "$dir/state" "$dir/xdg"
chmod 0700 "$dir/xdg"
for prog in burrowd burrow-shim burrow-overlay burrow-net; do
  [[ -x "$bin_dir/$prog" ]] && cp "$bin_dir/$prog" "$dir/bin/"
done
scripts/make-busybox-image "$dir/busybox.tar"
[[ $(id -u) -eq 0 ]] && chown -R "$user": "$dir"

pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [[ -n "$p" ]] && kill -TERM "$p" 2>/dev/null || true; done
  sleep 1
  grep -o " $dir[^ ]*" /proc/self/mountinfo 2>/dev/null | sort -r | while read -r m; do
    umount -l "$m" 2>/dev/null || fusermount3 -uz "$m" 2>/dev/null || true
  done
  run_as podman --root "$dir/podman-root" --runroot "$dir/podman-run" system reset -f >/dev/null 2>&1 || true
  rm -rf "$dir" 2>/dev/null || true
}
trap cleanup EXIT

wait_sock() {
  for _ in $(seq 1 200); do
    curl -sf --unix-socket "$1" http://localhost/_ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "bench: nothing answers on $1" >&2
  exit 1
}

# times_ms CMD...: runs CMD $runs times, printing one duration (ms) per line.
times_ms() {
  local i t0 t1
  for ((i = 0; i < runs; i++)); do
    t0=$(date +%s%N)
    "$@" >/dev/null
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000000))
  done
}
stats() {
  python3 -c '
import sys
name = sys.argv[1]
v = sorted(float(x) for x in sys.stdin.read().split())
med = v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
p90 = v[min(len(v) - 1, int(round(0.9 * (len(v) - 1))))]
print(f"{name:<44} n={len(v):<3} median={med:7.1f} ms  p90={p90:7.1f} ms")
print(f"{name}\t{med}", file=open(sys.argv[2], "a"))' "$1" "$dir/medians"
}

echo "bench: burrowd ($user)"
run_as "$dir/bin/burrowd" --root "$dir/state" -H "unix://$dir/burrow.sock" >"$dir/burrowd.log" 2>&1 &
pids+=($!)
wait_sock "$dir/burrow.sock"
run_as curl -sf --unix-socket "$dir/burrow.sock" -X POST --data-binary @"$dir/busybox.tar" \
  "http://localhost/images/create?fromSrc=-&repo=busybox&tag=latest" >/dev/null
bdocker() { run_as env DOCKER_HOST="unix://$dir/burrow.sock" DOCKER_CONFIG="$dir/dc" "$docker" "$@"; }
bdocker run --rm busybox true  # warm-up

pman() { run_as podman --root "$dir/podman-root" --runroot "$dir/podman-run" --runtime runc "$@"; }
pdocker() { run_as env DOCKER_HOST="unix://$dir/podman.sock" DOCKER_CONFIG="$dir/dc" "$docker" "$@"; }
have_podman=0
if pman import "$dir/busybox.tar" localhost/busybox:latest >/dev/null 2>&1; then
  have_podman=1
  pman run --rm localhost/busybox true
  run_as podman --root "$dir/podman-root" --runroot "$dir/podman-run" --runtime runc \
    system service --time=0 "unix://$dir/podman.sock" >"$dir/podman-service.log" 2>&1 &
  pids+=($!)
  wait_sock "$dir/podman.sock"
  pdocker run --rm localhost/busybox true
else
  echo "bench: rootless podman does not work here; peers skipped" >&2
fi

# The machine is shared: the three contenders take turns, round by round, so that load
# changes hit them alike.
ms_of() {
  local t0 t1
  t0=$(date +%s%N)
  "$@" >/dev/null
  t1=$(date +%s%N)
  echo $(((t1 - t0) / 1000000))
}
: >"$dir/t-burrow"; : >"$dir/t-podman"; : >"$dir/t-service"
for ((i = 0; i < runs; i++)); do
  ms_of bdocker run --rm busybox true >>"$dir/t-burrow"
  if [[ $have_podman -eq 1 ]]; then
    ms_of pman run --rm localhost/busybox true >>"$dir/t-podman"
    ms_of pdocker run --rm localhost/busybox true >>"$dir/t-service"
  fi
done
stats "burrow: docker run --rm busybox true" <"$dir/t-burrow"
if [[ $have_podman -eq 1 ]]; then
  stats "podman --runtime runc run --rm busybox true" <"$dir/t-podman"
  stats "podman service: docker run --rm busybox true" <"$dir/t-service"
fi

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
runs=$cycles times_ms cycle | stats "burrow API: create/start/wait/delete"

python3 - "$dir/medians" <<'PY'
import sys
m = dict(line.rstrip("\n").split("\t") for line in open(sys.argv[1]))
b = float(m.get("burrow: docker run --rm busybox true", 0))
for peer in ("podman --runtime runc run --rm busybox true", "podman service: docker run --rm busybox true"):
    if peer in m and b:
        p = float(m[peer])
        print(f"burrow median / {peer}: {b / p:.2f} (target < 0.50)")
PY
