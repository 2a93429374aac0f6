# Helpers for the hardening_crash_*_test.sh scripts (sourced after lib.sh and burrow_setup): kill
# burrowd with SIGKILL at an observed point of an operation, start it again on the same state,
# and check that the store came back whole with no temporaries left.

S="$T/state"

# wait_for COND [TRIES]: evaluates COND every 20 ms until it holds (default: up to 20 s).
wait_for() {
  local i
  for i in $(seq 1 "${2:-1000}"); do
    eval "$1" && return 0
    sleep 0.02
  done
  return 1
}

# exists GLOB: true when the glob matches something (run as root: the state is the test user's).
exists() { compgen -G "$1" >/dev/null; }

# crash_when COND WHAT [PID]: once COND holds (see wait_for), SIGKILL burrowd, wait until it is
# gone, then reap PID, the client running the operation WHAT.
crash_when() {
  wait_for "$1" || fail "$2 never reached the point to kill burrowd at"
  note "SIGKILL burrowd during $2"
  signal_burrowd KILL 5
  [[ -z "${3:-}" ]] || wait "$3" 2>/dev/null || true
}

# leftovers: the temporaries a killed burrowd may leave, one per line (nothing when clean).
leftovers() {
  find "$S/tmp" "$S/registry-tmp" -mindepth 1 -maxdepth 1 2>/dev/null || true
  find "$S/images" "$S/containers" -mindepth 1 -maxdepth 1 -name '.*' 2>/dev/null || true
  find "$S" -maxdepth 3 -name '*.tmp-[0-9]*' 2>/dev/null || true
  local d
  for d in "$S"/images/*/; do [[ ! -d "$d" || -f "$d/json" ]] || echo "$d (image without json)"; done
  for d in "$S"/containers/*/; do [[ ! -d "$d" || -f "$d/config.json" ]] || echo "$d (container without config.json)"; done
  find "$S" -maxdepth 1 -name "pending-removal-*" 2>/dev/null || true
}

# restart_and_check WHAT: starts burrowd again and checks it came up clean: no error logged,
# images/json and containers/json answer, no untagged image, no temporary left.
restart_and_check() {
  local mark
  mark=$(wc -l <"$T/burrowd.log")
  start_burrowd
  local fresh
  fresh=$(tail -n +"$((mark + 1))" "$T/burrowd.log")
  assert_not_contains "$fresh" "[error]" "errors logged by the restart after $1"
  assert_not_contains "$fresh" "cannot remove" "sweep failures after $1"
  assert_not_contains "$fresh" "still mounted" "sweep failures after $1"
  assert_not_contains "$fresh" "skipping unreadable" "unreadable records after $1"
  assert_not_contains "$fresh" "ignored" "unreadable images after $1"
  local images
  images=$(api GET /images/json)
  assert_eq "$(api_status)" 200 "images/json after $1"
  assert_not_contains "$images" "<none>" "untagged (half) image after $1"
  api GET "/containers/json?all=1" >/dev/null
  assert_eq "$(api_status)" 200 "containers/json after $1"
  local left
  left=$(leftovers)
  [[ -z "$left" ]] || fail "temporaries left after $1: $left"
  echo "$fresh" | grep ' sweep: \| image: '  >&2 || true
}
