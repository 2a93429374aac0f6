#!/usr/bin/env bash
# Isolation of one user's daemon from the others: the socket and the state directory are owner
# only (another user cannot connect; a readable state directory is made 0700), burrowd refuses a state directory that others can write
# to (or that is not its user's, or not a directory), and TCP listeners bind the loopback
# address unless an address is given, with a warning for a non-loopback one.
source "$(dirname "$0")/lib.sh"
burrow_setup
require_programs burrowd
command -v ss >/dev/null || skip "ss (iproute2) missing"
user=$(test_user)

mode_of() { stat -c %a "$1"; }

note "the state directory (made 0755 by the test setup) and the socket are owner-only"
assert_eq "$(mode_of "$T/state")" 755 "state directory mode before the start"
port=$(free_port)
start_burrowd -H "tcp://:$port"
assert_eq "$(mode_of "$T/state")" 700 "state directory mode"
assert_contains "$(cat "$T/burrowd.log")" "owner-only" "the tightening is announced"
for d in containers images; do assert_eq "$(mode_of "$T/state/$d")" 700 "state/$d mode"; done
assert_eq "$(mode_of "$SOCK")" 600 "socket mode"
assert_eq "$(stat -c %U "$SOCK")" "$user" "socket owner"
assert_eq "$(stat -c %U "$T/state")" "$user" "state owner"
if [[ $(id -u) -eq 0 ]] && id burrowtest2 >/dev/null 2>&1; then
  if as_user -u burrowtest2 curl -s --max-time 5 --unix-socket "$SOCK" http://localhost/_ping >/dev/null 2>&1; then
    fail "another user could talk to the socket"
  fi
  if as_user -u burrowtest2 ls "$T/state" >/dev/null 2>&1; then fail "another user could list the state directory"; fi
fi

note "TCP without a host binds the loopback address only"
listen=$(ss -Hltn "sport = :$port" | awk '{print $4}')
assert_eq "$listen" "127.0.0.1:$port" "tcp://:PORT listener"
out=$(curl -s --max-time 5 "http://127.0.0.1:$port/_ping")
assert_eq "$out" "OK" "ping over loopback TCP"
assert_not_contains "$(cat "$T/burrowd.log")" "reachable from other machines" "no warning for loopback"
signal_burrowd TERM 10

note "a non-loopback TCP listener is announced with a warning"
port=$(free_port)
start_burrowd -H "tcp://0.0.0.0:$port"
assert_contains "$(cat "$T/burrowd.log")" "reachable from other machines" "warning for 0.0.0.0"
signal_burrowd TERM 10

note "state directories others can write to are refused"
refuse() {  # refuse WHAT DIR EXPECTED-TEXT
  local rc=0
  as_user timeout 20 "$T/bin/burrowd" --root "$2" -H "unix://$T/refused.sock" >"$T/refused.log" 2>&1 || rc=$?
  [[ $rc -ne 0 && $rc -ne 124 ]] || fail "$1: burrowd did not refuse (rc $rc): $(cat "$T/refused.log")"
  assert_contains "$(cat "$T/refused.log")" "$3" "$1 message"
  [[ ! -S "$T/refused.sock" ]] || fail "$1: the socket was created"
  note "$1 -> $(head -n1 "$T/refused.log")"
}
for mode in 777 770 1777 720 702; do
  d="$T/state-$mode"
  mkdir "$d"
  [[ $(id -u) -eq 0 ]] && chown "$user:" "$d"
  chmod "$mode" "$d"
  refuse "mode $mode" "$d" "writable by others"
  assert_eq "$(mode_of "$d")" "$mode" "the refused directory is left as it was"
done
touch "$T/state-file"
[[ $(id -u) -eq 0 ]] && chown "$user:" "$T/state-file"
refuse "a regular file" "$T/state-file" "not a directory"
if [[ $(id -u) -eq 0 ]]; then
  mkdir -m 0755 "$T/state-root-owned"
  refuse "another user's directory" "$T/state-root-owned" "not to you"
fi

note "the original (0700) state directory still serves"
start_burrowd
assert_eq "$(api GET /_ping)" "OK" "ping after the refusals"
note "ok"
