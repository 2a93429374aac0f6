#pragma once
// Runs one burrow-overlay mount: creates the OverlayFs, mounts it at options.mountpoint (with
// allow_other and default_permissions when running as root of a user namespace, so every
// container user can reach it and the kernel checks permissions), reports readiness on
// options.ready_fd, daemonizes unless foreground, and serves requests with a multithreaded
// loop until unmounted or signalled. Sets the process umask to 0 (modes come from the kernel
// already masked). Call from a program's main, once.

#include "base/logger.h"
#include "fuse-overlay/overlay_options.h"

namespace burrow::fuse_overlay {

// Returns the process exit code: 0 after a clean unmount, 1 when mounting failed (the reason
// is logged and written to ready_fd).
int run_overlay(const OverlayOptions& options, Logger& logger);

}  // namespace burrow::fuse_overlay
