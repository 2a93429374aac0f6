#include "userns/preflight.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

#include "base/error.h"
#include "base/fd.h"
#include "base/sys.h"
#include "userns/subid_source.h"

namespace burrow::userns {

namespace {

using Severity = PreflightIssue::Severity;

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// Reads a small integer sysctl; nullopt when the file does not exist.
std::optional<long> read_sysctl(const std::string& path) {
  try {
    auto text = sys::try_read_file(path);
    if (!text) return std::nullopt;
    return std::stol(trim(*text));
  } catch (...) {
    return std::nullopt;
  }
}

// unshare(CLONE_NEWUSER) in a throw-away child: 0 or the errno it failed with.
int probe_unshare_user() {
  pid_t pid = ::fork();
  if (pid < 0) throw sys::error_from_errno(errno, "fork", "user namespace probe");
  if (pid == 0) {
    int rc = ::unshare(CLONE_NEWUSER);
    ::_exit(rc == 0 ? 0 : (errno & 0xff));
  }
  int status = 0;
  sys::check(sys::retry_eintr([&] { return ::waitpid(pid, &status, 0); }), "waitpid", "user namespace probe");
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return EIO;
}

std::string find_program(const std::string& name, const std::vector<std::string>& search_path) {
  std::vector<std::string> dirs = search_path;
  if (dirs.empty()) {
    if (const char* path = std::getenv("PATH")) {
      std::string p = path;
      size_t pos = 0;
      while (pos <= p.size()) {
        size_t colon = p.find(':', pos);
        dirs.push_back(p.substr(pos, colon == std::string::npos ? std::string::npos : colon - pos));
        if (colon == std::string::npos) break;
        pos = colon + 1;
      }
    }
    dirs.push_back("/usr/bin");
    dirs.push_back("/bin");
  }
  for (const auto& d : dirs) {
    if (d.empty()) continue;
    std::string candidate = d + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return {};
}

// newuidmap only works when it is setuid root or carries file capabilities.
bool is_privileged_helper(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return false;
  if ((st.st_mode & S_ISUID) && st.st_uid == 0) return true;
  return ::getxattr(path.c_str(), "security.capability", nullptr, 0) > 0;
}

}  // namespace

bool PreflightReport::ok() const {
  for (const auto& i : issues)
    if (i.severity == Severity::Fatal) return false;
  return true;
}

std::string PreflightReport::summary() const {
  std::string out;
  for (auto want : {Severity::Fatal, Severity::Warning})
    for (const auto& i : issues)
      if (i.severity == want) out += (want == Severity::Fatal ? "error: " : "warning: ") + i.message + "\n";
  return out;
}

std::string userns_errno_hint(int err) {
  switch (err) {
    case EPERM:
      return "creating a user namespace was refused (EPERM): enable unprivileged user namespaces, as root: "
             "`sysctl -w kernel.unprivileged_userns_clone=1` (Debian) or "
             "`sysctl -w kernel.apparmor_restrict_unprivileged_userns=0` (Ubuntu)";
    case ENOSPC:
      return "creating a user namespace hit the limit (ENOSPC): raise it, as root: "
             "`sysctl -w user.max_user_namespaces=15000`";
    case EINVAL:
      return "this kernel lacks user namespaces (EINVAL): use a kernel built with CONFIG_USER_NS=y";
    case EUSERS:
      return "too many nested user namespaces (EUSERS): run burrowd from the host's initial user namespace";
    default:
      return std::string("creating a user namespace failed: ") + std::strerror(err);
  }
}

std::string fuse_errno_hint(int err, const std::string& device) {
  std::string group;
  struct stat st;
  if (::stat(device.c_str(), &st) == 0) {
    if (struct group* g = ::getgrgid(st.st_gid)) group = g->gr_name;
  }
  switch (err) {
    case ENOENT:
      return device + " does not exist: load the module and install FUSE, as root: `modprobe fuse && apt-get install fuse3`";
    case EACCES:
    case EPERM:
      return "cannot open " + device + " (permission denied): as root, `chmod 0666 " + device + "`" +
             (group.empty() || group == "root" ? std::string() : " or add your user to group `" + group + "` (`usermod -aG " + group + " $USER`)");
    default:
      return "cannot open " + device + ": " + std::strerror(err);
  }
}

PreflightReport run_preflight(const PreflightOptions& options) {
  PreflightReport r;
  uid_t uid = options.uid == static_cast<uid_t>(-1) ? ::getuid() : options.uid;
  gid_t gid = options.gid == static_cast<gid_t>(-1) ? ::getgid() : options.gid;
  std::string user = options.user.empty() ? user_name_of(uid) : options.user;

  // 1. User namespaces: the sysctls give the better hint; the real probe has the last word.
  auto max_ns = read_sysctl("/proc/sys/user/max_user_namespaces");
  int probe = probe_unshare_user();
  r.userns_usable = probe == 0;
  if (!r.userns_usable) {
    std::string msg;
    if (max_ns && *max_ns == 0)
      msg = "user namespaces are disabled (user.max_user_namespaces is 0): as root, `sysctl -w user.max_user_namespaces=15000`";
    else if (auto clone = read_sysctl("/proc/sys/kernel/unprivileged_userns_clone"); clone && *clone == 0)
      msg = "unprivileged user namespaces are disabled: as root, `sysctl -w kernel.unprivileged_userns_clone=1`";
    else
      msg = userns_errno_hint(probe);
    r.issues.push_back({Severity::Fatal, "userns", msg});
  }

  // 2. The setuid helpers that write a multi-id map.
  r.newuidmap = find_program("newuidmap", options.search_path);
  r.newgidmap = find_program("newgidmap", options.search_path);
  bool helpers_ok = true;
  for (auto* p : {&r.newuidmap, &r.newgidmap}) {
    const char* name = p == &r.newuidmap ? "newuidmap" : "newgidmap";
    if (p->empty()) {
      helpers_ok = false;
      r.issues.push_back({Severity::Warning, name,
                          std::string(name) + " not found: install it (as root, `apt-get install uidmap`); "
                          "until then containers get a single-id mapping"});
    } else if (!is_privileged_helper(*p)) {
      helpers_ok = false;
      r.issues.push_back({Severity::Warning, name,
                          *p + " is neither setuid root nor has file capabilities: reinstall it (as root, "
                          "`apt-get install --reinstall uidmap`); until then containers get a single-id mapping"});
      p->clear();
    }
  }

  // 3. Subordinate ranges (libsubid), else the announced single-id fallback.
  std::vector<SubidRange> uids, gids;
  if (user.empty()) {
    r.issues.push_back({Severity::Warning, "subuid",
                        "uid " + std::to_string(uid) + " has no passwd entry, so it has no subordinate ids: "
                        "using a single-id mapping (0 -> " + std::to_string(uid) + ")"});
  } else {
    try {
      uids = subid_ranges(user, SubidKind::Uid);
      gids = subid_ranges(user, SubidKind::Gid);
    } catch (const Error& e) {
      r.issues.push_back({Severity::Warning, "subuid", std::string(e.what()) + "; using a single-id mapping"});
    }
    if (uids.empty() || gids.empty()) {
      std::string which = uids.empty() && gids.empty() ? "/etc/subuid and /etc/subgid" : uids.empty() ? "/etc/subuid" : "/etc/subgid";
      r.issues.push_back({Severity::Warning, uids.empty() ? "subuid" : "subgid",
                          "no subordinate id range for user `" + user + "` in " + which +
                          ": using a single-id mapping (0 -> " + std::to_string(uid) +
                          "; files owned by other ids appear as root). Fix, as root: `usermod --add-subuids "
                          "100000-165535 --add-subgids 100000-165535 " + user + "`"});
    }
  }
  r.single_id_fallback = !(helpers_ok && !uids.empty() && !gids.empty());
  if (r.single_id_fallback) {
    r.uid_map = IdMap({{0, static_cast<uint32_t>(uid), 1}});
    r.gid_map = IdMap({{0, static_cast<uint32_t>(gid), 1}});
  } else {
    r.uid_map = IdMap::planned(uid, uids);
    r.gid_map = IdMap::planned(gid, gids);
  }

  // 4. /dev/fuse for the overlay filesystem.
  int fd = ::open(options.fuse_device.c_str(), O_RDWR | O_CLOEXEC);
  if (fd >= 0) {
    ::close(fd);
    r.fuse_usable = true;
  } else {
    r.issues.push_back({Severity::Warning, "fuse", fuse_errno_hint(errno, options.fuse_device)});
  }
  return r;
}

}  // namespace burrow::userns
