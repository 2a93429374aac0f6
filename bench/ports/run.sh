#!/usr/bin/env bash
# Published-port benchmark: throughput (Gbit/s, one TCP connection, MIB MiB) and connection rate
# (connect + 1-byte round trip + close, sequential, SECS seconds) from the host's loopback into
# a container's network namespace, in one run, through:
#   loopback   plain host loopback, no namespace (the ceiling)
#   burrow     burrow-net's splice forwarder (what burrowd uses for -p)
#   slirp      slirp4netns's own add_hostfwd (its user-mode TCP stack)
# Runs as an unprivileged user (burrowtest when started as root) inside `unshare -r`, like the
# engine namespace; the "container" is `unshare -n`. Loopback only. Each cell is the median of
# RUNS runs. Usage: bench/ports/run.sh [MIB] [SECS]   (needs a build in _build or BURROW_BIN_DIR)
set -euo pipefail
cd "$(dirname "$0")/../.."
src=$(pwd)
mib=${1:-2000}
secs=${2:-3}
runs=${RUNS:-3}
bin_dir=${BURROW_BIN_DIR:-$src/_build/bin}
for p in burrow-net burrow-net-probe; do
  [[ -x "$bin_dir/$p" ]] || { echo "bench: $bin_dir/$p missing (build first)" >&2; exit 1; }
done
command -v slirp4netns >/dev/null || { echo "bench: slirp4netns missing" >&2; exit 1; }

dir=$(mktemp -d /tmp/burrow-bench-ports.XXXXXX)
trap 'rm -rf "$dir"' EXIT
cp "$bin_dir/burrow-net" "$bin_dir/burrow-net-probe" "$dir/"
chmod 0755 "$dir"
user=$(id -un)
if [[ $(id -u) -eq 0 ]]; then
  user=burrowtest
  chown -R "$user": "$dir"
fi

cat > "$dir/inner.sh" <<'INNER'
set -euo pipefail
D=$1; MIB=$2; SECS=$3; RUNS=$4
P=$D/burrow-net-probe
trap 'kill $(jobs -p) 2>/dev/null; [[ -n ${ctr:-} ]] && kill -KILL "$ctr" 2>/dev/null; true' EXIT
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }  # utime + stime, 1/100 s
measure() {  # measure NAME SINK_PORT ECHO_PORT [FORWARDER_PID]
  local g c t0 t1 cpu=-
  [[ -n ${4:-} ]] && t0=$(ticks "$4")
  g=$(for _ in $(seq 1 "$RUNS"); do $P tcp-send 127.0.0.1 "$2" "$MIB" | awk '{print $2}'; done | median)
  if [[ -n ${4:-} ]]; then
    t1=$(ticks "$4")
    cpu=$(awk -v t="$((t1 - t0))" -v n="$RUNS" -v m="$MIB" 'BEGIN {printf "%.3f", t / 100 / (n * m / 1024)}')
  fi
  c=$(for _ in $(seq 1 "$RUNS"); do $P tcp-rate 127.0.0.1 "$3" "$SECS" | awk '{print $2}'; done | median)
  printf '%-10s %10s %10s %16s\n' "$1" "$g" "$c" "$cpu"
  echo "$1 $g $c $cpu" >>"$D/results"
}
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

# Ceiling: the same servers on the host's loopback.
$P tcp-sink 127.0.0.1:21101 </dev/null >/dev/null 2>&1 & s1=$!
$P tcp-echo 127.0.0.1:21102 </dev/null >/dev/null 2>&1 & s2=$!
wait_port 21101; wait_port 21102
printf '%-10s %10s %10s %16s\n' path Gbit/s conn/s "fwd CPU s/GiB"
measure loopback 21101 21102
kill $s1 $s2 2>/dev/null || true

# The container: sink on 7000, echo on 8080.
(unshare -n --pid --fork --kill-child sh -c "ip link set lo up; $P tcp-sink 7000 & exec $P tcp-echo 8080" \
  </dev/null >/dev/null 2>&1 &
 echo $! >"$D/ctr.pid"; wait) 2>/dev/null &
sleep 0.1
ctr=$(cat "$D/ctr.pid")
sleep 0.2
$D/burrow-net --pid "$ctr" --foreground --bind 127.0.0.1:21111,7000/tcp --bind 127.0.0.1:21112,8080/tcp \
  </dev/null >/dev/null 2>"$D/net.log" &
fw=$!
wait_port 21111 && wait_port 21112 || { echo "bench: burrow-net did not come up:" >&2; cat "$D/net.log" >&2; exit 1; }
measure burrow 21111 21112 "$fw"
kill $fw 2>/dev/null || true

slirp4netns --configure --mtu=65520 --disable-host-loopback --api-socket "$D/slirp.sock" "$ctr" tap0 \
  </dev/null >/dev/null 2>&1 &
sl=$!
for _ in $(seq 1 100); do [[ -S $D/slirp.sock ]] && break; sleep 0.05; done
for pair in 21121:7000 21122:8080; do
  $P unix-call "$D/slirp.sock" "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":\"127.0.0.1\",\"host_port\":${pair%:*},\"guest_port\":${pair#*:}}}" >/dev/null
done
wait_port 21121; wait_port 21122
measure slirp 21121 21122 "$sl"
kill $sl 2>/dev/null || true
kill -KILL $ctr 2>/dev/null || true
INNER
chmod 0755 "$dir/inner.sh"
if [[ $(id -u) -eq 0 ]]; then
  setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups unshare -r bash "$dir/inner.sh" "$dir" "$mib" "$secs" "$runs" || true
else
  unshare -r bash "$dir/inner.sh" "$dir" "$mib" "$secs" "$runs" || true
fi
[[ $(wc -l <"$dir/results" 2>/dev/null || echo 0) -eq 3 ]] || { echo "bench: a measurement failed" >&2; exit 1; }
read -r _ lg lc < <(grep '^loopback' "$dir/results")
read -r _ bg bc bcpu < <(grep '^burrow' "$dir/results")
read -r _ sg sc scpu < <(grep '^slirp' "$dir/results")
awk -v lg="$lg" -v bg="$bg" -v sg="$sg" -v lc="$lc" -v bc="$bc" -v sc="$sc" -v bcpu="$bcpu" -v scpu="$scpu" 'BEGIN {
  printf "burrow vs slirp4netns: %.1fx throughput, %.1fx connection rate, %.1fx less forwarder CPU per GiB\n", bg / sg, bc / sc, scpu / bcpu
  printf "burrow vs loopback:    %.0f%% throughput, %.0f%% connection rate\n", 100 * bg / lg, 100 * bc / lc
}'
