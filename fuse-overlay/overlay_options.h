#pragma once
// OverlayOptions: what one burrow-overlay mount is made of (layers, upper, work, mountpoint and
// tuning), parsed from fuse-overlayfs-compatible arguments
// (`-o lowerdir=A:B:C,upperdir=U,workdir=W MOUNTPOINT`) so the two programs can be swapped.
// Plain values; no thread-safety concerns.

#include <string>
#include <vector>

namespace burrow::fuse_overlay {

struct OverlayOptions {
  std::vector<std::string> lowerdirs;  // top first, as overlayfs' lowerdir=
  std::string upperdir;                // empty: a read-only mount of the lower layers
  std::string workdir;                 // same filesystem as upperdir; scratch space for copy-up
  std::string mountpoint;
  std::vector<std::string> fuse_options;  // passed on to libfuse (allow_other, debug, ...)
  bool foreground = false;  // -f: stay in the foreground instead of daemonizing
  bool debug = false;       // -d / -o debug: per-request logging from libfuse
  bool writeback = true;    // -o writeback=0 turns off the kernel's writeback cache
  bool fsync = true;        // -o fsync=0 turns fsync into a no-op (build containers)
  bool splice = true;       // -o splice=0: copy request and reply data instead of splicing
  double timeout = 86400;   // -o timeout=S: entry/attr cache timeout, 0 disables caching
  // -o threads=N: maximum FUSE worker threads. One by default: libfuse hands consecutive
  // requests to its idle workers in turn, and for the usual chain of one process's requests
  // (open, read, stat, close) that switch of thread cost twice the daemon CPU per request and
  // up to twice the wall time (bench/overlay/README.md). More threads let a long copy-up or
  // cold read of one process overlap other processes' requests.
  unsigned threads = 1;
  int ready_fd = -1;        // --ready-fd=N: write "ok\n" (or the error) once the mount is live
};

// Parses argv (argv[0] is the program name). Throws burrow::Error(BadParameter) with a one-line
// message naming the bad argument; missing lowerdir or mountpoint are errors, unknown -o
// options are handed to libfuse. Paths are made absolute. With for_changes (the --changes
// mode) no mountpoint or workdir is needed.
OverlayOptions parse_overlay_args(const std::vector<std::string>& args, bool for_changes = false);

// Splits "A:B:C" at unescaped ':' ("\:" and "\\" are escapes, as in overlayfs).
std::vector<std::string> split_lowerdirs(const std::string& value);

// The usage text for --help.
std::string overlay_usage(const std::string& program);

}  // namespace burrow::fuse_overlay
