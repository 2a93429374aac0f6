#!/usr/bin/env bash
# Image import/export benchmark: a generated root file system of 20k files (200 directories of
# 100 files, 0-8 KiB each, plus symlinks; about 80 MB) as one tarball, imported and exported
# N times (default 5) by burrowd and, in the same run, by rootless podman:
#   import:  burrowd POST /images/create?fromSrc=-      vs  podman import
#   export:  burrowd GET /images/(id)/get (docker save)  vs  podman save (docker-archive)
#            and podman export of a container created from the image (the same tree as a tar)
# Prints median and p90 (ms) per case. Runs as an unprivileged user (burrowtest when root).
# Usage: bench/images/run.sh [RUNS]   (needs burrowd in _build/bin or $BURROW_BIN_DIR)
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$(pwd)
runs=${1:-5}
files=${FILES:-20000}
bin_dir=${BURROW_BIN_DIR:-$src/_build/bin}
[[ -x "$bin_dir/burrowd" ]] || { echo "bench: $bin_dir/burrowd missing (build first)" >&2; exit 1; }

user=$(id -un)
[[ $(id -u) -eq 0 ]] && { scripts/setup-test-host; user=burrowtest; }
home=$(getent passwd "$user" | cut -d: -f6)
dir=$(mktemp -d /tmp/burrow-bench-images.XXXXXX)
chmod 0755 "$dir"
mkdir -p "$dir/bin" "$dir/state" "$dir/xdg"
chmod 0700 "$dir/xdg"
cp "$bin_dir/burrowd" "$dir/bin/"
run_as() {
  if [[ $(id -u) -eq 0 ]]; then
    setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
      env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$home" USER="$user" \
      XDG_RUNTIME_DIR="$dir/xdg" "$@"
  else
    XDG_RUNTIME_DIR="$dir/xdg" "$@"
  fi
}
podman_() { run_as podman --root "$dir/podman-root" --runroot "$dir/podman-run" "$@"; }

pids=()
cleanup() {
  for p in "${pids[@]:-}"; do [[ -n "$p" ]] && kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.5
  # burrowd's engine-namespace holder outlives it by design: end ours (pid + start time).
  local rec hpid hstart
  while IFS= read -r rec; do
    read -r hpid hstart <"$rec" 2>/dev/null || continue
    if [[ -n "$hpid" && "$(sed 's/.*) //' "/proc/$hpid/stat" 2>/dev/null | cut -d' ' -f20)" == "$hstart" ]]; then
      kill -KILL "$hpid" 2>/dev/null || true
    fi
  done < <(find "$dir" -name engine-ns.pid 2>/dev/null)
  podman_ system reset -f >/dev/null 2>&1 || true
  rm -rf "$dir" 2>/dev/null || true
}
trap cleanup EXIT

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
[[ $(id -u) -eq 0 ]] && chown -R "$user": "$dir"
echo "bench: tarball $(du -m "$dir/tree.tar" | cut -f1) MB"

sock="$dir/docker.sock"
if [[ $(id -u) -eq 0 ]]; then
  setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
    env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$home" USER="$user" \
    "$dir/bin/burrowd" --root "$dir/state" -H "unix://$sock" >"$dir/burrowd.log" 2>&1 &
else
  "$dir/bin/burrowd" --root "$dir/state" -H "unix://$sock" >"$dir/burrowd.log" 2>&1 &
fi
pids+=($!)  # setpriv and env exec, so this is burrowd's pid
for _ in $(seq 1 200); do curl -sf --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1 && break; sleep 0.05; done

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
declare -A results
record() { results[$1]+="$2 "; }

# Each timed step starts after `sync`, so one tool's writeback does not land on the other.
# Nothing is deleted until all runs are done: ext4 skips recently freed inodes when it
# allocates new ones (a scan that can cost seconds for 20k files), so a delete right before
# one tool's import would slow that tool down, not measure it. The order alternates per run.
burrow_run() {
  local i=$1 t out id
  sync
  t=$(date +%s%N)
  out=$(run_as curl -sS --unix-socket "$sock" -X POST --data-binary "@$dir/tree.tar" \
        "http://localhost/images/create?fromSrc=-&repo=bench&tag=$i")
  record "burrowd import" "$(ms "$t")"
  id=$(printf '%s\n' "$out" | tail -n1 | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
  sync
  t=$(date +%s%N)
  run_as curl -sS --unix-socket "$sock" -o /dev/null "http://localhost/images/$id/get"
  record "burrowd export (save)" "$(ms "$t")"
}
podman_run() {
  local i=$1 t
  sync
  t=$(date +%s%N)
  podman_ import -q "$dir/tree.tar" "bench:$i" >/dev/null
  record "podman import" "$(ms "$t")"
  sync
  t=$(date +%s%N)
  podman_ save -q -o /dev/stdout "bench:$i" >/dev/null
  record "podman save" "$(ms "$t")"
  podman_ create -q --name "c$i" "bench:$i" true >/dev/null
  sync
  t=$(date +%s%N)
  podman_ export "c$i" >/dev/null
  record "podman export (container)" "$(ms "$t")"
}
for ((i = 0; i < runs; i++)); do
  if ((i % 2 == 0)); then burrow_run "$i"; podman_run "$i"; else podman_run "$i"; burrow_run "$i"; fi
done

for name in "burrowd import" "podman import" "burrowd export (save)" "podman save" "podman export (container)"; do
  python3 -c '
import sys
name, vals = sys.argv[1], sorted(float(x) for x in sys.argv[2].split())
med = vals[len(vals) // 2] if len(vals) % 2 else (vals[len(vals) // 2 - 1] + vals[len(vals) // 2]) / 2
p90 = vals[min(len(vals) - 1, int(round(0.9 * (len(vals) - 1))))]
print(f"{name:<28} n={len(vals):<3} median={med:8.1f} ms  p90={p90:8.1f} ms")' "$name" "${results[$name]}"
done
