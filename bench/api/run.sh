#!/usr/bin/env bash
# API request rates: sequential (1 connection) and 8 concurrent keep-alive connections for
# GET /_ping and GET /version over the Unix socket, for burrowd and, in the same run, rootless
# `podman system service` (--runtime runc), both run by an unprivileged user (burrowtest when
# started as root), and in a third column the ceiling: ceiling_server.cpp, the least an HTTP
# server with burrowd's connection model (a thread per connection) can do per request here.
# Also burrowd's resident memory when idle (after start, and again after the load once its
# request threads have retired). A small C++ client (loadgen.cpp) makes the requests. Prints a
# table, the burrowd/podman ratios and burrowd's share of the ceiling.
# The three servers take turns (burrowd, podman, ceiling, and again), so that the load other
# processes put on the machine falls on all of them alike; each cell is the median of RUNS runs.
# Usage: bench/api/run.sh [SECONDS per run, default 1] [RUNS, default 5]   (needs a build in _build)
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$(pwd)
secs=${1:-1}
runs=${2:-5}
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
g++ -O2 -std=c++20 -pthread -o "$dir/bin/ceiling_server" bench/api/ceiling_server.cpp
[[ $(id -u) -eq 0 ]] && chown -R "$user": "$dir"

burrowd_pid="" podman_pid="" ceiling_pid=""
cleanup() {
  for p in $burrowd_pid $podman_pid $ceiling_pid; do kill -TERM "$p" 2>/dev/null || true; done
  for p in $burrowd_pid $podman_pid $ceiling_pid; do timeout 10 tail --pid="$p" -f /dev/null 2>/dev/null || true; done
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
pss_kb() { awk '/^Pss:/ {print $2}' "/proc/$1/smaps_rollup"; }

(run_as "$dir/bin/burrowd" --root "$dir/state" -H "unix://$dir/burrowd.sock") >"$dir/burrowd.log" 2>&1 &
burrowd_pid=$!
(run_as podman --root "$dir/podman-root" --runroot "$dir/podman-run" --runtime runc \
  system service -t 0 "unix://$dir/podman.sock") >"$dir/podman.log" 2>&1 &
podman_pid=$!
(run_as "$dir/bin/ceiling_server" "$dir/ceiling.sock") >/dev/null 2>&1 &
ceiling_pid=$!
wait_sock "$dir/burrowd.sock"
wait_sock "$dir/podman.sock"
wait_sock "$dir/ceiling.sock"
sleep 1
rss_start=$(rss_kb "$burrowd_pid")
pss_start=$(pss_kb "$burrowd_pid")

# measure PATH CONNECTIONS: $runs turns of burrowd, podman and the ceiling server; leaves each
# server's runs ("rps p50 p99 errors" lines) in $dir/runs.<server>.
measure() {
  local server
  for server in burrowd podman ceiling; do
    "$dir/bin/loadgen" "$dir/$server.sock" "$1" "$2" 0.3 >/dev/null  # warm-up
    : >"$dir/runs.$server"
  done
  for _ in $(seq "$runs"); do
    for server in burrowd podman ceiling; do
      "$dir/bin/loadgen" "$dir/$server.sock" "$1" "$2" "$secs" >>"$dir/runs.$server"
    done
  done
}
median_run() { sort -n "$dir/runs.$1" | sed -n "$(((runs + 1) / 2))p"; }  # by rps

echo "API request rates over the Unix socket, median of $runs runs of ${secs}s per cell, $(nproc) CPUs (load average: $(cut -d' ' -f1-3 /proc/loadavg))"
echo "(ceiling: ceiling_server.cpp answers every path with the same small reply)"
printf '%-10s %5s | %12s %9s %9s | %12s %9s %9s | %12s | %7s %8s\n' endpoint conns "burrowd r/s" "p50 us" "p99 us" \
  "podman r/s" "p50 us" "p99 us" "ceiling r/s" "/podman" "/ceiling"
for path in /_ping /version; do
  for conns in 1 8; do
    measure "$path" "$conns"
    read -r b_rps b_p50 b_p99 b_err < <(median_run burrowd)
    read -r p_rps p_p50 p_p99 p_err < <(median_run podman)
    read -r c_rps _ _ c_err < <(median_run ceiling)
    ratio=$(awk -v a="$b_rps" -v b="$p_rps" 'BEGIN { if (b > 0) printf "%.1fx", a / b; else print "inf" }')
    share=$(awk -v a="$b_rps" -v c="$c_rps" 'BEGIN { if (c > 0) printf "%.0f%%", 100 * a / c; else print "-" }')
    printf '%-10s %5s | %12s %9s %9s | %12s %9s %9s | %12s | %7s %8s\n' "$path" "$conns" "$b_rps" "$b_p50" "$b_p99" \
      "$p_rps" "$p_p50" "$p_p99" "$c_rps" "$ratio" "$share"
    [[ $b_err == 0 && $p_err == 0 && $c_err == 0 ]] || echo "  (errors: burrowd $b_err, podman $p_err, ceiling $c_err)"
  done
done

# Request threads retire after 10 s idle.
sleep 12
rss_idle=$(rss_kb "$burrowd_pid")
echo
echo "burrowd resident memory: ${rss_start} kB idle after start (PSS ${pss_start} kB), ${rss_idle} kB idle after the load (target < 10240 kB)"
echo "podman system service resident memory: $(rss_kb "$podman_pid") kB"
