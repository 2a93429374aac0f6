# bench/lib.sh: what the benchmarks share. Source it from bench/<area>/run.sh after
# `cd "$(dirname "$0")/../.."`; then:
#   bench_init NAME      user (burrowtest when run as root, made by scripts/setup-test-host),
#                        home, dir (a fresh /tmp/burrow-bench-NAME.* with bin/ state/ xdg/),
#                        burrow's programs copied to $dir/bin, cleanup on exit. With
#                        BENCH_LOOPFS=1 (root only) $dir is a new journaled ext4 of its own
#                        (a loop device): on this VM's root ext4, which has no journal, a file
#                        created within minutes of mass deletes (another benchmark's clean-up,
#                        a test suite) scans the freed inodes, and an import can take 10x longer
#   run_as CMD...        CMD as the benchmark user; run_as_bg CMD... the same in the
#                        background, with $! the pid of CMD itself (setpriv and env exec)
#   pman ARGS...         rootless podman (--runtime runc) on the benchmark's own storage
#   start_burrowd SOCK   burrowd as the user on SOCK and $dir/state, waits until it answers
#   wait_sock SOCK       waits until something answers /_ping on SOCK
#   now_ns; ms_since T0  a timestamp and the milliseconds since it
#   time_once NAME CMD.. runs CMD (output dropped) and records its time under NAME
#   record NAME MS       one sample; report NAME... prints n, median, p90, min and max of each
#   ratio A B TARGET     prints median(A)/median(B) with the target in words
# Every timing is printed, never judged: a benchmark is not a test.

src=$(pwd)
bin_dir=${BURROW_BIN_DIR:-$src/_build/bin}
docker_cli=$(command -v docker || echo /usr/local/bin/docker)
pids=()
loopfs=

bench_init() {
  [[ -x "$bin_dir/burrowd" ]] || { echo "bench: $bin_dir/burrowd missing (build first: scripts/test)" >&2; exit 1; }
  user=$(id -un)
  if [[ $(id -u) -eq 0 ]]; then
    scripts/setup-test-host >/dev/null
    user=burrowtest
  fi
  home=$(getent passwd "$user" | cut -d: -f6)
  dir=$(mktemp -d "/tmp/burrow-bench-$1.XXXXXX")
  if [[ -n "${BENCH_LOOPFS:-}" && $(id -u) -eq 0 ]]; then
    truncate -s "${BENCH_LOOPFS_SIZE:-16G}" "$dir.img"
    mkfs.ext4 -q -F "$dir.img"
    mount -o loop "$dir.img" "$dir"
    loopfs=$dir
  fi
  chmod 0755 "$dir"
  mkdir -p "$dir/bin" "$dir/state" "$dir/xdg" "$dir/values"
  chmod 0700 "$dir/xdg"
  local prog
  for prog in burrowd burrow-shim burrow-overlay burrow-net burrow-tls.so; do
    [[ -x "$bin_dir/$prog" ]] && cp "$bin_dir/$prog" "$dir/bin/"
  done
  trap bench_cleanup EXIT
}

# Hands the benchmark's files to its user (call after writing inputs as root).
bench_chown() {
  [[ $(id -u) -eq 0 ]] && chown -R "$user": "$dir"
  return 0
}

run_as() {
  if [[ $(id -u) -eq 0 ]]; then
    setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
      env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$home" USER="$user" \
      XDG_RUNTIME_DIR="$dir/xdg" "$@"
  else
    XDG_RUNTIME_DIR="$dir/xdg" "$@"
  fi
}

run_as_bg() {
  if [[ $(id -u) -eq 0 ]]; then
    setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
      env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$home" USER="$user" \
      XDG_RUNTIME_DIR="$dir/xdg" "$@" &
  else
    XDG_RUNTIME_DIR="$dir/xdg" "$@" &
  fi
}

pman() { run_as podman --root "$dir/podman-root" --runroot "$dir/podman-run" --runtime runc "$@"; }

wait_sock() {
  local _
  for _ in $(seq 1 200); do
    curl -sf --unix-socket "$1" http://localhost/_ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "bench: nothing answers on $1" >&2
  exit 1
}

start_burrowd() {
  run_as_bg "$dir/bin/burrowd" --root "$dir/state" -H "unix://$1" >"$dir/burrowd.log" 2>&1
  pids+=($!)
  wait_sock "$1"
}

bench_cleanup() {
  local p
  for p in "${pids[@]:-}"; do [[ -n "$p" ]] && kill -TERM "$p" 2>/dev/null || true; done
  sleep 1
  # burrowd's engine-namespace holder outlives it by design: end ours, and leftover mounts.
  "$src/scripts/end-burrow-leftovers" "$dir"
  pman system reset -f >/dev/null 2>&1 || true
  # podman's pause process (it holds the user namespace, and a copy of every mount) outlives reset
  for p in $(pgrep -u "$user" podman); do  # its name is "podman pause"
    grep -qz "^XDG_RUNTIME_DIR=$dir/xdg$" "/proc/$p/environ" 2>/dev/null && kill "$p" 2>/dev/null
  done
  if [[ -n "${loopfs:-}" ]]; then
    umount -l "$loopfs" 2>/dev/null || true  # end-burrow-leftovers may have done it already
    rm -f "$loopfs.img"
    rmdir "$loopfs" || true
    return 0
  fi
  rm -rf "$dir" 2>/dev/null || true
}

now_ns() { date +%s%N; }
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# Samples live in $dir/values, one file per name; medians in $dir/medians for ratio.
sample_file() { echo "$dir/values/$(printf '%s' "$1" | tr -c 'A-Za-z0-9' '_')"; }
record() { echo "$2" >>"$(sample_file "$1")"; }
time_once() {
  local t
  t=$(now_ns)
  "${@:2}" >/dev/null
  record "$1" "$(ms_since "$t")"
}

report() {
  local name
  for name; do
    [[ -s "$(sample_file "$name")" ]] || continue
    python3 -c '
import sys
name = sys.argv[1]
v = sorted(float(x) for x in open(sys.argv[2]).read().split())
med = v[len(v) // 2] if len(v) % 2 else (v[len(v) // 2 - 1] + v[len(v) // 2]) / 2
p90 = v[min(len(v) - 1, int(round(0.9 * (len(v) - 1))))]
print(f"{name:<46} n={len(v):<3} median={med:8.1f} ms  p90={p90:8.1f}  min={v[0]:8.1f}  max={v[-1]:8.1f}")
print(f"{name}\t{med}", file=open(sys.argv[3], "a"))' "$name" "$(sample_file "$name")" "$dir/medians"
  done
}

ratio() {
  python3 - "$dir/medians" "$1" "$2" "$3" <<'PY'
import sys
path, a, b, target = sys.argv[1:]
try:
    m = dict(line.rstrip("\n").split("\t") for line in open(path))
except FileNotFoundError:
    m = {}
if a in m and b in m and float(m[b]):
    print(f"{a} / {b}: {float(m[a]) / float(m[b]):.2f} ({target})")
PY
}
