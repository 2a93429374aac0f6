# Shared by the overlay_* tests (sourced after lib.sh's burrow_setup): the checks every one of
# them needs before it can mount burrow-overlay as the test user, the writer of the script it
# runs there, and the runner of its $T/inner.sh inside `unshare -rm`.

# overlay_require [PROGRAM...]: skips unless the test user can use /dev/fuse and user namespaces
# and burrow-overlay and each named test program are built; the named programs are copied into
# $T/bin for the test user.
overlay_require() {
  as_user test -r /dev/fuse -a -w /dev/fuse || skip "/dev/fuse not usable by $(test_user): run scripts/setup-test-host"
  as_user unshare -rm true 2>/dev/null || skip "unprivileged user namespaces are not available"
  local prog
  for prog in burrow-overlay "$@"; do [[ -x "$BURROW_BIN_DIR/$prog" ]] || skip "$prog not built"; done
  for prog; do
    cp "$BURROW_BIN_DIR/$prog" "$T/bin/"
    [[ $(id -u) -eq 0 ]] && chown "$(test_user)": "$T/bin/$prog"
  done
  return 0
}

# overlay_script [NAME]: writes $T/NAME (default inner.sh) from the lines on stdin, after a
# prelude that stops at the first failing command, defines `fail MESSAGE` and enters $T.
overlay_script() {
  { printf 'set -eu\nfail() { echo "FAIL: $*" >&2; exit 1; }\ncd "%s"\n' "$T"; cat; } >"$T/${1:-inner.sh}"
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
