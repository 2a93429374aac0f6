#include "engine/container_cgroup.h"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <sstream>

#include "base/sys.h"

namespace burrow::engine {

namespace {

bool is_cgroup2(const std::string& path) {
  struct statfs fs;
  return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

void write_knob(const std::string& path, const std::string& value) {
  Fd fd = sys::open(path, O_WRONLY);
  sys::write_all(fd.get(), value);
}

}  // namespace

std::optional<CgroupDelegation> CgroupDelegation::detect(std::string* reason) {
  auto why = [&](const std::string& r) -> std::optional<CgroupDelegation> {
    if (reason) *reason = r;
    return std::nullopt;
  };
  std::string base;
  if (is_cgroup2("/sys/fs/cgroup"))
    base = "/sys/fs/cgroup";
  else if (is_cgroup2("/sys/fs/cgroup/unified"))
    base = "/sys/fs/cgroup/unified";
  else
    return why("no cgroup v2 mount");
  std::istringstream self(sys::try_read_file("/proc/self/cgroup").value_or(""));
  std::string line, rel;
  while (std::getline(self, line))
    if (line.rfind("0::", 0) == 0) rel = line.substr(3);
  if (rel.empty()) return why("this process is in no cgroup v2 group");
  std::string dir = base + (rel == "/" ? "" : rel);
  if (::access((dir + "/cgroup.subtree_control").c_str(), W_OK) != 0 || ::access(dir.c_str(), W_OK) != 0)
    return why("the cgroup " + dir + " is not delegated to this user");
  std::string controllers = sys::try_read_file(dir + "/cgroup.controllers").value_or("");
  if (controllers.find("memory") == std::string::npos || controllers.find("cpu") == std::string::npos)
    return why("the delegated cgroup " + dir + " lacks the memory or cpu controller");
  return CgroupDelegation(dir);
}

void CgroupDelegation::apply(const std::string& id, pid_t pid, const CgroupLimits& limits) const {
  try {
    write_knob(dir_ + "/cgroup.subtree_control", "+memory +cpu");
  } catch (const Error&) {
    // Already enabled, or our own group has processes (then the child write below tells).
  }
  std::string cg = dir_ + "/burrow-" + id;
  sys::make_dirs(cg, 0755);
  if (limits.memory > 0) write_knob(cg + "/memory.max", std::to_string(limits.memory));
  if (limits.memory_swap == -1)
    write_knob(cg + "/memory.swap.max", "max");
  else if (limits.memory_swap > 0 && limits.memory_swap >= limits.memory)
    write_knob(cg + "/memory.swap.max", std::to_string(limits.memory_swap - limits.memory));
  if (limits.cpu_shares > 0) {
    // cgroup v1 shares [2, 262144] to v2 weight [1, 10000], as runc converts them.
    long long weight = 1 + ((limits.cpu_shares - 2) * 9999) / 262142;
    write_knob(cg + "/cpu.weight", std::to_string(weight < 1 ? 1 : weight));
  }
  write_knob(cg + "/cgroup.procs", std::to_string(pid));
}

void CgroupDelegation::remove(const std::string& id) const { ::rmdir((dir_ + "/burrow-" + id).c_str()); }

}  // namespace burrow::engine
