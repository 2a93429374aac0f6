# Shared set-up for the sandbox_*_test.sh tests: they drive the userns library directly through
# burrow-sandbox-driver (tests/userns/sandbox_driver.cpp), as the unprivileged test user, on a
# busybox root filesystem, without burrowd. Source after lib.sh.

# sandbox_setup: burrow_setup, the driver and shim in $T/bin, a busybox rootfs in $T/rootfs,
# and a cleanup that removes what the containers made and stops the engine namespace holder.
sandbox_setup() {
  burrow_setup
  [[ -x "$BURROW_BIN_DIR/burrow-sandbox-driver" && -x "$BURROW_BIN_DIR/burrow-shim" ]] ||
    skip "burrow-sandbox-driver or burrow-shim not built"
  cp "$BURROW_BIN_DIR/burrow-sandbox-driver" "$BURROW_BIN_DIR/burrow-shim" "$T/bin/"
  [[ $(id -u) -eq 0 ]] && chown -R "$(test_user)": "$T/bin"
  local report
  if ! report=$(as_user "$T/bin/burrow-sandbox-driver" preflight 2>&1); then
    skip "host cannot run rootless containers: $report"
  fi
  grep -q '^userns=1' <<<"$report" || skip "user namespaces unusable: $report"
  # Without a subordinate range (a non-root run by a user without one) only uid/gid 0 exist
  # inside: the parts that need other ids check this.
  SANDBOX_SINGLE_ID=0
  grep -q '^single_id=1' <<<"$report" && SANDBOX_SINGLE_ID=1
  mkdir -p "$T/rootfs"
  "$BURROW_SRC_DIR/scripts/make-busybox-image" "$T/rootfs.tar"
  [[ $(id -u) -eq 0 ]] && chown -R "$(test_user)": "$T/rootfs" "$T/rootfs.tar"
  as_user tar -C "$T/rootfs" -xf "$T/rootfs.tar"
  chmod 0755 "$T/rootfs"
  trap sandbox_cleanup EXIT
}

# Self-contained (no burrowd runs here): removes the containers' files from inside the engine
# namespace (subordinate ids made some of them), stops the holder, removes $T.
sandbox_cleanup() {
  local rc=$?
  set +e
  as_user "$T/bin/burrow-sandbox-driver" ns --root "$T/state" -- rm -rf "$T/rootfs" "$T/c" >/dev/null 2>&1
  as_user "$T/bin/burrow-sandbox-driver" stop --root "$T/state" >/dev/null 2>&1
  sanitizer_reports_absent || rc=1
  if [[ -z "${BURROW_KEEP_TEST_DIR:-}" ]]; then rm -rf "$T" 2>/dev/null; fi
  exit $rc
}

# drv CMD ARGS...: the driver as the test user with this test's engine namespace.
drv() {
  local cmd=$1
  shift
  as_user "$T/bin/burrow-sandbox-driver" "$cmd" --root "$T/state" "$@"
}

# run_ctr NAME [OPTIONS] -- CMD...: runs a container attached in bundle $T/c/NAME; stdout and
# stderr as the container's, exit status the container's (125: the driver failed).
run_ctr() {
  local name=$1
  shift
  drv run --bundle "$T/c/$name" --rootfs "$T/rootfs" "$@"
}

# log_of NAME: the container's json-file log.
log_of() { cat "$T/c/$1"/*-json.log; }
