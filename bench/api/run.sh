#!/usr/bin/env bash
# API request rates: sequential (1 connection) and 8 concurrent keep-alive connections for
# GET /_ping and GET /version over the Unix socket, for burrowd and, in the same run, rootless
# `podman system service` (--runtime runc), both run by an unprivileged user (burrowtest when
# started as root). Also burrowd's resident memory when idle (after start, and again after the
# load once its request threads have retired). A small C++ client (loadgen.cpp) makes the
# requests. Prints a table and the burrowd/podman ratios.
# Usage: bench/api/run.sh [SECONDS per run, default 2; each cell is the median of 3 runs]   (needs a build in _build)
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$(pwd)
secs=${1:-2}
bin_dir=${BURROW_BIN_DIR:-$src/_build/bin}
[[ -x "$bin_dir/burrowd" ]] || { echo "bench: no burrowd in $bin_dir (build first, see scripts/test)" >&2; exit 1; }

user=$(id -un)
[[ $(id -u) -eq 0 ]] && { scripts/setup-test-host; user=burrowtest; }
home=$(getent passwd "$user" | cut -d: -f6)
run_as() {
  if [[ $(id -u) -eq 0 ]]; then
    exec setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups \
      env -i PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin HOME="$home" USER="$user" \
      XDG_RUNTIME_DIR="$dir/xdg" "$@"
  else
    XDG_RUNTIME_DIR="$dir/xdg" exec "$@"
  fi
}

dir=$(mktemp -d /tmp/burrow-bench-api.XXXXXX)
chmod 0755 "$dir"
mkdir -p "$dir/bin" "$dir/xdg"
chmod 0700 "$dir/xdg"
cp "$bin_dir/burrowd" "$dir/bin/"
g++ -O2 -std=c++20 -pthread -o "$dir/bin/loadgen" bench/api/loadgen.cpp
[[ $(id -u) -eq 0 ]] && chown -R "$user": "$dir"

burrowd_pid="" podman_pid=""
cleanup() {
  for p in $burrowd_pid $podman_pid; do kill -TERM "$p" 2>/dev/null || true; done
  for p in $burrowd_pid $podman_pid; do timeout 10 tail --pid="$p" -f /dev/null 2>/dev/null || true; done
  # The engine namespace holder outlives burrowd by design; this run's holder goes too.
  if read -r hpid hstart <"$dir/state/engine-ns.pid" 2>/dev/null &&
     [[ "$(sed 's/.*) //' "/proc/$hpid/stat" 2>/dev/null | cut -d' ' -f20)" == "$hstart" ]]; then
    kill -KILL "$hpid" 2>/dev/null || true
  fi
  (run_as podman --root "$dir/podman-root" --runroot "$dir/podman-run" system reset -f) >/dev/null 2>&1 || true
  rm -rf "$dir" 2>/dev/null || true
}
trap cleanup EXIT

wait_sock() {
  for _ in $(seq 1 300); do
    curl -sf --max-time 2 --unix-socket "$1" http://localhost/_ping >/dev/null 2>&1 && return 0
    sleep 0.05
  done
  echo "bench: nothing answers on $1" >&2
  exit 1
}
rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status"; }

(run_as "$dir/bin/burrowd" --root "$dir/state" -H "unix://$dir/burrowd.sock") >"$dir/burrowd.log" 2>&1 &
burrowd_pid=$!
(run_as podman --root "$dir/podman-root" --runroot "$dir/podman-run" --runtime runc \
  system service -t 0 "unix://$dir/podman.sock") >"$dir/podman.log" 2>&1 &
podman_pid=$!
wait_sock "$dir/burrowd.sock"
wait_sock "$dir/podman.sock"
sleep 1
rss_start=$(rss_kb "$burrowd_pid")

measure() {  # measure SOCKET PATH CONNECTIONS -> "rps p50 p99 errors" of the median of 3 runs
  "$dir/bin/loadgen" "$1" "$2" "$3" 0.5 >/dev/null  # warm-up
  for _ in 1 2 3; do "$dir/bin/loadgen" "$1" "$2" "$3" "$secs"; done | sort -n | sed -n 2p
}

echo "API request rates over the Unix socket, median of 3 runs of ${secs}s per cell, $(nproc) CPUs (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
printf '%-10s %5s | %12s %9s %9s | %12s %9s %9s | %7s\n' endpoint conns "burrowd r/s" "p50 us" "p99 us" "podman r/s" "p50 us" "p99 us" ratio
for path in /_ping /version; do
  for conns in 1 8; do
    read -r b_rps b_p50 b_p99 b_err < <(measure "$dir/burrowd.sock" "$path" "$conns")
    read -r p_rps p_p50 p_p99 p_err < <(measure "$dir/podman.sock" "$path" "$conns")
    ratio=$(awk -v a="$b_rps" -v b="$p_rps" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "inf" }')
    printf '%-10s %5s | %12s %9s %9s | %12s %9s %9s | %7s\n' "$path" "$conns" "$b_rps" "$b_p50" "$b_p99" "$p_rps" "$p_p50" "$p_p99" "$ratio"
    [[ $b_err == 0 && $p_err == 0 ]] || echo "  (errors: burrowd $b_err, podman $p_err)"
  done
done

# Request threads retire after 10 s idle.
sleep 12
rss_idle=$(rss_kb "$burrowd_pid")
echo
echo "burrowd resident memory: ${rss_start} kB idle after start, ${rss_idle} kB idle after the load (target < 10240 kB)"
echo "podman system service resident memory: $(rss_kb "$podman_pid") kB"
