#!/usr/bin/env bash
# Real containers through ContainerRuntime + burrow-shim as the unprivileged test user: output,
# log lines, exit codes, pid 1, root inside, isolation, hostname/env/cwd, binds, ownership.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sandbox_lib.sh"
sandbox_setup
mkdir -p "$T/c"
[[ $(id -u) -eq 0 ]] && chown "$(test_user)": "$T/c"

note "echo hello: output, log line, exit 0"
out=$(run_ctr hello -- echo hello 2>/dev/null) || fail "echo hello exited $?"
assert_eq "$out" "hello"
log=$(log_of hello)
assert_contains "$log" '{"log":"hello\n","stream":"stdout","time":"'
[[ $(wc -l <<<"$log") -eq 1 ]] || fail "expected one log line, got: $log"
assert_contains "$(cat "$T/c/hello/exit.json")" '"exit_code":0'

note "a fast producer's output arrives complete (attached before the command runs)"
want=$(dd if=/dev/zero bs=1M count=8 2>/dev/null | base64 | wc -c)
got=$(run_ctr fast -- sh -c 'dd if=/dev/zero bs=1M count=8 2>/dev/null | base64' 2>/dev/null | wc -c)
assert_eq "$got" "$want" "bytes through attach"
assert_eq "$(wc -l <"$(ls "$T/c/fast"/*-json.log)")" "$(dd if=/dev/zero bs=1M count=8 2>/dev/null | base64 | wc -l)" "log lines"

note "an attach after the start still gets the output (replay, or the log once it exited)"
assert_eq "$(run_ctr late --late-attach -- echo late 2>/dev/null)" "late"

note "exit codes pass through"
set +e
run_ctr exit3 -- sh -c 'exit 3' 2>/dev/null
rc=$?
set -e
assert_eq "$rc" "3" "exit code of sh -c 'exit 3'"

note "stderr is its own stream"
run_ctr stderr -- sh -c 'echo to-err >&2' >/dev/null 2>&1
assert_contains "$(log_of stderr)" '"log":"to-err\n","stream":"stderr"'

note "the command is pid 1, root, and sees only its own processes"
assert_eq "$(run_ctr pid1 -- sh -c 'echo $$' 2>/dev/null)" "1"
assert_eq "$(run_ctr uid0 -- id -u 2>/dev/null)" "0"
max_pid=$(run_ctr ps -- sh -c 'ps -o pid | tail -n +2 | sort -n | tail -n 1' 2>/dev/null)
[[ $max_pid -le 10 ]] || fail "container sees pid $max_pid (host processes leak in)"
ps_out=$(run_ctr ps2 -- ps -o pid,comm 2>/dev/null)
assert_not_contains "$ps_out" "burrow-shim"
assert_not_contains "$ps_out" "systemd"

note "hostname, env, working directory (created), PATH lookup"
out=$(run_ctr conf --hostname box1 --env FOO=bar --env PATH=/bin --cwd /work/deep/dir -- \
  sh -c 'hostname; echo "$FOO"; pwd' 2>/dev/null)
assert_eq "$out" $'box1\nbar\n/work/deep/dir'

note "loopback is up in the container's own network namespace"
out=$(run_ctr net -- sh -c 'ip link show lo; ip link | grep -c "^[0-9]"' 2>/dev/null)
assert_contains "$out" "UP"
assert_eq "$(tail -n 1 <<<"$out")" "1" "interfaces in the container"

note "/dev, /proc, /sys"
out=$(run_ctr dev -- sh -c 'ls /dev; echo x > /dev/null && echo null-ok; head -c 4 /dev/zero | wc -c; mount' 2>/dev/null)
for node in null zero full random urandom tty console pts ptmx shm mqueue fd stdin stdout stderr; do
  assert_contains "$out" "$node"
done
assert_contains "$out" "null-ok"
assert_contains "$out" "sysfs on /sys type sysfs (ro"
assert_contains "$out" "proc on /proc type proc"
assert_contains "$out" "devpts on /dev/pts type devpts"

note "binds: read-only stays read-only, read-write writes through"
mkdir -p "$T/share"
echo data >"$T/share/f"
[[ $(id -u) -eq 0 ]] && chown -R "$(test_user)": "$T/share"
out=$(run_ctr binds --bind "$T/share:/mnt/ro:ro" --bind "$T/share:/mnt/rw" -- \
  sh -c 'cat /mnt/ro/f; echo x > /mnt/ro/new && echo ro-writable; echo y > /mnt/rw/new && echo rw-ok' 2>&1) || true
assert_contains "$out" "data"
assert_contains "$out" "Read-only file system"
assert_not_contains "$out" "ro-writable"
assert_contains "$out" "rw-ok"
assert_eq "$(cat "$T/share/new")" "y"

note "files made by root in the container belong to the user (or a subuid) on the host"
run_ctr own -- sh -c 'touch /made-by-root; touch /made-by-5; chown 5:5 /made-by-5' >/dev/null 2>&1 || true
owner=$(stat -c %u "$T/rootfs/made-by-root")
assert_eq "$owner" "$(id -u "$(test_user)")" "owner of a file root made in the container"
if [[ $SANDBOX_SINGLE_ID -eq 0 ]]; then
  owner5=$(stat -c %u "$T/rootfs/made-by-5")
  [[ $owner5 -ne 0 && $owner5 -ne $(id -u "$(test_user)") ]] || fail "uid 5 in the container is $owner5 on the host"
fi

note "default capabilities are Docker 0.8's; privileged has them all"
capbnd=$(run_ctr caps -- sh -c 'grep CapBnd /proc/self/status' 2>/dev/null)
assert_contains "$capbnd" "000001fc904cfeff"
capp=$(run_ctr capsp --privileged -- sh -c 'grep CapEff /proc/self/status' 2>/dev/null)
assert_not_contains "$capp" "fc904cfeff"

if [[ $SANDBOX_SINGLE_ID -eq 0 ]]; then
  note "a non-root user gets its ids and no capabilities"
  out=$(run_ctr user --user 1000:1000 --groups 10,20 -- sh -c 'id; grep CapEff /proc/self/status' 2>/dev/null)
  assert_contains "$out" "uid=1000 gid=1000 groups=10,20"
  assert_contains "$out" "0000000000000000"
else
  note "single-id mapping (no subordinate range): non-root users in containers not tested"
fi

note "setup failures name the step and path, not 'exit 1'"
set +e
err=$(run_ctr nocmd -- no-such-command 2>&1)
rc=$?
set -e
assert_eq "$rc" "125"
assert_contains "$err" "exec \`no-such-command\`: No such file or directory"
set +e
err=$(run_ctr nobind --bind /no/such/dir:/x -- true 2>&1)
set -e
assert_contains "$err" "source \`/no/such/dir\` does not exist"
note "ok"
