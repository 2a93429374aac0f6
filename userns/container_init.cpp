#include "userns/container_init.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/openat2.h>
#include <net/if.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <climits>

#include "userns/capabilities.h"
#include "userns/sandbox_plan.h"

namespace burrow::userns {

namespace {

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

constexpr size_t kMaxGroups = 256;  // validated in SandboxPlan::validate

// ---- small async-signal-safe helpers (no allocation) ----

void copy_str(char* dst, size_t n, const char* src) {
  size_t i = 0;
  if (src)
    for (; i + 1 < n && src[i]; ++i) dst[i] = src[i];
  dst[i] = '\0';
}

[[noreturn]] void fail(const InitContext& ctx, const char* step, const char* path, int err, int code = 1) {
  InitMessage m;
  m.type = InitMessage::kError;
  m.err = err;
  copy_str(m.step, sizeof m.step, step);
  copy_str(m.path, sizeof m.path, path);
  [[maybe_unused]] ssize_t n = ::send(ctx.sync_fd, &m, sizeof m, MSG_NOSIGNAL);
  ::_exit(code);
}

// "/proc/self/fd/N" into buf (at least 32 bytes).
const char* fd_path(char* buf, int fd) {
  char digits[16];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + fd % 10);
    fd /= 10;
  } while (fd > 0);
  const char prefix[] = "/proc/self/fd/";
  size_t i = 0;
  for (; prefix[i]; ++i) buf[i] = prefix[i];
  while (n > 0) buf[i++] = digits[--n];
  buf[i] = '\0';
  return buf;
}

int openat2_in_root(int rootfd, const char* path, int flags) {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  long fd;
  do {
    fd = ::syscall(SYS_openat2, rootfd, path, &how, sizeof how);
  } while (fd < 0 && (errno == EINTR || errno == EAGAIN));
  return static_cast<int>(fd);
}

enum class Create { None, Dir, File };

// Opens `path` (absolute inside the container) as O_PATH, resolving symlinks inside the root,
// creating missing parents as directories and the last component as `create` says.
// Returns the fd, or -1 with errno set.
int open_in_root(int rootfd, const char* path, Create create) {
  int fd = openat2_in_root(rootfd, path, O_PATH);
  if (fd >= 0 || errno != ENOENT || create == Create::None) return fd;
  char buf[PATH_MAX];
  copy_str(buf, sizeof buf, path);
  size_t len = 0;
  while (buf[len]) ++len;
  while (len > 1 && buf[len - 1] == '/') buf[--len] = '\0';
  // Walk the prefixes: "/a", "/a/b", ...; create each missing one in its parent.
  int parent = openat2_in_root(rootfd, "/", O_PATH | O_DIRECTORY);
  if (parent < 0) return -1;
  size_t pos = 1;
  while (pos <= len) {
    size_t end = pos;
    while (end < len && buf[end] != '/') ++end;
    bool last = end >= len;
    char saved = buf[end];
    buf[end] = '\0';
    const char* name = buf + pos;
    int next = openat2_in_root(rootfd, buf, last && create == Create::File ? O_PATH : O_PATH | O_DIRECTORY);
    if (next < 0 && errno == ENOENT) {
      int rc;
      if (last && create == Create::File) {
        rc = ::openat(parent, name, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (rc >= 0) ::close(rc);
      } else {
        rc = ::mkdirat(parent, name, 0755);
      }
      if (rc < 0 && errno != EEXIST) {
        int e = errno;
        ::close(parent);
        errno = e;
        return -1;
      }
      next = openat2_in_root(rootfd, buf, last && create == Create::File ? O_PATH : O_PATH | O_DIRECTORY);
    }
    buf[end] = saved;
    int e = errno;
    ::close(parent);
    if (next < 0) {
      errno = e;
      return -1;
    }
    parent = next;
    pos = end + 1;
  }
  return parent;
}

// Clones the mount tree at `source` (host path, or fd with AT_EMPTY_PATH when source is "")
// and attaches it on `target_fd`, read-only when asked.
int bind_tree(int source_dfd, const char* source, int target_fd, bool recursive, bool read_only, uint64_t extra_attr = 0) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0) | (source[0] ? 0 : AT_EMPTY_PATH);
  int tree = ::open_tree(source_dfd, source, flags);
  if (tree < 0) return -1;
  if (read_only || extra_attr) {
    struct mount_attr attr = {};
    attr.attr_set = (read_only ? MOUNT_ATTR_RDONLY : 0) | extra_attr;
    if (::mount_setattr(tree, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) < 0) {
      int e = errno;
      ::close(tree);
      errno = e;
      return -1;
    }
  }
  int rc = ::move_mount(tree, "", target_fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
  int e = errno;
  ::close(tree);
  errno = e;
  return rc;
}

// Splits "/dev/ptmx" into a parent fd (created if missing) and the last name.
int open_parent(int rootfd, const char* path, char* parent_buf, const char** name) {
  copy_str(parent_buf, PATH_MAX, path);
  size_t len = 0;
  while (parent_buf[len]) ++len;
  size_t slash = len;
  while (slash > 0 && parent_buf[slash - 1] != '/') --slash;
  *name = path + slash;
  if (slash <= 1) {
    parent_buf[1] = '\0';
  } else {
    parent_buf[slash - 1] = '\0';
  }
  return open_in_root(rootfd, parent_buf, Create::Dir);
}

void run_op(const InitContext& ctx, int rootfd, const SetupOp& op) {
  const char* dest = op.dest.c_str();
  const char* step = op_name(op.kind);
  char pbuf[32];
  if (op.kind == OpKind::Symlink) {
    char parent[PATH_MAX];
    const char* name = nullptr;
    int dir = open_parent(rootfd, dest, parent, &name);
    if (dir < 0) fail(ctx, step, dest, errno);
    int rc = ::symlinkat(op.source.c_str(), dir, name);
    int e = errno;
    ::close(dir);
    if (rc < 0 && e != EEXIST) fail(ctx, step, dest, e);
    return;
  }
  bool file = op.kind == OpKind::BindDevice || op.kind == OpKind::BindConsole ||
              (op.kind == OpKind::Bind && !op.source_is_dir);
  int target = open_in_root(rootfd, dest, file ? Create::File : Create::Dir);
  if (target < 0) fail(ctx, step, dest, errno);
  int rc = 0;
  const char* data = op.data.empty() ? nullptr : op.data.c_str();
  switch (op.kind) {
    case OpKind::MakeDir:
    case OpKind::BindConsole:  // the file exists now; the pty is bound over it after pivot_root
      break;
    case OpKind::MountProc:
      rc = ::mount("proc", fd_path(pbuf, target), "proc", op.flags, nullptr);
      break;
    case OpKind::MountTmpfs:
      rc = ::mount(op.source.c_str(), fd_path(pbuf, target), "tmpfs", op.flags, data);
      break;
    case OpKind::MountDevpts:
      rc = ::mount("devpts", fd_path(pbuf, target), "devpts", op.flags, data);
      break;
    case OpKind::MountMqueue:
      rc = ::mount("mqueue", fd_path(pbuf, target), "mqueue", op.flags, nullptr);
      break;
    case OpKind::MountSysfs:
      rc = ::mount("sysfs", fd_path(pbuf, target), "sysfs", op.flags, nullptr);
      // A network namespace we own allows sysfs; when it is refused anyway, show the host's.
      if (rc < 0 && (errno == EPERM || errno == EACCES))
        rc = bind_tree(AT_FDCWD, "/sys", target, true, (op.flags & MS_RDONLY) != 0,
                       MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
      break;
    case OpKind::BindDevice:
      rc = bind_tree(AT_FDCWD, op.source.c_str(), target, false, false);
      break;
    case OpKind::Bind:
      rc = bind_tree(AT_FDCWD, op.source.c_str(), target, true, op.read_only);
      break;
    case OpKind::Symlink:
      break;
  }
  int e = errno;
  ::close(target);
  if (rc < 0) fail(ctx, step, op.kind == OpKind::Bind ? op.source.c_str() : dest, e);
}

// ---- the steps, in the order run_container_init calls them ----

void reset_signals() {
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);  // SIGKILL/SIGSTOP just fail
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
}

void loopback_up(const InitContext& ctx) {
  int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (s < 0) fail(ctx, "socket for loopback", "lo", errno);
  struct ifreq ifr = {};
  copy_str(ifr.ifr_name, IFNAMSIZ, "lo");
  if (::ioctl(s, SIOCGIFFLAGS, &ifr) < 0) fail(ctx, "get interface flags", "lo", errno);
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (::ioctl(s, SIOCSIFFLAGS, &ifr) < 0) fail(ctx, "bring interface up", "lo", errno);
  ::close(s);
}

// mkdir -p of an absolute path in the (new) root; the init is root here.
void make_cwd(const InitContext& ctx, const char* cwd) {
  int root = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) fail(ctx, "open /", "/", errno);
  int fd = open_in_root(root, cwd, Create::Dir);
  if (fd < 0) fail(ctx, "create working directory", cwd, errno);
  ::close(fd);
  ::close(root);
  if (::chdir(cwd) < 0) fail(ctx, "chdir", cwd, errno);
}

// Opens a pty pair in the container's own devpts, hands the master to the shim and makes the
// slave the controlling terminal and stdio; binds it over /dev/console.
void setup_tty(const InitContext& ctx) {
  int master = ::open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) fail(ctx, "open pty master", "/dev/pts/ptmx", errno);
  int unlock = 0;
  if (::ioctl(master, TIOCSPTLCK, &unlock) < 0) fail(ctx, "unlock pty", "/dev/pts/ptmx", errno);
  int slave = ::ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY);
  if (slave < 0) fail(ctx, "open pty slave", "/dev/pts/ptmx", errno);
  struct winsize ws = {};
  ws.ws_row = 24;
  ws.ws_col = 80;
  ::ioctl(slave, TIOCSWINSZ, &ws);

  InitMessage m;
  m.type = InitMessage::kPtyMaster;
  struct iovec iov = {&m, sizeof m};
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control = {};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  __builtin_memcpy(CMSG_DATA(c), &master, sizeof master);
  if (::sendmsg(ctx.sync_fd, &msg, MSG_NOSIGNAL) < 0) fail(ctx, "send pty master", "", errno);
  ::close(master);

  char pbuf[32];
  if (::mount(fd_path(pbuf, slave), "/dev/console", nullptr, MS_BIND, nullptr) < 0)
    fail(ctx, "bind console", "/dev/console", errno);
  if (::setsid() < 0) fail(ctx, "setsid", "", errno);
  if (::ioctl(slave, TIOCSCTTY, 0) < 0) fail(ctx, "set controlling terminal", "", errno);
  for (int i = 0; i < 3; ++i)
    if (::dup2(slave, i) < 0) fail(ctx, "dup2 pty slave", "", errno);
  if (slave > 2) ::close(slave);
}

[[noreturn]] void exec_command(const InitContext& ctx) {
  const char* file = ctx.argv[0];
  bool has_slash = false;
  for (const char* p = file; *p; ++p) has_slash |= *p == '/';
  if (has_slash) {
    ::execve(file, ctx.argv, ctx.envp);
    fail(ctx, "exec", file, errno, 127);
  }
  // Look the name up in the container's PATH (execvpe would use the shim's own PATH).
  const char* path = ctx.plan->path_env.c_str();
  char candidate[PATH_MAX];
  int seen = ENOENT;
  while (*path) {
    const char* end = path;
    while (*end && *end != ':') ++end;
    size_t dir_len = static_cast<size_t>(end - path);
    size_t n = 0;
    if (dir_len == 0) {
      candidate[n++] = '.';
    } else {
      for (size_t i = 0; i < dir_len && n < sizeof candidate - 2; ++i) candidate[n++] = path[i];
    }
    candidate[n++] = '/';
    for (const char* f = file; *f && n < sizeof candidate - 1; ++f) candidate[n++] = *f;
    candidate[n] = '\0';
    ::execve(candidate, ctx.argv, ctx.envp);
    if (errno == EACCES) seen = EACCES;
    else if (errno != ENOENT && errno != ENOTDIR) fail(ctx, "exec", candidate, errno, 127);
    path = *end ? end + 1 : end;
  }
  fail(ctx, "exec", file, seen, 127);
}

}  // namespace

[[noreturn]] void run_container_init(const InitContext& ctx) noexcept {
  const SandboxPlan& plan = *ctx.plan;

  // 1. Die with the shim: a container nobody watches must not keep running unlogged.
  ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  // 2. The shim blocks/ignores signals for its loop; exec keeps ignored ones and the mask.
  reset_signals();
  // 3. Stdio without a tty: the shim's pipes (with a tty, step 11 sets it up).
  if (!plan.tty)
    for (int i = 0; i < 3; ++i)
      if (ctx.stdio[i] >= 0 && ::dup2(ctx.stdio[i], i) < 0) fail(ctx, "dup2 stdio", "", errno);
  // 4. Nothing mounted below may propagate out of this mount namespace.
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) < 0) fail(ctx, "make / rslave", "/", errno);
  // 5. The root must be a mount point of its own for pivot_root: bind it onto itself.
  const char* rootfs = plan.rootfs.c_str();
  {
    int self = ::open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (self < 0) fail(ctx, "open rootfs", rootfs, errno);
    if (bind_tree(AT_FDCWD, rootfs, self, true, false) < 0) fail(ctx, "bind rootfs", rootfs, errno);
    ::close(self);
  }
  int rootfd = ::open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);  // the new mount on top
  if (rootfd < 0) fail(ctx, "open rootfs", rootfs, errno);
  // 6. The plan's ops, in order: /proc, /dev and its nodes, devpts, shm, mqueue, /sys, binds.
  //    Paths resolve inside the root (RESOLVE_IN_ROOT), so image symlinks cannot escape it.
  for (const auto& op : plan.ops) run_op(ctx, rootfd, op);
  // 7. Hostname, in the new UTS namespace.
  if (!plan.hostname.empty() && ::sethostname(plan.hostname.c_str(), plan.hostname.size()) < 0)
    fail(ctx, "sethostname", plan.hostname.c_str(), errno);
  // 8. The new network namespace has only lo, down: bring it up.
  loopback_up(ctx);
  // 9. pivot_root into the root and detach the old one (crun's compact form).
  if (::fchdir(rootfd) < 0) fail(ctx, "chdir", rootfs, errno);
  if (::syscall(SYS_pivot_root, ".", ".") < 0) fail(ctx, "pivot_root", rootfs, errno);
  if (::mount(nullptr, ".", nullptr, MS_REC | MS_SLAVE, nullptr) < 0) fail(ctx, "make old root rslave", "/", errno);
  while (::umount2(".", MNT_DETACH) == 0) {
  }
  if (errno != EINVAL) fail(ctx, "detach old root", "/", errno);
  if (::chdir("/") < 0) fail(ctx, "chdir", "/", errno);
  ::close(rootfd);
  // 10. The container is its own session (the tty path makes it the controlling terminal).
  if (plan.tty) {
    setup_tty(ctx);
  } else if (::setsid() < 0) {
    fail(ctx, "setsid", "", errno);
  }
  // 11. Working directory, created (as root) if missing.
  make_cwd(ctx, plan.cwd.c_str());
  // 12. Bounding set first, while CAP_SETPCAP is still there.
  if (!plan.privileged)
    if (int e = ctx.caps->drop_bounding(); e != 0) fail(ctx, "drop capabilities from the bounding set", "", e);
  // 13. Groups, gid, uid (resolved by the engine). Leaving uid 0 clears the capabilities.
  if (plan.setgroups_allowed) {
    gid_t groups[kMaxGroups];
    size_t n = 0;
    for (auto g : plan.additional_gids)
      if (n < kMaxGroups) groups[n++] = g;
    if (::setgroups(n, groups) < 0) fail(ctx, "setgroups", "", errno);
  }
  if (::setresgid(plan.gid, plan.gid, plan.gid) < 0) fail(ctx, "setresgid", "", errno);
  if (::setresuid(plan.uid, plan.uid, plan.uid) < 0) fail(ctx, "setresuid", "", errno);
  // 14. Root keeps Docker 0.8's set (all of them when privileged).
  if (plan.uid == 0 && !plan.privileged)
    if (int e = ctx.caps->apply_to_process(); e != 0) fail(ctx, "set capabilities", "", e);
  // 15. The gate: burrowd may configure what needs the namespaces (the network) before the
  //     command runs. EOF instead of a byte means it gave up.
  if (ctx.gate_fd >= 0) {
    InitMessage ready;
    ready.type = InitMessage::kReady;
    if (::send(ctx.sync_fd, &ready, sizeof ready, MSG_NOSIGNAL) < 0) fail(ctx, "report ready", "", errno);
    char byte;
    ssize_t n;
    do {
      n = ::read(ctx.gate_fd, &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) fail(ctx, "wait for the go-ahead", "", n < 0 ? errno : ECANCELED);
    ::close(ctx.gate_fd);
  }
  // 16. No descriptor of the shim reaches the command (the sync socket is CLOEXEC too).
  ::syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
  // 17. Exec; the sync socket closes and the shim knows the command runs.
  exec_command(ctx);
}

}  // namespace burrow::userns
