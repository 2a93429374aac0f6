#!/usr/bin/env bash
# The shim's lifecycle: a detached container keeps running and logging after the process that
# started it exits; running state; kill gives 128+N; wait works from a later process.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/sandbox_lib.sh"
sandbox_setup
mkdir -p "$T/c"
[[ $(id -u) -eq 0 ]] && chown "$(test_user)": "$T/c"

note "the shim keeps logging after its starter exits"
run_ctr ticker --detach -- sh -c 'for i in 1 2 3 4 5; do echo tick $i; sleep 0.4; done' 2>/dev/null
# The starter is gone; the container is not.
assert_eq "$(drv running --bundle "$T/c/ticker")" "running"
shim_pid=$(cut -d' ' -f1 "$T/c/ticker/started")
ps -o sid=,pgid= -p "$shim_pid" >/dev/null || fail "shim $shim_pid not alive"
assert_eq "$(drv wait --bundle "$T/c/ticker")" "0"
log=$(log_of ticker)
for i in 1 2 3 4 5; do assert_contains "$log" "\"log\":\"tick $i\\n\""; done
assert_eq "$(drv running --bundle "$T/c/ticker")" "exited"
[[ ! -e "$T/c/ticker/attach.sock" ]] || fail "attach.sock left behind"

note "kill by signal gives 128+N; running while alive"
run_ctr sleeper --detach -- sleep 60 2>/dev/null
assert_eq "$(drv running --bundle "$T/c/sleeper")" "running"
drv kill --bundle "$T/c/sleeper" --signal 9
assert_eq "$(drv wait --bundle "$T/c/sleeper")" "137"

note "SIGTERM to a shell that traps it"
run_ctr trapper --detach -- sh -c 'trap "exit 42" TERM; echo trap-set; while true; do sleep 0.1; done' 2>/dev/null
# A pid 1 without a handler ignores SIGTERM from outside its namespace: wait for the trap.
for _ in $(seq 1 100); do grep -q trap-set "$T/c/trapper"/*-json.log 2>/dev/null && break; sleep 0.1; done
drv kill --bundle "$T/c/trapper" --signal 15
assert_eq "$(drv wait --bundle "$T/c/trapper")" "42"

note "a shim survives the end of its starter's session; attach later sees live output"
run_ctr later --detach -i -- sh -c 'read line; echo "got $line"' 2>/dev/null
out=$(echo "hello-later" | drv attach --bundle "$T/c/later" -i 2>/dev/null)
assert_eq "$out" "got hello-later"
assert_eq "$(drv wait --bundle "$T/c/later")" "0"

note "a prepare hook runs after set-up and before the command; a failing one stops the start"
out=$(run_ctr prep --prepare-file /prepared -- sh -c 'cat /prepared; echo "pid $$"' 2>/dev/null)
pid=$(cut -d' ' -f2 "$T/c/prep/started")
assert_eq "$out" $'prepared '"$pid"$'\npid 1'
set +e
err=$(run_ctr prepfail --prepare-fail -- touch /ran 2>&1)
rc=$?
set -e
assert_eq "$rc" "125"
assert_contains "$err" "refused by the test's prepare hook"
[[ ! -e "$T/rootfs/ran" ]] || fail "the command ran although prepare failed"

note "the container dies with a killed shim, and wait reports -1"
run_ctr orphan --detach -- sleep 60 2>/dev/null
read -r shim_pid ctr_pid <"$T/c/orphan/started"
kill -KILL "$shim_pid"
assert_eq "$(drv wait --bundle "$T/c/orphan")" "-1"
for _ in $(seq 1 50); do kill -0 "$ctr_pid" 2>/dev/null || break; sleep 0.1; done
! kill -0 "$ctr_pid" 2>/dev/null || fail "container $ctr_pid outlived its shim"
note "ok"
