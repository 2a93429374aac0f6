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
src=$(pwd)
runs=${1:-3}
layer_mb=${LAYER_MB:-50}
bin_dir=${BURROW_BIN_DIR:-$src/_build/bin}
[[ -x "$bin_dir/burrowd" ]] || { echo "bench: $bin_dir/burrowd missing (build first)" >&2; exit 1; }
[[ -x /usr/bin/docker-registry ]] || { echo "bench: docker-registry missing (scripts/install-deps)" >&2; exit 1; }
command -v podman >/dev/null || { echo "bench: podman missing (scripts/install-deps --bench)" >&2; exit 1; }

user=$(id -un)
[[ $(id -u) -eq 0 ]] && { scripts/setup-test-host; user=burrowtest; }
home=$(getent passwd "$user" | cut -d: -f6)
dir=$(mktemp -d /tmp/burrow-bench-registry.XXXXXX)
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
# run_as_bg CMD... >OUT: CMD in the background as the user; $! is then CMD's own pid (setpriv
# and env exec), not a subshell's, so that cleanup can end it.
run_as_bg() {
  if [[ $(id -u) -eq 0 ]]; then
    setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
      env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$home" USER="$user" \
      XDG_RUNTIME_DIR="$dir/xdg" "$@" &
  else
    XDG_RUNTIME_DIR="$dir/xdg" "$@" &
  fi
}
podman_() { run_as podman --root "$dir/podman-root" --runroot "$dir/podman-run" "$@"; }

pids=()
reg_pid=""
stop_registry() {
  [[ -n "$reg_pid" ]] && { kill -TERM "$reg_pid" 2>/dev/null || true; wait "$reg_pid" 2>/dev/null || true; }
  reg_pid=""
}
cleanup() {
  stop_registry
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
[[ $(id -u) -eq 0 ]] && chown -R "$user": "$dir"
echo "bench: image archive $(du -m "$dir/image.tar" | cut -f1) MB"

sock="$dir/docker.sock"
run_as_bg "$dir/bin/burrowd" --root "$dir/state" -H "unix://$sock" >"$dir/burrowd.log" 2>&1
pids+=($!)
for _ in $(seq 1 200); do curl -sf --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1 && break; sleep 0.05; done
api() { run_as curl -sS --unix-socket "$sock" "$@"; }
api -X POST --data-binary "@$dir/image.tar" http://localhost/images/load >/dev/null
# podman reads only archives with manifest.json: give it burrowd's save of the same image.
api -o "$dir/image-save.tar" "http://localhost/images/bench:1/get"
podman_ load -q -i "$dir/image-save.tar" >/dev/null
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

ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
declare -A results
record() { results[$1]+="$2 "; }
check() { if grep -q '"error"' <<<"$1"; then echo "bench: burrowd failed: $(grep '"error"' <<<"$1")" >&2; exit 1; fi; }

burrow_run() {
  local t out
  api -X POST "http://localhost/images/bench:1/tag?repo=$REG/b/bench&tag=1" >/dev/null
  sync; t=$(date +%s%N)
  out=$(api -X POST "http://localhost/images/$REG/b/bench/push?tag=1"); check "$out"
  record "burrowd push" "$(ms "$t")"
  api -X DELETE "http://localhost/images/$REG/b/bench:1" >/dev/null
  api -X DELETE "http://localhost/images/bench:1" >/dev/null
  sync; t=$(date +%s%N)
  out=$(api -X POST "http://localhost/images/create?fromImage=$REG/b/bench&tag=1"); check "$out"
  record "burrowd pull" "$(ms "$t")"
  # Back to one tag, so that the next run's rmi removes the image again.
  api -X POST "http://localhost/images/$REG/b/bench:1/tag?repo=bench&tag=1" >/dev/null
  api -X DELETE "http://localhost/images/$REG/b/bench:1" >/dev/null
}
podman_run() {
  local t
  sync; t=$(date +%s%N)
  podman_ push -q --tls-verify=false bench:1 "docker://$REG/p/bench:1" >/dev/null
  record "podman push" "$(ms "$t")"
  podman_ rmi -f bench:1 >/dev/null
  sync; t=$(date +%s%N)
  podman_ pull -q --tls-verify=false "$REG/p/bench:1" >/dev/null
  record "podman pull" "$(ms "$t")"
  podman_ tag "$REG/p/bench:1" bench:1
  podman_ rmi "$REG/p/bench:1" >/dev/null 2>&1 || true
}
for ((i = 0; i < runs; i++)); do
  start_registry "$i"
  if ((i % 2 == 0)); then burrow_run; podman_run; else podman_run; burrow_run; fi
  stop_registry
  rm -rf "$dir/registry-$i"
done

for name in "burrowd push" "podman push" "burrowd pull" "podman pull"; do
  python3 -c '
import sys
name, vals = sys.argv[1], sorted(float(x) for x in sys.argv[2].split())
med = vals[len(vals) // 2] if len(vals) % 2 else (vals[len(vals) // 2 - 1] + vals[len(vals) // 2]) / 2
p90 = vals[min(len(vals) - 1, int(round(0.9 * (len(vals) - 1))))]
print(f"{name:<14} n={len(vals):<3} median={med:8.1f} ms  p90={p90:8.1f} ms")' "$name" "${results[$name]}"
done
