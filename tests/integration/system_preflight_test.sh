#!/usr/bin/env bash
# Preflight's announced fallback, end to end: a user without a subordinate id range (here a uid
# with no passwd entry at all) still gets a working burrowd with a single-id mapping, and both
# the log and /info (IdMapping, Warnings) say so.
source "$(dirname "$0")/lib.sh"
burrow_setup
require_programs burrowd
[[ $(id -u) -eq 0 ]] || skip "needs root to run burrowd as a user without a subordinate range"

uid=61234
getent passwd "$uid" >/dev/null && skip "uid $uid exists on this host"
grep -q "^$uid:" /etc/subuid 2>/dev/null && skip "uid $uid has a subordinate range"
home="$T/nouser"
mkdir -p "$home"
chown "$uid:$uid" "$home"
sock="$home/d.sock"

setpriv --reuid="$uid" --regid="$uid" --clear-groups \
  env -i PATH=/usr/bin:/bin HOME="$home" "${SANITIZER_ENV[@]}" "$T/bin/burrowd" --root "$home/state" -H "unix://$sock" \
  >>"$T/burrowd.log" 2>&1 &
BURROWD_PIDS+=($!)
pid=$!
for i in $(seq 1 100); do
  curl -s --max-time 2 --unix-socket "$sock" http://localhost/_ping >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || fail "burrowd exited: $(cat "$T/burrowd.log")"
  sleep 0.1
done

info=$(curl -sS --unix-socket "$sock" http://localhost/info)
assert_eq "$(echo "$info" | json 'd["IdMapping"]["SingleId"]')" "True" "single-id mapping in /info"
assert_eq "$(echo "$info" | json 'd["IdMapping"]["UidMap"]')" "0:$uid:1" "uid map"
assert_contains "$(echo "$info" | json '" | ".join(d["Warnings"])')" "single-id mapping" "the fallback is announced in /info"
assert_contains "$(cat "$T/burrowd.log")" "single-id mapping" "the fallback is announced in the log"
kill -TERM "$pid"
timeout 10 tail --pid="$pid" -f /dev/null || fail "burrowd did not stop"
