#pragma once
// Resource limits (Memory, MemorySwap, CpuShares) through a delegated cgroup v2 subtree: the
// cgroup burrowd runs in, when it is on a cgroup2 mount, writable by us and offers the memory
// and cpu controllers. Without one, limits are discarded with a warning (container_config.h).
// Thread-safe (no shared mutable state).

#include <sys/types.h>

#include <optional>
#include <string>

namespace burrow::engine {

struct CgroupLimits {
  long long memory = 0;       // bytes, 0 = none
  long long memory_swap = 0;  // memory + swap in bytes as Docker meant it, -1 = unlimited swap
  long long cpu_shares = 0;   // relative weight (Docker's 1024 = default)
};

class CgroupDelegation {
 public:
  // Looks for a delegated subtree; nullopt (with the reason) when there is none.
  static std::optional<CgroupDelegation> detect(std::string* reason = nullptr);

  const std::string& dir() const { return dir_; }

  // Creates <dir>/burrow-<id>, writes the limits and moves `pid` into it. Throws Error naming
  // the cgroup file that could not be written.
  void apply(const std::string& id, pid_t pid, const CgroupLimits& limits) const;
  // Removes the container's cgroup (once it has no processes); errors are ignored.
  void remove(const std::string& id) const;

 private:
  explicit CgroupDelegation(std::string dir) : dir_(std::move(dir)) {}
  std::string dir_;  // our delegated cgroup directory
};

}  // namespace burrow::engine
