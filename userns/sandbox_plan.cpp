#include "userns/sandbox_plan.h"

#include <sys/mount.h>
#include <sys/stat.h>

#include <cctype>

#include "base/error.h"
#include "base/sys.h"
#include "userns/id_map.h"

namespace burrow::userns {

namespace {

constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr unsigned long kNoSuidDevExec = MS_NOSUID | MS_NODEV | MS_NOEXEC;

std::vector<std::pair<uint32_t, uint32_t>> ranges_of(const IdMap& m) {
  std::vector<std::pair<uint32_t, uint32_t>> out;
  for (const auto& e : m.entries()) out.emplace_back(e.inside, e.count);
  return out;
}

bool mapped(const std::vector<std::pair<uint32_t, uint32_t>>& ranges, uint32_t id) {
  for (const auto& [first, count] : ranges)
    if (id >= first && static_cast<uint64_t>(id) < static_cast<uint64_t>(first) + count) return true;
  return false;
}

// Absolute, no "." or ".." components, no empty components except a trailing slash.
bool clean_absolute(const std::string& p) {
  if (p.empty() || p[0] != '/') return false;
  size_t pos = 1;
  while (pos < p.size()) {
    size_t slash = p.find('/', pos);
    std::string comp = p.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    if (comp == "." || comp == "..") return false;
    if (comp.empty() && slash != std::string::npos) return false;
    if (slash == std::string::npos) break;
    pos = slash + 1;
  }
  return p.find('\0') == std::string::npos;
}

bool valid_hostname(const std::string& h) {
  if (h.size() > 64) return false;
  for (char c : h)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_')) return false;
  return true;
}

}  // namespace

const char* op_name(OpKind kind) {
  switch (kind) {
    case OpKind::MakeDir: return "mkdir";
    case OpKind::MountProc: return "mount proc";
    case OpKind::MountTmpfs: return "mount tmpfs";
    case OpKind::MountDevpts: return "mount devpts";
    case OpKind::MountMqueue: return "mount mqueue";
    case OpKind::MountSysfs: return "mount sysfs";
    case OpKind::BindDevice: return "bind device";
    case OpKind::BindConsole: return "bind console";
    case OpKind::Bind: return "bind mount";
    case OpKind::Symlink: return "symlink";
  }
  return "op";
}

SandboxHost SandboxHost::current() {
  SandboxHost h;
  IdMap uids = IdMap::read_current("uid_map");
  IdMap gids = IdMap::read_current("gid_map");
  h.uid_ranges = ranges_of(uids);
  h.gid_ranges = ranges_of(gids);
  h.tty_gid_mapped = gids.to_outside(5).has_value();
  auto sg = sys::try_read_file("/proc/self/setgroups");
  h.setgroups_allowed = !sg || sg->rfind("allow", 0) == 0;
  return h;
}

SandboxPlan SandboxPlan::from_spec(const ContainerSpec& spec, const SandboxHost& host) {
  SandboxPlan p;
  p.host_ = host;
  p.rootfs = spec.rootfs;
  // A container always gets its own hostname: Docker's default is the short id.
  p.hostname = spec.hostname.empty() ? spec.id.substr(0, 12) : spec.hostname;
  p.cwd = spec.cwd.empty() ? "/" : spec.cwd;
  p.args = spec.args;
  p.env = spec.env;
  p.path_env = kDefaultPath;
  for (const auto& e : spec.env)
    if (e.rfind("PATH=", 0) == 0) p.path_env = e.substr(5);
  p.uid = spec.uid;
  p.gid = spec.gid;
  p.additional_gids = spec.additional_gids;
  p.tty = spec.tty;
  p.privileged = spec.privileged;
  p.setgroups_allowed = host.setgroups_allowed;

  auto add = [&](OpKind k, std::string source, std::string dest, std::string data = {}, unsigned long flags = 0) {
    p.ops.push_back(SetupOp{k, std::move(source), std::move(dest), std::move(data), flags, false, true});
  };
  add(OpKind::MountProc, "proc", "/proc", {}, kNoSuidDevExec);
  add(OpKind::MountTmpfs, "tmpfs", "/dev", "mode=755,size=65536k", MS_NOSUID | MS_STRICTATIME);
  for (const char* dev : {"null", "zero", "full", "random", "urandom", "tty"})
    p.ops.push_back(SetupOp{OpKind::BindDevice, std::string("/dev/") + dev, std::string("/dev/") + dev, {}, 0, false, false});
  if (spec.tty)
    p.ops.push_back(SetupOp{OpKind::BindConsole, {}, "/dev/console", {}, 0, false, false});
  else
    p.ops.push_back(SetupOp{OpKind::BindDevice, "/dev/null", "/dev/console", {}, 0, false, false});
  add(OpKind::MountDevpts, "devpts", "/dev/pts",
      std::string("newinstance,ptmxmode=0666,mode=0620") + (host.tty_gid_mapped ? ",gid=5" : ""), MS_NOSUID | MS_NOEXEC);
  add(OpKind::Symlink, "pts/ptmx", "/dev/ptmx");
  add(OpKind::MountTmpfs, "shm", "/dev/shm", "mode=1777,size=65536k", kNoSuidDevExec);
  add(OpKind::MountMqueue, "mqueue", "/dev/mqueue", {}, kNoSuidDevExec);
  add(OpKind::Symlink, "/proc/self/fd", "/dev/fd");
  add(OpKind::Symlink, "/proc/self/fd/0", "/dev/stdin");
  add(OpKind::Symlink, "/proc/self/fd/1", "/dev/stdout");
  add(OpKind::Symlink, "/proc/self/fd/2", "/dev/stderr");
  add(OpKind::Symlink, "/proc/kcore", "/dev/core");
  // Read-only /sys, as Docker 0.8; Privileged gets it writable (the kernel still refuses
  // whatever the user namespace does not own).
  add(OpKind::MountSysfs, "sysfs", "/sys", {}, kNoSuidDevExec | (spec.privileged ? 0 : MS_RDONLY));
  for (const auto& b : spec.binds) {
    SetupOp op{OpKind::Bind, b.source, b.destination, {}, 0, b.read_only, true};
    if (auto st = sys::try_lstat(b.source); st) {
      struct stat target;
      op.source_is_dir = ::stat(b.source.c_str(), &target) == 0 ? S_ISDIR(target.st_mode) : S_ISDIR(st->st_mode);
    }
    p.ops.push_back(std::move(op));
  }
  return p;
}

void SandboxPlan::validate() const {
  auto bad = [](const std::string& m) { return Error::bad_parameter(m); };
  if (!clean_absolute(rootfs)) throw bad("rootfs `" + rootfs + "` must be an absolute path without `..`");
  struct stat st;
  if (::stat(rootfs.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) throw bad("rootfs `" + rootfs + "` is not a directory");
  if (args.empty() || args[0].empty()) throw bad("no command given (empty argv)");
  for (const auto& e : env)
    if (e.find('=') == std::string::npos || e[0] == '=') throw bad("environment entry `" + e + "` is not NAME=VALUE");
  if (!clean_absolute(cwd)) throw bad("working directory `" + cwd + "` must be an absolute path without `..`");
  if (!valid_hostname(hostname)) throw bad("hostname `" + hostname + "` is invalid (at most 64 letters, digits, `-`, `.`)");
  if (!mapped(host_.uid_ranges, uid))
    throw bad("user id " + std::to_string(uid) + " is not mapped in the engine namespace" +
              (host_.uid_ranges.size() <= 1 ? " (single-id mapping: add a subordinate uid range for the user)" : ""));
  if (!mapped(host_.gid_ranges, gid))
    throw bad("group id " + std::to_string(gid) + " is not mapped in the engine namespace" +
              (host_.gid_ranges.size() <= 1 ? " (single-id mapping: add a subordinate gid range for the user)" : ""));
  for (auto g : additional_gids)
    if (!mapped(host_.gid_ranges, g)) throw bad("supplementary group " + std::to_string(g) + " is not mapped in the engine namespace");
  if (additional_gids.size() > 256) throw bad("more than 256 supplementary groups");
  if (!additional_gids.empty() && !setgroups_allowed)
    throw bad("supplementary groups need setgroups, which the single-id mapping denies (add a subordinate gid range)");
  for (const auto& op : ops) {
    if (!clean_absolute(op.dest) || op.dest == "/")
      throw bad(std::string(op_name(op.kind)) + ": destination `" + op.dest + "` must be an absolute path without `..` (and not /)");
    if (op.dest.size() >= 1024) throw bad(std::string(op_name(op.kind)) + ": destination `" + op.dest + "` is too long");
    if (op.kind == OpKind::Bind || op.kind == OpKind::BindDevice) {
      if (!clean_absolute(op.source)) throw bad(std::string(op_name(op.kind)) + ": source `" + op.source + "` must be an absolute path");
      if (::stat(op.source.c_str(), &st) != 0) throw bad(std::string(op_name(op.kind)) + ": source `" + op.source + "` does not exist");
    }
  }
}

}  // namespace burrow::userns
