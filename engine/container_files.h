#pragma once
// Files burrowd keeps for a container beside its record and facts it reads from /proc and the
// disk: the /etc/hostname, /etc/hosts and /etc/resolv.conf bound into the container, a
// process's start time (to tell a shim from a recycled pid), and directory sizes for ps -s.
// Thread-safe.

#include <sys/types.h>

#include <string>

#include "engine/container.h"

namespace burrow::engine {

// Writes c.hostname_path, c.hosts_path and c.resolv_conf_path (the host's resolv.conf).
void write_container_files(const Container& c);

// Field 22 of /proc/PID/stat (start time in clock ticks since boot), 0 when the process is gone.
unsigned long long process_start_time(pid_t pid);

// Bytes used by the regular files below `dir` (not following symlinks, each inode once).
long long directory_size(const std::string& dir);

}  // namespace burrow::engine
