# Shared by the overlay_* tests (sourced after lib.sh's burrow_setup): the checks every one of
# them needs before it can mount burrow-overlay as the test user, and the runner of its
# $T/inner.sh inside `unshare -rm`.

# Skips unless the test user can use /dev/fuse and user namespaces and burrow-overlay is built.
overlay_require() {
  as_user test -r /dev/fuse -a -w /dev/fuse || skip "/dev/fuse not usable by $(test_user): run scripts/setup-test-host"
  as_user unshare -rm true 2>/dev/null || skip "unprivileged user namespaces are not available"
  [[ -x "$BURROW_BIN_DIR/burrow-overlay" ]] || skip "burrow-overlay not built"
}

# Runs $T/inner.sh as the test user in a new user and mount namespace ($T is handed to that
# user first). On a non-zero exit prints its output and fails with the message $1.
overlay_run_inner() {
  [[ $(id -u) -eq 0 ]] && chown -R "$(test_user)": "$T"
  local rc
  set +e
  as_user unshare -rm bash "$T/inner.sh" >"$T/out.log" 2>&1
  rc=$?
  set -e
  [[ $rc -eq 0 ]] || { cat "$T/out.log" >&2; fail "$1"; }
}
