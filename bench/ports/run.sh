#!/usr/bin/env bash
# Published-port benchmark: throughput (Gbit/s, one TCP connection, MIB MiB, up: host client
# sends into the container, down: a container server sends to the host client) and connection
# rate (connect + 1-byte round trip + reset, sequential, SECS seconds) from the host's loopback
# into a container's network namespace, in one run, through:
#   loopback   plain host loopback, no namespace, one TCP connection (the ceiling)
#   2-hop      burrow-net-probe tcp-relay: the simplest user-space forwarder, blocking splice(2)
#              between two host-loopback connections in one process, no namespace, the host's
#              default congestion control (what a plain forwarder gets)
#   2-hop/reno the same with Reno on both its sockets, as burrow-net uses on loopback hops:
#              every forwarder has two TCP connections to carry, so this is about the best any
#              of them can do on this machine (the baseline for burrow)
#   burrow     burrow-net's splice forwarder (what burrowd uses for -p), into the container
#   slirp      slirp4netns's own add_hostfwd (its user-mode TCP stack), into the same container
# Every path talks to the same burrow-net-probe servers (tcp-sink reads into a 256 KiB buffer,
# tcp-source writes 1 MiB buffers, tcp-echo; tcp-send writes 1 MiB buffers and stops its clock
# when the sink has closed, so every byte is counted as delivered; tcp-recv reads until EOF).
# All paths are up at once and measured in turn, round after round (RUNS rounds), so a change in
# the machine's load hits them alike; cells give the median and the best of the runs. "fwd CPU"
# is the forwarder process's user+system time per GiB sent up and per 1000 connections
# (tick-sampled, softirq time not included).
# Runs as an unprivileged user (burrowtest when started as root) inside `unshare -r`, like the
# engine namespace; the "container" is `unshare -n`. Loopback only.
# When started as root on a shared machine, the run gets its own session with autogroup nice
# NICE (default -10; NICE=0 to turn off): otherwise other sessions' builds decide the numbers.
# Usage: bench/ports/run.sh [MIB] [SECS]   (needs a build in _build or BURROW_BIN_DIR)
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
wait_port() { for _ in $(seq 1 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

# Host servers for the ceiling, and the two-hop baseline in front of them.
$P tcp-sink 127.0.0.1:21101 </dev/null >/dev/null 2>&1 &
$P tcp-echo 127.0.0.1:21102 </dev/null >/dev/null 2>&1 &
$P tcp-source 127.0.0.1:21103 "$MIB" </dev/null >/dev/null 2>&1 &
$P tcp-relay 127.0.0.1:21131 127.0.0.1 21101 </dev/null >/dev/null 2>&1 & hop=$!
$P tcp-relay 127.0.0.1:21132 127.0.0.1 21102 </dev/null >/dev/null 2>&1 &
$P tcp-relay 127.0.0.1:21133 127.0.0.1 21103 </dev/null >/dev/null 2>&1 &
$P tcp-relay 127.0.0.1:21141 127.0.0.1 21101 reno </dev/null >/dev/null 2>&1 & reno=$!
$P tcp-relay 127.0.0.1:21142 127.0.0.1 21102 reno </dev/null >/dev/null 2>&1 &
$P tcp-relay 127.0.0.1:21143 127.0.0.1 21103 reno </dev/null >/dev/null 2>&1 &

# The container: sink on 7000, source on 7001, echo on 8080; burrow-net and slirp4netns both
# forward into it.
(unshare -n --pid --fork --kill-child sh -c "ip link set lo up; $P tcp-sink 7000 & $P tcp-source 7001 $MIB &
   exec $P tcp-echo 8080" \
  </dev/null >/dev/null 2>&1 &
 echo $! >"$D/ctr.pid"; wait) 2>/dev/null &
sleep 0.1
ctr=$(cat "$D/ctr.pid")
sleep 0.2
$D/burrow-net --pid "$ctr" --foreground --bind 127.0.0.1:21111,7000/tcp --bind 127.0.0.1:21112,8080/tcp \
  --bind 127.0.0.1:21113,7001/tcp </dev/null >/dev/null 2>"$D/net.log" &
fw=$!
slirp4netns --configure --mtu=65520 --disable-host-loopback --api-socket "$D/slirp.sock" "$ctr" tap0 \
  </dev/null >/dev/null 2>&1 &
sl=$!
for _ in $(seq 1 100); do [[ -S $D/slirp.sock ]] && break; sleep 0.05; done
for pair in 21121:7000 21122:8080 21123:7001; do
  $P unix-call "$D/slirp.sock" "{\"execute\":\"add_hostfwd\",\"arguments\":{\"proto\":\"tcp\",\"host_addr\":\"127.0.0.1\",\"host_port\":${pair%:*},\"guest_port\":${pair#*:}}}" >/dev/null
done
for port in 21101 21102 21103 21131 21132 21133 21141 21142 21143 21111 21112 21113 21121 21122 21123; do
  wait_port $port || { echo "bench: nothing serves port $port:" >&2; cat "$D/net.log" >&2; exit 1; }
done

# name:first port (sink, then echo, then source):forwarder pid
paths="loopback:21101: 2-hop:21131:$hop 2-hop/reno:21141:$reno burrow:21111:$fw slirp:21121:$sl"
declare -A gbit_ticks conn_ticks conns  # the forwarder's ticks during each kind of run
for _ in $(seq 1 "$RUNS"); do
  for p in $paths; do
    IFS=: read -r name port pid <<<"$p"
    [[ -n $pid ]] && before=$(ticks "$pid")
    echo "$name $($P tcp-send 127.0.0.1 "$port" "$MIB" | awk '{print $2}')" >>"$D/gbit"
    [[ -n $pid ]] && gbit_ticks[$name]=$((${gbit_ticks[$name]:-0} + $(ticks "$pid") - before))
    echo "$name $($P tcp-recv 127.0.0.1 $((port + 2)) | awk '{print $2}')" >>"$D/down"
    [[ -n $pid ]] && before=$(ticks "$pid")
    read -r _ rate _ count < <($P tcp-rate 127.0.0.1 $((port + 1)) "$SECS")
    echo "$name $rate" >>"$D/conn"
    conns[$name]=$((${conns[$name]:-0} + count))
    [[ -n $pid ]] && conn_ticks[$name]=$((${conn_ticks[$name]:-0} + $(ticks "$pid") - before))
  done
done
best() { sort -n | tail -1; }
printf '%-10s %16s %16s %16s %14s %11s\n' "" "up Gbit/s" "down Gbit/s" "conn/s" "fwd CPU (up)" "fwd CPU"
printf '%-10s %16s %16s %16s %14s %11s\n' path "median best" "median best" "median best" "s/GiB" "ms/1k conn"
for p in $paths; do
  IFS=: read -r name _ pid <<<"$p"
  cpu=- per_conn=-
  if [[ -n $pid ]]; then
    cpu=$(awk -v t="${gbit_ticks[$name]}" -v n="$RUNS" -v m="$MIB" 'BEGIN {printf "%.3f", t / 100 / (n * m / 1024)}')
    # Not for the 2-hop relays: their per-connection threads live too briefly to be tick-sampled.
    [[ $name == 2-hop* ]] ||
      per_conn=$(awk -v t="${conn_ticks[$name]}" -v c="${conns[$name]}" 'BEGIN {printf "%.0f", t * 10 * 1000 / c}')
  fi
  g=$(awk -v n="$name" '$1 == n {print $2}' "$D/gbit" | median)
  gb=$(awk -v n="$name" '$1 == n {print $2}' "$D/gbit" | best)
  d=$(awk -v n="$name" '$1 == n {print $2}' "$D/down" | median)
  db=$(awk -v n="$name" '$1 == n {print $2}' "$D/down" | best)
  c=$(awk -v n="$name" '$1 == n {print $2}' "$D/conn" | median)
  cb=$(awk -v n="$name" '$1 == n {print $2}' "$D/conn" | best)
  printf '%-10s %8s %7s %8s %7s %8s %7s %14s %11s\n' "$name" "$g" "$gb" "$d" "$db" "$c" "$cb" "$cpu" "$per_conn"
  echo "$name $g $c $cpu $gb $cb $per_conn $d $db" >>"$D/results"
done
INNER
chmod 0755 "$dir/inner.sh"
nice_level=${NICE:--10}
if [[ $(id -u) -eq 0 ]]; then
  setsid -w bash -c 'echo "$0" >/proc/self/autogroup 2>/dev/null; exec "$@"' "$nice_level" \
    setpriv --reuid="$user" --regid="$(id -g "$user")" --init-groups unshare -r bash "$dir/inner.sh" "$dir" "$mib" "$secs" "$runs" || true
else
  unshare -r bash "$dir/inner.sh" "$dir" "$mib" "$secs" "$runs" || true
fi
[[ $(wc -l <"$dir/results" 2>/dev/null || echo 0) -eq 5 ]] || { echo "bench: a measurement failed" >&2; exit 1; }
read -r _ lg lc _ lgb lcb _ ld ldb < <(grep '^loopback' "$dir/results")
read -r _ hg _ _ hgb _ _ hd hdb < <(grep '^2-hop/reno' "$dir/results")
read -r _ bg bc bcpu bgb bcb bpc bd bdb < <(grep '^burrow' "$dir/results")
read -r _ sg sc scpu sgb scb spc sd sdb < <(grep '^slirp' "$dir/results")
awk -v lg="$lg" -v hg="$hg" -v bg="$bg" -v sg="$sg" -v lc="$lc" -v bc="$bc" -v sc="$sc" \
    -v lgb="$lgb" -v hgb="$hgb" -v bgb="$bgb" -v sgb="$sgb" -v lcb="$lcb" -v bcb="$bcb" -v scb="$scb" \
    -v ld="$ld" -v hd="$hd" -v bd="$bd" -v sd="$sd" -v ldb="$ldb" -v hdb="$hdb" -v bdb="$bdb" -v sdb="$sdb" \
    -v bcpu="$bcpu" -v scpu="$scpu" -v bpc="$bpc" -v spc="$spc" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
  printf "(median / best of the runs)\n"
  printf "burrow vs slirp4netns: up %.1fx / %.1fx, down %.1fx / %.1fx, connection rate %.1fx / %.1fx;\n", \
    bg / sg, bgb / sgb, bd / sd, bdb / sdb, bc / sc, bcb / scb
  printf "                       %.1fx less CPU per GiB, %.1fx per connection\n", scpu / bcpu, (bpc > 0 ? spc / bpc : 0)
  printf "burrow vs loopback:    up %.0f%% / %.0f%%, down %.0f%% / %.0f%%, connection rate %.0f%% / %.0f%%\n", \
    100 * bg / lg, 100 * bgb / lgb, 100 * bd / ld, 100 * bdb / ldb, 100 * bc / lc, 100 * bcb / lcb
  printf "burrow vs 2-hop/reno:  up %.0f%% / %.0f%%, down %.0f%% / %.0f%%\n", 100 * bg / hg, 100 * bgb / hgb, 100 * bd / hd, 100 * bdb / hdb
  printf "load average: %s\n", load
}'
