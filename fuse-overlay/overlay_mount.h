#pragma once
// OverlayMount: how burrowd mounts a container's rootfs. It starts `burrow-overlay` as its own
// process in its own session (so the mount outlives a burrowd restart), returns once the mount
// is live, and later unmounts it and waits for the process to go. A killed filesystem process
// shows as alive() == false, and the dead mount answers ENOTCONN instead of hanging.
// Not thread-safe per object; the destructor neither unmounts nor kills (the mount belongs to
// the container, not to this object) unless mount() is still in progress.

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/fd.h"

namespace burrow::fuse_overlay {

struct OverlayMountOptions {
  std::string program = "burrow-overlay";  // path, or a name looked up on PATH
  std::vector<std::string> lowerdirs;       // top first (the overlayfs lowerdir= order)
  std::string upperdir;                     // with workdir; both empty: a read-only mount
  std::string workdir;
  std::string mountpoint;
  std::vector<std::string> extra_options;  // further -o options, e.g. "fsync=0"
  std::string log_path;                    // the program's stderr (appended); empty: /dev/null
};

class OverlayMount {
 public:
  // Starts burrow-overlay and waits (up to 30 s) until the mount is live. Throws burrow::Error
  // with the program's own reason: Unavailable when /dev/fuse is not usable, NotFound when the
  // program is missing, BadParameter for bad directories, Io otherwise.
  static std::unique_ptr<OverlayMount> mount(const OverlayMountOptions& options);
  // Takes charge of a mount started by an earlier burrowd (pid from its state file).
  static std::unique_ptr<OverlayMount> adopt(pid_t pid, const std::string& mountpoint);

  OverlayMount(const OverlayMount&) = delete;
  OverlayMount& operator=(const OverlayMount&) = delete;
  ~OverlayMount() = default;

  // Detaches the mount (umount2 MNT_DETACH inside our mount namespace, else fusermount3 -uz)
  // and waits up to `timeout_ms` for the process to exit, then kills it. A mount that is
  // already gone is fine. Throws burrow::Error(Io) when the mount cannot be removed.
  void unmount(int timeout_ms = 5000);
  pid_t pid() const { return pid_; }
  // False once the filesystem process has exited or been killed.
  bool alive() const;
  // Once the process has gone: why, as one line for the container's error ("burrow-overlay
  // (pid 12) killed by signal 9; the container's filesystem is gone"); nullopt while alive.
  std::optional<std::string> failure() const;
  const std::string& mountpoint() const { return mountpoint_; }

 private:
  OverlayMount(pid_t pid, Fd pidfd, std::string mountpoint, bool child)
      : pid_(pid), pidfd_(std::move(pidfd)), mountpoint_(std::move(mountpoint)), child_(child) {}
  // Waits for the process to exit; true when it did within timeout_ms.
  bool wait_exit(int timeout_ms);

  pid_t pid_;
  Fd pidfd_;  // pidfd of the filesystem process: readable once it has exited
  std::string mountpoint_;
  bool child_;  // started by this process, so it must be reaped here
};

// Escapes ':' ',' and '\' in a directory name for lowerdir=/upperdir= options.
std::string escape_overlay_path(const std::string& path);

}  // namespace burrow::fuse_overlay
