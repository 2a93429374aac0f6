#!/usr/bin/env bash
# 64 concurrent API clients against a real burrowd (as the unprivileged test user), a fixed
# number of operations each, mixing list, inspect, create/start/wait/logs/delete and
# attach-then-start (burrow-load-client, built from tests/integration/load_client/). Every
# container prints a numbered sequence; its logs and its attach stream must hold all of it in
# order. No request may fail. Afterwards, with every container deleted, burrowd's open
# descriptors and threads and the processes of its engine namespace (shims, overlays,
# burrow-net) are back to what they were before the load.
source "$(dirname "$0")/lib.sh"
burrow_setup
require_programs burrowd burrow-shim burrow-overlay
LOADER="$BURROW_BIN_DIR/burrow-load-client"
[[ -x $LOADER ]] || skip "burrow-load-client not built"
CLIENTS=${BURROW_LOAD_CLIENTS:-64}
OPS=${BURROW_LOAD_OPS:-4}
LINES=${BURROW_LOAD_LINES:-1000}
start_burrowd
API_TIMEOUT=60

import_busybox

# Everything burrowd started lives in its engine user namespace (the holder, shims, overlays,
# burrow-net, slirp4netns). Zombies whose parent is not burrowd wait for init to reap them
# (shims are re-parented there on purpose) and are not ours to count.
ENGINE_NS=$(readlink "/proc/$BURROWD_PID/ns/user")
USER_UID=$(id -u "$(test_user)")
engine_processes() {
  local p pid state ppid
  for p in /proc/[0-9]*; do
    pid=${p#/proc/}
    [[ $pid == "$BURROWD_PID" ]] && continue
    [[ $(stat -c %u "$p" 2>/dev/null) == "$USER_UID" ]] || continue
    [[ $(readlink "$p/ns/user" 2>/dev/null) == "$ENGINE_NS" ]] || continue
    read -r state ppid < <(sed 's/.*) //' "$p/stat" 2>/dev/null | cut -d' ' -f1,2) || continue
    [[ $state == Z && $ppid != "$BURROWD_PID" ]] && continue
    echo "$pid $state $(tr '\0' ' ' <"$p/cmdline" 2>/dev/null | head -c 100)"
  done
}
fd_count() { ls "/proc/$BURROWD_PID/fd" | wc -l; }
thread_count() { ls "/proc/$BURROWD_PID/task" | wc -l; }
snapshot() { echo "fds=$(fd_count) threads=$(thread_count) processes=$(engine_processes | wc -l)"; }

# Warm-up: one container through the whole cycle, so that what burrowd creates once and keeps
# (lazily started helpers, cached descriptors) is part of the baseline.
"$LOADER" --socket "$SOCK" --clients 1 --ops 4 --lines 10 >/dev/null || fail "warm-up run failed"
sleep 1
engine_processes >"$T/procs-before"
before_fds=$(fd_count)
before_threads=$(thread_count)
before_procs=$(wc -l <"$T/procs-before")
note "before: $(snapshot)"

started=$(date +%s)
if ! "$LOADER" --socket "$SOCK" --clients "$CLIENTS" --ops "$OPS" --lines "$LINES" >"$T/load.out" 2>"$T/load.err"; then
  cat "$T/load.out" "$T/load.err" >&2
  fail "the load run had errors (see above)"
fi
note "$(cat "$T/load.out")"
note "load run took $(( $(date +%s) - started )) s; load average $(cut -d' ' -f1-3 /proc/loadavg)"
kill -0 "$BURROWD_PID" 2>/dev/null || fail "burrowd died under load"

assert_eq "$(api GET "/containers/json?all=1")" "[]" "containers left after the run"
note "right after: $(snapshot)"

# Idle request threads retire after their idle time (10 s); poll (with requests, which is when
# the pool collects them) until everything is back to the baseline.
settled=0
settle_start=$(date +%s)
for _ in $(seq 1 40); do
  api GET /_ping >/dev/null
  if (( $(fd_count) == before_fds && $(thread_count) <= before_threads )) &&
     (( $(engine_processes | wc -l) == before_procs )); then
    settled=1
    break
  fi
  sleep 1
done
note "after $(( $(date +%s) - settle_start )) s: $(snapshot)"
if (( ! settled )); then
  echo "processes before:" >&2; cat "$T/procs-before" >&2
  echo "processes now:" >&2; engine_processes >&2
  ls -l "/proc/$BURROWD_PID/fd" >&2 || true
  fail "resources not back to the baseline (fds $before_fds, threads $before_threads, processes $before_procs): $(snapshot)"
fi
api GET /_ping >/dev/null
assert_eq "$(api_status)" 200 "burrowd still serving"
