#include "engine/system_info.h"

#include <dirent.h>
#include <sys/statfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/magic.h>

#include <sstream>

#include "base/error.h"
#include "base/sys.h"

namespace burrow::engine {

namespace {

int count_entries(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return 0;
  int n = 0;
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_name[0] != '.') ++n;
  }
  ::closedir(d);
  return n;
}

// The value after "Key:" in a /proc status-style file, or "".
std::string field(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, key.size() + 1, key + ":") == 0) {
      auto v = line.substr(key.size() + 1);
      auto start = v.find_first_not_of(" \t");
      return start == std::string::npos ? std::string() : v.substr(start);
    }
  }
  return {};
}

std::string os_pretty_name() {
  auto text = sys::try_read_file("/etc/os-release");
  if (!text) return "Linux";
  std::istringstream in(*text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.compare(0, 12, "PRETTY_NAME=") == 0) {
      std::string v = line.substr(12);
      if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'')) v = v.substr(1, v.size() - 2);
      return v;
    }
  }
  return "Linux";
}

bool is_cgroup2(const std::string& path) {
  struct statfs fs;
  return ::statfs(path.c_str(), &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
}

void read_cgroup_limits(SystemInfo& info) {
  std::string base;
  if (is_cgroup2("/sys/fs/cgroup")) {
    base = "/sys/fs/cgroup";
    info.cgroup_version = "2";
  } else {
    info.cgroup_version = "1";
    if (is_cgroup2("/sys/fs/cgroup/unified")) base = "/sys/fs/cgroup/unified";
  }
  if (base.empty()) return;
  auto self = sys::try_read_file("/proc/self/cgroup");
  if (!self) return;
  std::istringstream in(*self);
  std::string line, path;
  while (std::getline(in, line)) {
    if (line.compare(0, 3, "0::") == 0) path = line.substr(3);
  }
  if (path.empty()) return;
  std::string dir = base + path;
  // Delegated means we may create child groups and enable controllers for them.
  if (::access(dir.c_str(), W_OK) != 0 || ::access((dir + "/cgroup.subtree_control").c_str(), W_OK) != 0) return;
  auto controllers = sys::try_read_file(dir + "/cgroup.controllers").value_or("");
  std::istringstream words(controllers);
  std::string word;
  while (words >> word) {
    if (word == "memory") info.memory_limit = true;
  }
  info.swap_limit = info.memory_limit && sys::exists(dir + "/memory.swap.max");
}

}  // namespace

std::string go_arch(const std::string& machine) {
  if (machine == "x86_64") return "amd64";
  if (machine == "aarch64") return "arm64";
  if (machine == "i386" || machine == "i686") return "386";
  if (machine.compare(0, 3, "arm") == 0) return "arm";
  if (machine == "ppc64le") return "ppc64le";
  if (machine == "s390x") return "s390x";
  if (machine == "riscv64") return "riscv64";
  return machine;
}

SystemInfo collect_system_info() {
  SystemInfo info;
  struct utsname u;
  if (::uname(&u) == 0) {
    info.kernel_version = u.release;
    info.machine = u.machine;
    info.hostname = u.nodename;
  }
  info.arch = go_arch(info.machine);
  info.operating_system = os_pretty_name();
  info.ncpu = static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
  info.mem_total = static_cast<std::int64_t>(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGESIZE);
  info.open_fds = count_entries("/proc/self/fd") - 1;  // minus the one opendir holds
  info.threads = std::atoi(field(sys::try_read_file("/proc/self/status").value_or(""), "Threads").c_str());
  info.ipv4_forwarding = sys::try_read_file("/proc/sys/net/ipv4/ip_forward").value_or("0").substr(0, 1) == "1";
  read_cgroup_limits(info);
  try {
    info.uid_map = userns::IdMap::read_current("uid_map");
    info.gid_map = userns::IdMap::read_current("gid_map");
  } catch (const Error&) {
    // Unreadable maps stay empty; /info then shows no mapping rather than failing.
  }
  return info;
}

}  // namespace burrow::engine
