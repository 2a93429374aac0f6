#!/usr/bin/env bash
# burrow-net without burrowd, as the unprivileged test user: `unshare -r` gives a user namespace
# that (like burrowd's engine namespace) owns the "container" network namespaces made with
# `unshare -n`. Checks TCP (both ways, half-close, 64 MiB echoed exactly), UDP, a bounded bulk
# transfer, that the helper exits with the container and frees its port, and outbound traffic
# through slirp4netns to the host's loopback via 10.0.2.2 when host loopback is allowed.
# Loopback addresses only.
source "$(dirname "$0")/lib.sh"
burrow_setup
for prog in burrow-net burrow-net-probe; do
  [[ -x "$BURROW_BIN_DIR/$prog" ]] || skip "$prog not built"
  cp "$BURROW_BIN_DIR/$prog" "$T/bin/"
done
[[ $(id -u) -eq 0 ]] && chown -R "$(test_user)": "$T/bin"
as_user unshare -r true 2>/dev/null || skip "unprivileged user namespaces are not available"

cat > "$T/inner.sh" <<'INNER'
set -euo pipefail
B=$1/bin
T=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
# The "container": loopback up, a TCP echo server, a UDP echo server and a TCP sink.
# --pid --fork --kill-child: killing $ctr ends every process of the "container".
container() { unshare -n --pid --fork --kill-child sh -c "ip link set lo up; $1" </dev/null >>"$T/ctr.log" 2>&1 & }
container "$B/burrow-net-probe udp-echo 9000 & $B/burrow-net-probe tcp-sink 7000 & exec $B/burrow-net-probe tcp-echo 8080"
ctr=$!
sleep 0.3
$B/burrow-net --pid "$ctr" --foreground --bind 127.0.0.1:0,8080/tcp --bind 127.0.0.1:0,9000/udp \
  --bind 127.0.0.1:0,7000/tcp </dev/null >"$T/ports" 2>"$T/net.log" &
fw=$!
for i in $(seq 1 50); do [[ $(wc -l <"$T/ports") -ge 3 ]] && break; sleep 0.1; done
tcp=$(grep -- '-> 8080/tcp' "$T/ports" | sed 's/^127.0.0.1:\([0-9]*\) .*/\1/')
udp=$(grep -- '-> 9000/udp' "$T/ports" | sed 's/^127.0.0.1:\([0-9]*\) .*/\1/')
sink=$(grep -- '-> 7000/tcp' "$T/ports" | sed 's/^127.0.0.1:\([0-9]*\) .*/\1/')
[[ $tcp -ge 49153 && $udp -ge 49153 ]] || fail "random ports: $(cat "$T/ports")"
sleep 0.2
out=$($B/burrow-net-probe tcp-say 127.0.0.1 "$tcp" "hello through the forwarder")
[[ "$out" == "hello through the forwarder" ]] || fail "tcp echo: '$out'"
out=$($B/burrow-net-probe udp-send 127.0.0.1 "$udp" "udp hello")
[[ "$out" == "udp hello" ]] || fail "udp echo: '$out'"
# 64 MiB of pseudo-random bytes both ways at once through the namespaces, compared byte by byte.
out=$($B/burrow-net-probe tcp-check 127.0.0.1 "$tcp" 64) || fail "full-duplex transfer: '$out'"
[[ "$out" == "ok 67108864 bytes" ]] || fail "full-duplex transfer: '$out'"
out=$($B/burrow-net-probe tcp-send 127.0.0.1 "$sink" 256)
[[ "$out" == Gbit/s* ]] || fail "bulk transfer: '$out'"
echo "bulk transfer through the forwarder: $out" >&2
# The container's init exits: burrow-net follows and its host port is free again.
kill -KILL "$ctr"
for i in $(seq 1 50); do kill -0 "$fw" 2>/dev/null || break; sleep 0.1; done
kill -0 "$fw" 2>/dev/null && fail "burrow-net outlived the container"
$B/burrow-net-probe tcp-get 127.0.0.1 "$tcp" 2>/dev/null && fail "port $tcp still served"

# Outbound: slirp4netns with host loopback allowed reaches a host loopback server at 10.0.2.2.
if command -v slirp4netns >/dev/null; then
  $B/burrow-net-probe tcp-echo 29999 </dev/null >/dev/null 2>&1 &
  host_srv=$!
  container "exec sleep 30"
  ctr=$!
  sleep 0.3
  $B/burrow-net --pid "$ctr" --foreground --slirp slirp4netns --allow-host-loopback </dev/null >/dev/null 2>>"$T/net.log" &
  fw=$!
  for i in $(seq 1 50); do nsenter -t "$ctr" -n ip addr show tap0 2>/dev/null | grep -q 10.0.2.100 && break; sleep 0.1; done
  out=$(nsenter -t "$ctr" -n $B/burrow-net-probe tcp-say 10.0.2.2 29999 "outbound hello")
  [[ "$out" == "outbound hello" ]] || fail "outbound via 10.0.2.2: '$out'"
  kill "$fw"; kill -KILL "$ctr"
  wait "$fw" 2>/dev/null || true
  # Without --allow-host-loopback the host's loopback stays out of reach.
  container "exec sleep 30"
  ctr=$!
  sleep 0.3
  $B/burrow-net --pid "$ctr" --foreground --slirp slirp4netns </dev/null >/dev/null 2>>"$T/net.log" &
  fw=$!
  for i in $(seq 1 50); do nsenter -t "$ctr" -n ip addr show tap0 2>/dev/null | grep -q 10.0.2.100 && break; sleep 0.1; done
  if nsenter -t "$ctr" -n timeout 5 $B/burrow-net-probe tcp-say 10.0.2.2 29999 "x" 2>/dev/null | grep -q x; then
    fail "10.0.2.2 reached the host loopback despite --disable-host-loopback"
  fi
  kill "$fw" "$host_srv"; kill -KILL "$ctr"
  wait 2>/dev/null || true
else
  echo "slirp4netns missing: outbound part skipped" >&2
fi
echo OK
INNER
chmod 0755 "$T/inner.sh"
out=$(as_user unshare -r bash "$T/inner.sh" "$T" 2>"$T/inner.err") || { cat "$T/inner.err" "$T/net.log" >&2 2>/dev/null; fail "inner script failed"; }
cat "$T/inner.err" >&2
assert_eq "$out" "OK" "forwarder test"
