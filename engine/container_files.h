#pragma once
// Files burrowd keeps for a container beside its record and facts it reads from /proc and the
// disk: the /etc/hostname, /etc/hosts and /etc/resolv.conf bound into the container, a
// process's start time (to tell a shim from a recycled pid), and directory sizes for ps -s.
// Thread-safe.

#include <sys/types.h>

#include <string>

#include "base/process_start_time.h"
#include "engine/container.h"

namespace burrow::engine {

// Writes c.hostname_path, c.hosts_path and c.resolv_conf_path (the host's resolv.conf).
void write_container_files(const Container& c);

// Pid plus start time names a shim for good (base/process_start_time.h).
using ::burrow::process_start_time;

// Bytes used by the regular files below `dir` (not following symlinks, each inode once).
long long directory_size(const std::string& dir);

}  // namespace burrow::engine
