#!/usr/bin/env bash
# Container networking beyond published ports, with the stock docker CLI as the unprivileged
# test user: /etc/hosts and /etc/resolv.conf, --dns, links (Docker 0.8's variables, a hosts
# entry, and a real connection to the linked container over burrow-net's forwarder), and an
# outbound connection through slirp4netns to a server on the host's loopback (10.0.2.2) with
# burrowd --allow-host-loopback. Loopback only.
source "$(dirname "$0")/lib.sh"
have_docker_cli || skip "no docker CLI"
burrow_setup
require_programs burrowd burrow-shim burrow-overlay burrow-net burrow-net-probe
# Containers go before burrowd does, also when a check fails (they outlive burrowd otherwise).
remove_containers_on_exit
start_burrowd --allow-host-loopback
import_busybox
slirp=0
command -v slirp4netns >/dev/null && slirp=1
run_out() { docker_cli run --rm "$@"; }
# Connections from inside a container are retried briefly (a server may still be starting).
retry='for i in $(seq 1 50); do "$@" && exit 0; sleep 0.1; done; exit 1'

note "/etc/hosts and /etc/resolv.conf"
hosts=$(run_out -h myhost busybox cat /etc/hosts)
if [[ $slirp -eq 1 ]]; then
  assert_contains "$hosts" $'10.0.2.100\tmyhost' "own name in /etc/hosts"
else
  assert_contains "$hosts" $'127.0.1.1\tmyhost' "own name in /etc/hosts"
fi
assert_contains "$hosts" $'127.0.0.1\tlocalhost' "localhost"
resolv=$(run_out busybox cat /etc/resolv.conf)
assert_not_contains "$resolv" "nameserver 127." "no loopback resolver inside"
if [[ $slirp -eq 1 ]] && grep -q '^nameserver 127\.' /etc/resolv.conf; then
  assert_contains "$resolv" "nameserver 10.0.2.3" "slirp4netns DNS replaces the loopback resolver"
fi
resolv=$(run_out --dns 192.0.2.53 busybox cat /etc/resolv.conf)
assert_eq "$(echo "$resolv" | grep nameserver)" "nameserver 192.0.2.53" "--dns"

note "links"
docker_cli run -d --name db --expose 6379 -e SECRET=s3cret -v "$T/bin:/probe:ro" busybox \
  /probe/burrow-net-probe tcp-echo 6379 >/dev/null
env=$(run_out --link db:db busybox sh -c 'env; cat /etc/hosts')
assert_contains "$env" "DB_PORT=tcp://127.17.0.2:6379" "DB_PORT"
assert_contains "$env" "DB_PORT_6379_TCP_ADDR=127.17.0.2" "DB_PORT_6379_TCP_ADDR"
assert_contains "$env" "DB_PORT_6379_TCP_PROTO=tcp" "DB_PORT_6379_TCP_PROTO"
echo "$env" | grep -q '^DB_NAME=/[a-z_0-9]*/db$' || fail "DB_NAME: $(echo "$env" | grep DB_NAME)"
assert_contains "$env" "DB_ENV_SECRET=s3cret" "DB_ENV_SECRET"
assert_contains "$env" $'127.17.0.2\tdb' "link in /etc/hosts"
out=$(run_out --link db:db -v "$T/bin:/probe:ro" busybox sh -c "$retry" sh \
  /probe/burrow-net-probe tcp-say 127.17.0.2 6379 "hello over the link")
assert_eq "$out" "hello over the link" "connection to the linked container"
set +e
out=$(docker_cli run --rm --link nosuch:x busybox true 2>&1)
rc=$?
set -e
[[ $rc -ne 0 ]] || fail "a link to a missing container started"
assert_contains "$out" "nosuch" "missing link target named"
docker_cli rm -f db >/dev/null

if [[ $slirp -eq 1 ]]; then
  note "outbound to the host's loopback via 10.0.2.2 (--allow-host-loopback)"
  hport=$((20000 + RANDOM % 12000))
  as_user sh -c 'echo $$ >"$1"; exec "$2" tcp-echo "$3"' sh "$T/host_srv.pid" "$T/bin/burrow-net-probe" \
    "127.0.0.1:$hport" </dev/null >/dev/null 2>&1 &
  out=$(run_out -v "$T/bin:/probe:ro" busybox sh -c "$retry" sh \
    /probe/burrow-net-probe tcp-say 10.0.2.2 "$hport" "outbound hello")
  kill "$(cat "$T/host_srv.pid")" 2>/dev/null || true
  assert_eq "$out" "outbound hello" "outbound via slirp4netns"
else
  note "slirp4netns missing: outbound part skipped"
fi
