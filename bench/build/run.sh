#!/usr/bin/env bash
# Build benchmark: the same multi-step Dockerfile (ENV, WORKDIR, COPY of a small tree, three
# RUNs, EXPOSE, CMD) built by burrow (docker CLI, DOCKER_BUILDKIT=0) and by rootless
# `podman build --runtime runc`, both FROM a local busybox made by scripts/make-busybox-image
# (podman imports it; nothing is pulled). Each is timed cold (no cache) and again with the
# cache warm, ROUNDS times (default 3); prints medians and the ratios (target < 1.0).
# Runs as an unprivileged user (burrowtest when started as root).
# Usage: bench/build/run.sh [ROUNDS]   (needs a build in _build or BURROW_BIN_DIR)
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$(pwd)
rounds=${1:-3}
bin_dir=${BURROW_BIN_DIR:-$src/_build/bin}

user=$(id -un)
[[ $(id -u) -eq 0 ]] && { scripts/setup-test-host >/dev/null; user=burrowtest; }
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

dir=$(mktemp -d /tmp/burrow-bench-build.XXXXXX)
chmod 0755 "$dir"
mkdir -p "$dir/bin" "$dir/state" "$dir/xdg" "$dir/ctx/tree"
chmod 0700 "$dir/xdg"
for prog in burrowd burrow-shim burrow-overlay burrow-net; do
  [[ -x "$bin_dir/$prog" ]] && cp "$bin_dir/$prog" "$dir/bin/"
done
scripts/make-busybox-image "$dir/busybox.tar"
for i in $(seq 1 50); do echo "file $i" >"$dir/ctx/tree/f$i.txt"; done
cat >"$dir/ctx/Dockerfile" <<'DOCKERFILE'
FROM localhost/busybox:latest
ENV APP /srv/app
WORKDIR /srv/app
COPY tree /srv/app/tree
RUN cat tree/*.txt > all.txt && wc -l all.txt
RUN mkdir -p /var/cache/demo && echo cached > /var/cache/demo/x
RUN rm tree/f1.txt && ls tree | wc -l
EXPOSE 8080
CMD ["cat", "/srv/app/all.txt"]
DOCKERFILE
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

ms() { echo $((($(date +%s%N) - $1) / 1000000)); }
stats() {
  python3 -c '
import sys
name = sys.argv[1]
v = sorted(float(x) for x in sys.stdin.read().split())
med = v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
print(f"{name:<36} n={len(v):<3} median={med:8.1f} ms  min={v[0]:8.1f} ms  max={v[-1]:8.1f} ms")
print(f"{name}\t{med}", file=open(sys.argv[2], "a"))' "$1" "$dir/medians"
}

echo "bench: burrowd ($user)"
run_as "$dir/bin/burrowd" --root "$dir/state" -H "unix://$dir/burrow.sock" >"$dir/burrowd.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 200); do
  curl -sf --unix-socket "$dir/burrow.sock" http://localhost/_ping >/dev/null 2>&1 && break
  sleep 0.05
done
run_as curl -sf --unix-socket "$dir/burrow.sock" -X POST --data-binary @"$dir/busybox.tar" \
  "http://localhost/images/create?fromSrc=-&repo=localhost/busybox&tag=latest" >/dev/null
bdocker() { run_as env DOCKER_HOST="unix://$dir/burrow.sock" DOCKER_BUILDKIT=0 DOCKER_CONFIG="$dir/dc" "$docker" "$@"; }
bdocker build -t warm "$dir/ctx" >/dev/null 2>&1  # warm-up (page cache, first overlay)
for ((i = 0; i < rounds; i++)); do
  t=$(date +%s%N); bdocker build --no-cache -t b "$dir/ctx" >"$dir/b.out" 2>&1 || { cat "$dir/b.out"; exit 1; }; ms "$t" >>"$dir/b.cold"
  grep -q "Running in" "$dir/b.out" && ! grep -q "Using cache" "$dir/b.out" ||
    { echo "bench: burrow's --no-cache build did not run every step" >&2; exit 1; }
  t=$(date +%s%N); bdocker build -t b "$dir/ctx" >"$dir/b.out" 2>&1; ms "$t" >>"$dir/b.cached"
  grep -q "Using cache" "$dir/b.out" || { echo "bench: burrow did not use its cache" >&2; exit 1; }
done
stats "burrow: build cold" <"$dir/b.cold"
stats "burrow: build cached" <"$dir/b.cached"

pman() { run_as podman --root "$dir/podman-root" --runroot "$dir/podman-run" --runtime runc "$@"; }
if pman import "$dir/busybox.tar" localhost/busybox:latest >/dev/null 2>&1; then
  pman build --pull=never -t warm "$dir/ctx" >/dev/null 2>&1 || { echo "bench: podman build failed" >&2; exit 1; }
  for ((i = 0; i < rounds; i++)); do
    t=$(date +%s%N); pman build --pull=never --no-cache -t p "$dir/ctx" >/dev/null 2>&1; ms "$t" >>"$dir/p.cold"
    t=$(date +%s%N); pman build --pull=never -t p "$dir/ctx" >/dev/null 2>&1; ms "$t" >>"$dir/p.cached"
  done
  stats "podman --runtime runc: build cold" <"$dir/p.cold"
  stats "podman --runtime runc: build cached" <"$dir/p.cached"
else
  echo "bench: rootless podman does not work here; peer skipped" >&2
fi

python3 - "$dir/medians" <<'PY'
import sys
m = dict(line.rstrip("\n").split("\t") for line in open(sys.argv[1]))
for kind in ("cold", "cached"):
    b, p = m.get(f"burrow: build {kind}"), m.get(f"podman --runtime runc: build {kind}")
    if b and p:
        print(f"burrow / podman, {kind}: {float(b) / float(p):.2f} (target < 1.0)")
PY
