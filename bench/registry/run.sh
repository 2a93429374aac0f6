#!/usr/bin/env bash
# Registry benchmark: push and pull of a ~200 MB image of 4 layers (half random bytes, half
# text) to and from a loopback registry (Debian's docker-registry), by burrowd and, in the
# same run, by rootless podman. Every run uses a fresh registry, so no blob is skipped.
#   push:  burrowd POST /images/(name)/push    vs  podman push --tls-verify=false
#   pull:  burrowd POST /images/create?fromImage= (after rmi)  vs  podman pull (after rmi)
# Prints median and p90 (ms) per case. Runs as an unprivileged user (burrowtest when root).
# Usage: bench/registry/run.sh [RUNS]   (needs burrowd in _build/bin or $BURROW_BIN_DIR)
set -euo pipefail
cd "$(dirname "$0")/../.."
source bench/lib.sh
runs=${1:-3}
layer_mb=${LAYER_MB:-50}
[[ -x /usr/bin/docker-registry ]] || { echo "bench: docker-registry missing (scripts/install-deps)" >&2; exit 1; }
command -v podman >/dev/null || { echo "bench: podman missing (scripts/install-deps --bench)" >&2; exit 1; }
bench_init registry

reg_pid=""
stop_registry() {
  [[ -n "$reg_pid" ]] && { kill -TERM "$reg_pid" 2>/dev/null || true; wait "$reg_pid" 2>/dev/null || true; }
  reg_pid=""
}
trap 'stop_registry; bench_cleanup' EXIT

echo "bench: generating 4 layers of $layer_mb MB"
python3 - "$dir/image.tar" "$layer_mb" <<'PY'
import io, json, random, sys, tarfile, time
out, mb = sys.argv[1], int(sys.argv[2])
rng = random.Random(7)
words = [bytes(rng.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 9))) for _ in range(5000)]
def add(t, name, data, mode=0o644):
    info = tarfile.TarInfo(name); info.size = len(data); info.mode = mode; info.mtime = int(time.time())
    t.addfile(info, io.BytesIO(data))
ids = ["%064x" % (i + 1) for i in range(4)]
with tarfile.open(out, "w") as arch:
    for n, iid in enumerate(ids):
        layer = io.BytesIO()
        with tarfile.open(fileobj=layer, mode="w") as t:
            for f in range(mb // 2):  # 1 MiB files: half random, half text
                if f % 2 == 0:
                    add(t, "l%d/r%03d.bin" % (n, f), rng.randbytes(2 << 20))
                else:
                    text = b" ".join(rng.choice(words) for _ in range(400000))[: 2 << 20]
                    add(t, "l%d/t%03d.txt" % (n, f), text)
            if n == 0:
                add(t, "bin/busybox", open("/bin/busybox", "rb").read(), 0o755)
        j = {"id": iid, "created": "2024-01-01T00:00:00Z", "architecture": "amd64", "os": "linux",
             "container_config": {"Cmd": ["layer %d" % n]}, "config": {"Cmd": ["sh"]}}
        if n: j["parent"] = ids[n - 1]
        add(arch, iid + "/json", json.dumps(j).encode())
        add(arch, iid + "/VERSION", b"1.0")
        add(arch, iid + "/layer.tar", layer.getvalue())
    add(arch, "repositories", json.dumps({"bench": {"1": ids[-1]}}).encode())
PY
bench_chown
echo "bench: image archive $(du -m "$dir/image.tar" | cut -f1) MB"

sock="$dir/docker.sock"
start_burrowd "$sock"
api() { run_as curl -sS --unix-socket "$sock" "$@"; }
api -X POST --data-binary "@$dir/image.tar" http://localhost/images/load >/dev/null
# podman reads only archives with manifest.json: give it burrowd's save of the same image.
api -o "$dir/image-save.tar" "http://localhost/images/bench:1/get"
pman load -q -i "$dir/image-save.tar" >/dev/null
rm -f "$dir/image-save.tar"

start_registry() {
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  REG="127.0.0.1:$port"
  local rd="$dir/registry-$1"
  mkdir -p "$rd/storage"
  printf 'version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: %s\n' \
    "$rd/storage" "$REG" >"$rd/config.yml"
  [[ $(id -u) -eq 0 ]] && chown -R "$user": "$rd"
  run_as_bg /usr/bin/docker-registry serve "$rd/config.yml" >"$rd/log" 2>&1
  reg_pid=$!
  for _ in $(seq 1 100); do curl -s -o /dev/null "http://$REG/v2/" && return 0; sleep 0.1; done
  echo "bench: registry did not start" >&2; exit 1
}

check() { if grep -q '"error"' <<<"$1"; then echo "bench: burrowd failed: $(grep '"error"' <<<"$1")" >&2; exit 1; fi; }

burrow_run() {
  local t out
  api -X POST "http://localhost/images/bench:1/tag?repo=$REG/b/bench&tag=1" >/dev/null
  sync; t=$(now_ns)
  out=$(api -X POST "http://localhost/images/$REG/b/bench/push?tag=1"); check "$out"
  record "burrowd push" "$(ms_since "$t")"
  api -X DELETE "http://localhost/images/$REG/b/bench:1" >/dev/null
  api -X DELETE "http://localhost/images/bench:1" >/dev/null
  sync; t=$(now_ns)
  out=$(api -X POST "http://localhost/images/create?fromImage=$REG/b/bench&tag=1"); check "$out"
  record "burrowd pull" "$(ms_since "$t")"
  # Back to one tag, so that the next run's rmi removes the image again.
  api -X POST "http://localhost/images/$REG/b/bench:1/tag?repo=bench&tag=1" >/dev/null
  api -X DELETE "http://localhost/images/$REG/b/bench:1" >/dev/null
}
podman_run() {
  local t
  sync; t=$(now_ns)
  pman push -q --tls-verify=false bench:1 "docker://$REG/p/bench:1" >/dev/null
  record "podman push" "$(ms_since "$t")"
  pman rmi -f bench:1 >/dev/null
  sync; t=$(now_ns)
  pman pull -q --tls-verify=false "$REG/p/bench:1" >/dev/null
  record "podman pull" "$(ms_since "$t")"
  pman tag "$REG/p/bench:1" bench:1
  pman rmi "$REG/p/bench:1" >/dev/null 2>&1 || true
}
for ((i = 0; i < runs; i++)); do
  start_registry "$i"
  if ((i % 2 == 0)); then burrow_run; podman_run; else podman_run; burrow_run; fi
  stop_registry
  rm -rf "$dir/registry-$i"
done

report "burrowd push" "podman push" "burrowd pull" "podman pull"
ratio "burrowd push" "podman push" "lower is faster"
ratio "burrowd pull" "podman pull" "lower is faster"
