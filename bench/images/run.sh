#!/usr/bin/env bash
# Image import/export benchmark: a generated root file system of 20k files (200 directories of
# 100 files, 0-8 KiB each, plus symlinks; about 80 MB) as one tarball, imported and exported
# N times (default 5) by burrowd and, in the same run, by rootless podman:
#   import:  burrowd POST /images/create?fromSrc=-      vs  podman import, of a tarball neither
#            has seen (the tree plus one file naming the run)
#   import again: the same, of the one tarball both imported before the runs. podman keeps
#            layers by content digest and skips extracting a layer it has (it only hashes the
#            tarball); burrowd, like Docker 0.8, extracts every import into a layer of its own
#   export:  burrowd GET /containers/(id)/export  vs  podman export, of a container created
#            from the image (the same tree as a tar); and GET /images/(id)/get (docker save)
#            vs podman save (docker-archive)
# Prints median, p90, min and max (ms) per case and burrow/podman ratios. Runs as an unprivileged user (burrowtest when root).
# Usage: bench/images/run.sh [RUNS]   (needs burrowd in _build/bin or $BURROW_BIN_DIR)
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
runs=${1:-5}
files=${FILES:-20000}
bench_init images

echo "bench: generating $files files"
python3 - "$dir/tree" "$files" <<'PY'
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(42)
per_dir = 100
for i in range(n):
    d = os.path.join(root, "usr", "share", f"d{i // per_dir:03d}")
    if i % per_dir == 0:
        os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i % per_dir:03d}.dat"), "wb") as f:
        f.write(rng.randbytes(rng.randint(0, 8192)))
    if i % 1000 == 0:
        os.symlink(f"f{i % per_dir:03d}.dat", os.path.join(d, f"link{i}"))
os.makedirs(os.path.join(root, "bin"), exist_ok=True)
PY
cp /bin/busybox "$dir/tree/bin/busybox"
tar --numeric-owner --owner=0 --group=0 -C "$dir/tree" -cf "$dir/tree.tar" .
rm -rf "$dir/tree"
# One tarball per run that no store has seen: the tree plus a file naming the run.
mkdir -p "$dir/uniq"
for ((i = 0; i < runs; i++)); do
  echo "run $i" >"$dir/uniq/run-id"
  cp "$dir/tree.tar" "$dir/run-$i.tar"
  tar --numeric-owner --owner=0 --group=0 -rf "$dir/run-$i.tar" -C "$dir/uniq" run-id
done
bench_chown
echo "bench: tarball $(du -m "$dir/tree.tar" | cut -f1) MB"

sock="$dir/docker.sock"
start_burrowd "$sock"

# Each timed step starts after `sync`, so one tool's writeback does not land on the other.
# Nothing is deleted until all runs are done: ext4 skips recently freed inodes when it
# allocates new ones (a scan that can cost seconds for 20k files), so a delete right before
# one tool's import would slow that tool down, not measure it. The order alternates per run.
burrow_import() {
  run_as curl -sS --unix-socket "$sock" -X POST --data-binary "@$1" "http://localhost/images/create?fromSrc=-&repo=bench&tag=$2"
}
burrow_run() {
  local i=$1 t out id cid
  sync
  t=$(now_ns)
  out=$(burrow_import "$dir/run-$i.tar" "$i")
  record "burrowd import" "$(ms_since "$t")"
  id=$(printf '%s\n' "$out" | tail -n1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
  sync
  time_once "burrowd import again" burrow_import "$dir/tree.tar" "again$i"
  sync
  t=$(now_ns)
  run_as curl -sS --unix-socket "$sock" -o /dev/null "http://localhost/images/$id/get"
  record "burrowd export (save)" "$(ms_since "$t")"
  cid=$(run_as curl -sS --unix-socket "$sock" -X POST -H 'Content-Type: application/json' \
        -d "{\"Image\":\"$id\",\"Cmd\":[\"true\"]}" http://localhost/containers/create |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["Id"])')
  sync
  t=$(now_ns)
  run_as curl -sS --unix-socket "$sock" -o /dev/null "http://localhost/containers/$cid/export"
  record "burrowd export (container)" "$(ms_since "$t")"
}
podman_run() {
  local i=$1 t
  sync
  t=$(now_ns)
  pman import -q "$dir/run-$i.tar" "bench:$i" >/dev/null
  record "podman import" "$(ms_since "$t")"
  sync
  time_once "podman import again" pman import -q "$dir/tree.tar" "bench:again$i"
  sync
  t=$(now_ns)
  pman save -q -o /dev/stdout "bench:$i" >/dev/null
  record "podman save" "$(ms_since "$t")"
  pman create -q --name "c$i" "bench:$i" true >/dev/null
  sync
  t=$(now_ns)
  pman export "c$i" >/dev/null
  record "podman export (container)" "$(ms_since "$t")"
}
echo "bench: podman's storage driver: $(pman info --format '{{.Store.GraphDriverName}}' 2>/dev/null)"
burrow_import "$dir/tree.tar" first >/dev/null
pman import -q "$dir/tree.tar" bench:first >/dev/null
for ((i = 0; i < runs; i++)); do
  if ((i % 2 == 0)); then burrow_run "$i"; podman_run "$i"; else podman_run "$i"; burrow_run "$i"; fi
done

report "burrowd import" "podman import" "burrowd import again" "podman import again" \
  "burrowd export (save)" "podman save" "burrowd export (container)" "podman export (container)"
ratio "burrowd import" "podman import" "target <= 1.0, aim 0.5"
ratio "burrowd import again" "podman import again" "podman reuses the layer it has"
ratio "burrowd export (container)" "podman export (container)" "target <= 1.0, aim 0.5"
ratio "burrowd export (save)" "podman save" "target <= 1.0, aim 0.5"
