#pragma once
// SandboxPlan: everything the container init will do, decided and validated before clone
// (bubblewrap's SetupOp list): the ordered mount/mkdir/symlink ops on the new root, hostname,
// ids, capabilities, argv/env and cwd. The init walks it with async-signal-safe calls only, so
// every string it needs is built here. Plain value; not thread-safe per object.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "userns/container_runtime.h"

namespace burrow::userns {

enum class OpKind {
  MakeDir,      // mkdir -p dest (inside the new root)
  MountProc,    // proc at dest
  MountTmpfs,   // tmpfs at dest (data: mount options)
  MountDevpts,  // a private devpts instance (newinstance) at dest
  MountMqueue,  // mqueue at dest
  MountSysfs,   // sysfs at dest (read-only unless privileged); an rbind of the host's /sys when refused
  BindDevice,   // host device node `source` bound onto a file created at dest
  BindConsole,  // the container's pty slave bound onto dest (tty only; done after the pty exists)
  Bind,         // host path `source` bound (recursively) onto dest, read-only when read_only
  Symlink,      // symlink dest -> source
};

// The name an op has in error messages ("mount proc").
const char* op_name(OpKind kind);

struct SetupOp {
  OpKind kind;
  std::string source;      // host path (binds, devices), link target (symlinks), fs name
  std::string dest;        // absolute path inside the container
  std::string data;        // mount data ("mode=755,size=65536k")
  unsigned long flags = 0; // MS_NOSUID | MS_NODEV | ...
  bool read_only = false;
  bool source_is_dir = true;  // binds: directory or file (decides what is created at dest)
};

// What the host side knows that the plan depends on (read once by the shim).
struct SandboxHost {
  bool setgroups_allowed = true;  // false in the single-id fallback
  bool tty_gid_mapped = true;     // gid 5 exists in the namespace (devpts gid=5)
  std::vector<std::pair<uint32_t, uint32_t>> uid_ranges;  // inside id ranges [first, first+count)
  std::vector<std::pair<uint32_t, uint32_t>> gid_ranges;
  // Reads /proc/self/{uid_map,gid_map,setgroups}.
  static SandboxHost current();
};

class SandboxPlan {
 public:
  // The Docker 0.8 sandbox for `spec`: /proc, a tmpfs /dev with null zero full random urandom
  // tty console, devpts at /dev/pts (+ /dev/ptmx), /dev/shm, /dev/mqueue, /sys (read-only
  // unless privileged), the standard /dev symlinks, then spec.binds in order. No validation.
  static SandboxPlan from_spec(const ContainerSpec& spec, const SandboxHost& host);

  // Throws Error(BadParameter) naming the field for anything that would fail after clone for a
  // reason known now: relative or ".." paths, missing rootfs or bind source, empty argv, env
  // without '=', bad hostname, unmapped uid/gid, supplementary groups with setgroups denied.
  void validate() const;

  std::string rootfs;
  std::vector<SetupOp> ops;
  std::string hostname;
  std::string cwd = "/";
  std::vector<std::string> args;
  std::vector<std::string> env;
  std::string path_env;  // the container's PATH (from env, else Docker's default)
  uint32_t uid = 0, gid = 0;
  std::vector<uint32_t> additional_gids;
  bool tty = false;
  bool privileged = false;
  bool setgroups_allowed = true;

 private:
  SandboxHost host_;
};

}  // namespace burrow::userns
