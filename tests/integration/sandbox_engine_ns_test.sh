#!/usr/bin/env bash
# The engine namespace: preflight, a holder created once and joined again, the id map in use,
# root inside, / not shared with the host, no fds of the starter kept, and stop.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sandbox_lib.sh"
sandbox_setup
user=$(test_user)
uid=$(id -u "$user")

note "preflight reports the planned map"
report=$(as_user "$T/bin/burrow-sandbox-driver" preflight)
assert_contains "$report" "uid_map=0:$uid:1"

note "first entry creates the holder, root inside, map as planned"
out=$(drv ns -- sh -c 'id -u; cat /proc/self/uid_map')
assert_contains "$out" "created=1"
assert_contains "$out" "uid=0"
holder=$(sed -n 's/^holder=//p' <<<"$out")
map=$(sed -n 's/^uid_map=//p' <<<"$out")
assert_contains "$report" "uid_map=$map"
[[ -f "$T/state/engine-ns.pid" ]] || fail "no engine-ns.pid"

note "the holder outlives its starter, holds none of its fds, and is joined again"
kill -0 "$holder" || fail "holder $holder died with its starter"
for fd in /proc/"$holder"/fd/*; do
  target=$(readlink "$fd")
  [[ $target == /dev/null || $target == anon_inode:inotify ]] || fail "holder keeps $fd -> $target"
done
[[ $(readlink /proc/"$holder"/fd/1) == /dev/null ]] || fail "holder's stdout is $(readlink /proc/"$holder"/fd/1)"
out2=$(drv ns)
assert_contains "$out2" "created=0"
assert_contains "$out2" "holder=$holder"

note "mounts in the engine namespace do not reach the host"
mkdir -p "$T/mnt"
[[ $(id -u) -eq 0 ]] && chown "$user": "$T/mnt"
drv ns -- sh -c "mount -t tmpfs none $T/mnt && touch $T/mnt/inside" >/dev/null
[[ ! -e "$T/mnt/inside" ]] || fail "a mount made in the engine namespace is visible on the host"

note "a recycled or dead pid in the record is not joined"
drv stop >/dev/null
for _ in $(seq 1 50); do kill -0 "$holder" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$holder" 2>/dev/null || fail "holder survived stop"
echo "1 12345" >"$T/state/engine-ns.pid"
out3=$(drv ns)
assert_contains "$out3" "created=1"
assert_not_contains "$out3" "holder=1"$'\n'
note "deleting the state directory, or recording another holder, ends the holder"
out=$(as_user "$T/bin/burrow-sandbox-driver" ns --root "$T/state2")
gone=$(sed -n 's/^holder=//p' <<<"$out")
rm -rf "$T/state2"
for _ in $(seq 1 50); do kill -0 "$gone" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$gone" 2>/dev/null || fail "holder $gone outlived its state directory"
out=$(as_user "$T/bin/burrow-sandbox-driver" ns --root "$T/state3")
gone=$(sed -n 's/^holder=//p' <<<"$out")
as_user sh -c "echo '1 1' > '$T/state3/engine-ns.pid'"
for _ in $(seq 1 50); do kill -0 "$gone" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$gone" 2>/dev/null || fail "holder $gone stayed after another holder was recorded"

note "the single-id fallback: 0 -> the user only, setgroups denied, containers still run"
out=$(as_user "$T/bin/burrow-sandbox-driver" ns --root "$T/state1" --single-id -- cat /proc/self/setgroups)
assert_contains "$out" "uid_map=0:$uid:1"$'\n'
assert_contains "$out" "single_id=1"
assert_contains "$out" "deny"
mkdir -p "$T/c"
[[ $(id -u) -eq 0 ]] && chown "$user": "$T/c"
out=$(as_user "$T/bin/burrow-sandbox-driver" run --root "$T/state1" --bundle "$T/c/single" --rootfs "$T/rootfs" --tty -- \
  sh -c 'id -u; tty' 2>/dev/null | tr -d '\r')
assert_eq "$out" $'0\n/dev/pts/0'
set +e
err=$(as_user "$T/bin/burrow-sandbox-driver" run --root "$T/state1" --bundle "$T/c/single2" --rootfs "$T/rootfs" --user 1000 -- id 2>&1)
set -e
assert_contains "$err" "user id 1000 is not mapped in the engine namespace (single-id mapping"
as_user "$T/bin/burrow-sandbox-driver" stop --root "$T/state1" >/dev/null
note "ok"
