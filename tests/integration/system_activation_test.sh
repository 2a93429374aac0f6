#!/usr/bin/env bash
# burrowd under systemd's protocols, as an unprivileged user: socket activation (-H fd:// with
# the listening socket passed by systemd-socket-activate, as burrow.socket does) and readiness
# notification (READY=1 and STOPPING=1 on $NOTIFY_SOCKET, as Type=notify in burrow.service needs).
source "$(dirname "$0")/lib.sh"
burrow_setup
require_programs burrowd
command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate not installed"

# A datagram socket standing in for systemd's notification socket; it records what arrives.
cat >"$T/notify.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(0.2)
deadline = time.time() + 60
with open(sys.argv[2], "a") as out:
    while time.time() < deadline:
        try:
            msg = s.recv(4096).decode()
        except socket.timeout:
            continue
        out.write(msg + "\n")
        out.flush()
        if "STOPPING=1" in msg:
            break
PY
[[ $(id -u) -eq 0 ]] && chown "$(test_user)": "$T/notify.py"
as_user --exec python3 "$T/notify.py" "$T/notify.sock" "$T/notify.log" &
notifier=$!
for i in $(seq 1 50); do [[ -S "$T/notify.sock" ]] && break; sleep 0.1; done
[[ -S "$T/notify.sock" ]] || fail "notification listener did not start"

note "socket activation"
as_user --exec systemd-socket-activate -l "$SOCK" -E NOTIFY_SOCKET="$T/notify.sock" \
  "$T/bin/burrowd" -H fd:// --root "$T/state" >>"$T/burrowd.log" 2>&1 &
BURROWD_PID=$!
BURROWD_PIDS+=("$BURROWD_PID")
for i in $(seq 1 50); do [[ -S "$SOCK" ]] && break; sleep 0.1; done
# The first connection starts burrowd, which takes the socket over and answers it.
body=$(api GET /_ping)
assert_eq "$(api_status)" 200 "/_ping through the activated socket"
assert_eq "$body" "OK" "/_ping body"
assert_contains "$(cat "$T/burrowd.log")" "API listening on fd://3" "burrowd uses the passed socket"
assert_eq "$(api GET /version | python3 -c 'import json,sys; print(json.load(sys.stdin)["ApiVersion"])')" "1.9" "/version"

note "readiness notification"
for i in $(seq 1 50); do grep -q READY=1 "$T/notify.log" 2>/dev/null && break; sleep 0.1; done
grep -q READY=1 "$T/notify.log" || fail "no READY=1 on NOTIFY_SOCKET: $(cat "$T/notify.log" 2>/dev/null)"
signal_burrowd TERM 10
timeout 10 tail --pid="$notifier" -f /dev/null || fail "no STOPPING=1 on NOTIFY_SOCKET"
grep -q STOPPING=1 "$T/notify.log" || fail "no STOPPING=1: $(cat "$T/notify.log")"

note "fd:// without systemd is a clear error"
set +e
out=$(as_user "$T/bin/burrowd" -H fd:// --root "$T/state" 2>&1); rc=$?
set -e
assert_eq "$rc" 1 "fd:// without sockets exit status"
assert_contains "$out" "no sockets were passed" "fd:// without sockets message"
