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
source bench/lib.sh
rounds=${1:-3}
[[ -x "$docker_cli" ]] || { echo "bench: the docker CLI is needed" >&2; exit 1; }
bench_init build
mkdir -p "$dir/ctx/tree"
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
bench_chown

echo "bench: burrowd ($user)"
start_burrowd "$dir/burrow.sock"
run_as curl -sf --unix-socket "$dir/burrow.sock" -X POST --data-binary @"$dir/busybox.tar" \
  "http://localhost/images/create?fromSrc=-&repo=localhost/busybox&tag=latest" >/dev/null
bdocker() { run_as env DOCKER_HOST="unix://$dir/burrow.sock" DOCKER_BUILDKIT=0 DOCKER_CONFIG="$dir/dc" "$docker_cli" "$@"; }
bdocker build -t warm "$dir/ctx" >/dev/null 2>&1  # warm-up (page cache, first overlay)
for ((i = 0; i < rounds; i++)); do
  t=$(now_ns); bdocker build --no-cache -t b "$dir/ctx" >"$dir/b.out" 2>&1 || { cat "$dir/b.out"; exit 1; }
  record "burrow: build cold" "$(ms_since "$t")"
  grep -q "Running in" "$dir/b.out" && ! grep -q "Using cache" "$dir/b.out" ||
    { echo "bench: burrow's --no-cache build did not run every step" >&2; exit 1; }
  t=$(now_ns); bdocker build -t b "$dir/ctx" >"$dir/b.out" 2>&1
  record "burrow: build cached" "$(ms_since "$t")"
  grep -q "Using cache" "$dir/b.out" || { echo "bench: burrow did not use its cache" >&2; exit 1; }
done
report "burrow: build cold" "burrow: build cached"

if pman import "$dir/busybox.tar" localhost/busybox:latest >/dev/null 2>&1; then
  pman build --pull=never -t warm "$dir/ctx" >/dev/null 2>&1 || { echo "bench: podman build failed" >&2; exit 1; }
  for ((i = 0; i < rounds; i++)); do
    time_once "podman --runtime runc: build cold" pman build --pull=never --no-cache -t p "$dir/ctx"
    time_once "podman --runtime runc: build cached" pman build --pull=never -t p "$dir/ctx"
  done
  report "podman --runtime runc: build cold" "podman --runtime runc: build cached"
else
  echo "bench: rootless podman does not work here; peer skipped" >&2
fi

ratio "burrow: build cold" "podman --runtime runc: build cold" "target < 1.0"
ratio "burrow: build cached" "podman --runtime runc: build cached" "target < 1.0"
