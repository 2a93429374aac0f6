#pragma once
// SystemInfo: facts about the host and this process for GET /info, read fresh on each call
// from uname, /proc and /sys: kernel, CPUs, memory, open fds, threads, the id mapping of the
// user namespace we run in, and which resource limits this user can actually enforce (a
// delegated, writable cgroup v2 subtree with the memory controller). Thread-safe.

#include <cstdint>
#include <string>

#include "userns/id_map.h"

namespace burrow::engine {

struct SystemInfo {
  std::string kernel_version;    // uname -r
  std::string machine;           // uname -m ("x86_64")
  std::string arch;              // Go's name for it ("amd64"), as Docker reports Arch
  std::string operating_system;  // PRETTY_NAME of /etc/os-release
  std::string hostname;
  int ncpu = 0;
  std::int64_t mem_total = 0;    // bytes
  int open_fds = 0;              // this process
  int threads = 0;               // this process (reported as NGoroutines)
  bool memory_limit = false;     // a delegated cgroup v2 subtree with the memory controller
  bool swap_limit = false;       // ... and memory.swap.max
  bool ipv4_forwarding = false;  // /proc/sys/net/ipv4/ip_forward
  std::string cgroup_version;    // "2", "1" (v1 or hybrid without a unified mount we can use)
  userns::IdMap uid_map, gid_map;  // of the namespace we run in (/proc/self/{uid,gid}_map)
};

SystemInfo collect_system_info();

// Go's GOARCH name for a uname machine string.
std::string go_arch(const std::string& machine);

}  // namespace burrow::engine
