#!/usr/bin/env bash
# burrowd's life as a process, run by an unprivileged user: a second burrowd on the same socket
# (or state directory) exits with a clear message and leaves the first serving; SIGTERM stops it
# cleanly and removes the socket; a stale socket left by a killed burrowd is removed; the default
# paths (~/.local/run/docker.sock in a 0700 directory, socket 0600, ~/.local/share/burrow);
# several -H (unix and tcp), --api-enable-cors, -D; --help, --version and a bad option.
source "$(dirname "$0")/lib.sh"
burrow_setup
require_programs burrowd
B="$T/bin/burrowd"

wait_exit() {  # wait_exit PID SECONDS -> the exit status (via the log marker), fails on timeout
  timeout "$2" tail --pid="$1" -f /dev/null || fail "process $1 did not exit within $2 s"
}
wait_socket() {  # wait_socket PATH [tcp URL]: until /_ping answers
  local i
  for i in $(seq 1 100); do
    curl -s --max-time 2 --unix-socket "$1" http://localhost/_ping >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  fail "no answer on $1"
}
refused_start() {  # refused_start ARGS...: a burrowd with ARGS must refuse to start; its output goes to $out
  local rc
  set +e
  out=$(as_user timeout 20 "$B" "$@" 2>&1); rc=$?
  set -e
  [[ $rc -ne 0 && $rc -ne 124 ]] || fail "a second burrowd ($*) did not refuse (status $rc): $out"
}

note "--help, --version, bad options"
out=$(as_user "$B" --help) || fail "--help failed"
assert_contains "$out" "-H, --host" "--help lists -H"
assert_contains "$out" "--api-enable-cors" "--help lists CORS"
assert_contains "$(as_user "$B" --version)" "burrowd version 0.1.0" "--version"
set +e
out=$(as_user "$B" --frobnicate 2>&1); rc=$?
set -e
assert_eq "$rc" 2 "bad option exit status"
assert_contains "$out" "unknown option '--frobnicate'" "bad option message"
set +e
out=$(as_user "$B" --root "$T/state" -H "http://nope" 2>&1); rc=$?
set -e
assert_eq "$rc" 1 "bad -H exit status"
assert_contains "$out" "invalid -H value 'http://nope'" "bad -H message"

start_burrowd
first=$BURROWD_PID

note "a second burrowd on the same socket"
refused_start --root "$T/state" -H "unix://$SOCK"
assert_contains "$out" "another burrowd (pid $first) is already serving unix://$SOCK" "clear message"
api GET /_ping >/dev/null
assert_eq "$(api_status)" 200 "first burrowd still serving"
[[ -S "$SOCK" ]] || fail "the socket of the first burrowd was removed"

note "a second burrowd on the same state directory"
refused_start --root "$T/state" -H "unix://$T/other.sock"
assert_contains "$out" "already uses the state directory $T/state" "clear message for the root"
[[ ! -e "$T/other.sock" ]] || fail "the refused burrowd left its socket behind"

note "SIGTERM stops it cleanly"
kill -TERM "$first"
wait_exit "$first" 10
[[ ! -e "$SOCK" ]] || fail "socket left behind after SIGTERM"
assert_contains "$(cat "$T/burrowd.log")" "burrowd: stopped" "clean stop logged"

note "a stale socket from a killed burrowd is removed"
start_burrowd
kill -KILL "$BURROWD_PID"
wait_exit "$BURROWD_PID" 10
[[ -S "$SOCK" ]] || fail "expected a stale socket after SIGKILL"
start_burrowd
assert_contains "$(cat "$T/burrowd.log")" "removed stale socket $SOCK" "stale socket message"
kill -TERM "$BURROWD_PID"
wait_exit "$BURROWD_PID" 10

note "default paths"
mkdir -p "$T/home"
[[ $(id -u) -eq 0 ]] && chown "$(test_user)": "$T/home"
as_user --exec env HOME="$T/home" "$B" >>"$T/burrowd.log" 2>&1 &
BURROWD_PIDS+=($!)
home_pid=$!
wait_socket "$T/home/.local/run/docker.sock"
assert_eq "$(stat -c %a "$T/home/.local/run")" "700" "socket directory mode"
assert_eq "$(stat -c %a "$T/home/.local/run/docker.sock")" "600" "socket mode"
[[ -d "$T/home/.local/share/burrow" ]] || fail "default state directory not created"
kill -TERM "$home_pid"
wait_exit "$home_pid" 10

note "-H unix and tcp together, CORS, debug"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
as_user --exec "$B" --root "$T/state" -H "unix://$SOCK" -H "tcp://127.0.0.1:$port" --api-enable-cors -D >>"$T/burrowd.log" 2>&1 &
BURROWD_PIDS+=($!)
multi=$!
wait_socket "$SOCK"
out=$(curl -sS --max-time 5 -D "$T/headers" "http://127.0.0.1:$port/v1.9/_ping") || fail "tcp listener not answering"
assert_eq "$out" "OK" "tcp /_ping"
assert_contains "$(tr -d '\r' <"$T/headers")" "Access-Control-Allow-Origin: *" "CORS header"
code=$(curl -s -o /dev/null -w '%{http_code}' -X OPTIONS "http://127.0.0.1:$port/v1.9/containers/json")
assert_eq "$code" 200 "OPTIONS preflight"
assert_eq "$(api GET /info | python3 -c 'import json,sys; print(json.load(sys.stdin)["Debug"])')" "True" "Debug with -D"
assert_contains "$(cat "$T/burrowd.log")" "Calling GET /info" "debug request log"
kill -TERM "$multi"
wait_exit "$multi" 10
