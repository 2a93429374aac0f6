#!/usr/bin/env bash
# Differential test: a seeded random sequence of file operations applied both to burrow-overlay
# and to the kernel's overlayfs over identical lower layers (Docker whiteouts for ours, kernel
# whiteouts for the kernel's), then results, merged trees and normalised upper dirs compared.
# Runs as the unprivileged test user inside `unshare -rm`.
#   BURROW_OVERLAY_SEED (default 20261126) and BURROW_OVERLAY_OPS (default 3000) change the run.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/overlay_lib.sh"
burrow_setup
overlay_require overlay_difftest
SEED=${BURROW_OVERLAY_SEED:-20261126}
COUNT=${BURROW_OVERLAY_OPS:-3000}

cat >"$T/inner.sh" <<INNER
set -u
cd "$T"
mkdir -p docker kernel ku kw km ou ow om
bin/overlay_difftest layers $SEED "$T/docker" "$T/kernel" || { echo "cannot make kernel-format layers" >&2; exit 77; }
mount -t overlay overlay -o "lowerdir=$T/kernel/l1:$T/kernel/l2,upperdir=$T/ku,workdir=$T/kw,userxattr" "$T/km" \
  || { echo "kernel overlayfs not mountable in a user namespace" >&2; exit 77; }
bin/burrow-overlay -o "lowerdir=$T/docker/l1:$T/docker/l2,upperdir=$T/ou,workdir=$T/ow" "$T/om" || exit 1
bin/overlay_difftest run $SEED $COUNT "$T/km" "$T/om" "$T/ku" "$T/ou" "$T/docker/l1" "$T/docker/l2"
rc=\$?
umount "$T/om"; umount "$T/km"
exit \$rc
INNER
note "seed $SEED, $COUNT operations"
set +e
as_user unshare -rm bash "$T/inner.sh"
rc=$?
set -e
[[ $rc -eq 77 ]] && skip "kernel overlayfs or whiteouts unavailable in a user namespace"
[[ $rc -eq 0 ]] || fail "burrow-overlay and overlayfs differ (seed $SEED; rerun with BURROW_OVERLAY_SEED=$SEED)"
