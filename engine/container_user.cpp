#include "engine/container_user.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <optional>
#include <sstream>

#include "base/error.h"
#include "base/sys.h"

namespace burrow::engine {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::optional<uint32_t> parse_id(const std::string& s) {
  if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
  unsigned long v = std::stoul(s);
  if (v > 0xFFFFFFFFul) return std::nullopt;
  return static_cast<uint32_t>(v);
}

// Reads <rootfs>/<path> with rootfs as "/", so a symlinked /etc/passwd cannot leave it.
std::string read_in_root(const std::string& rootfs, const std::string& path) {
  Fd root = sys::open(rootfs, O_PATH | O_DIRECTORY);
  struct open_how how {};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(sys::retry_eintr(
      [&] { return ::syscall(SYS_openat2, root.get(), path.c_str(), &how, sizeof how); }));
  if (fd < 0 && errno == ENOENT) return "";
  Fd file(sys::check(fd, "open", path));
  return sys::read_fd(file.get());
}

}  // namespace

ContainerUser resolve_user_in(const std::string& passwd, const std::string& group, const std::string& spec) {
  ContainerUser u;
  std::string user_part = spec, group_part;
  if (auto colon = spec.find(':'); colon != std::string::npos) {
    user_part = spec.substr(0, colon);
    group_part = spec.substr(colon + 1);
  }
  if (user_part.empty()) user_part = "0";
  auto uid_num = parse_id(user_part);
  bool found = false;
  std::string user_name;
  std::istringstream pw(passwd);
  for (std::string line; std::getline(pw, line);) {
    auto f = split(line, ':');
    if (f.size() < 7) continue;
    auto uid = parse_id(f[2]);
    auto gid = parse_id(f[3]);
    if (!uid || !gid) continue;
    if ((uid_num && *uid == *uid_num) || (!uid_num && f[0] == user_part)) {
      u.uid = *uid;
      u.gid = *gid;
      u.home = f[5].empty() ? "/" : f[5];
      user_name = f[0];
      found = true;
      break;
    }
  }
  if (!found) {
    if (!uid_num) throw Error::bad_parameter("Unable to find user " + user_part);
    u.uid = *uid_num;
    u.gid = 0;
    u.home = "/";
  }
  std::istringstream gr(group);
  bool group_found = false;
  auto gid_num = parse_id(group_part);
  for (std::string line; std::getline(gr, line);) {
    auto f = split(line, ':');
    if (f.size() < 4) continue;
    auto gid = parse_id(f[2]);
    if (!gid) continue;
    if (!group_part.empty() && ((gid_num && *gid == *gid_num) || (!gid_num && f[0] == group_part))) {
      u.gid = *gid;
      group_found = true;
    }
    if (!user_name.empty()) {
      for (const auto& member : split(f[3], ','))
        if (member == user_name && *gid != u.gid) u.additional_gids.push_back(*gid);
    }
  }
  if (!group_part.empty() && !group_found) {
    if (!gid_num) throw Error::bad_parameter("Unable to find group " + group_part);
    u.gid = *gid_num;
  }
  return u;
}

ContainerUser resolve_container_user(const std::string& rootfs, const std::string& user) {
  return resolve_user_in(read_in_root(rootfs, "/etc/passwd"), read_in_root(rootfs, "/etc/group"), user);
}

}  // namespace burrow::engine
