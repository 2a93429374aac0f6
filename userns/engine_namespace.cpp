#include "userns/engine_namespace.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <climits>
#include <cstring>

#include "base/child_process.h"
#include "base/error.h"
#include "base/fd.h"
#include "base/logger.h"
#include "base/sys.h"
#include "userns/preflight.h"
#include "userns/subid_source.h"

namespace burrow::userns {

namespace {

constexpr const char* kRecordName = "engine-ns.pid";

std::string record_path(const std::string& root) { return root + "/" + kRecordName; }

int count_threads() {
  auto status = sys::read_file("/proc/self/status");
  auto pos = status.find("\nThreads:");
  if (pos == std::string::npos) return 1;
  return std::atoi(status.c_str() + pos + 9);
}

// The holder's side of the handshake, in the forked child: async-signal-safe calls only.
// Reports are one int each on `report` (0 = step done, else errno); waits for one byte on `go`.
constexpr uint32_t kWatchMask =
    IN_DELETE_SELF | IN_MOVE_SELF | IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE;

// True when the record file names `pid` (syscalls and a stack buffer only).
bool recorded_as(const char* record, pid_t pid) {
  int fd = ::open(record, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[64];
  ssize_t n = ::read(fd, buf, sizeof buf - 1);
  ::close(fd);
  if (n <= 0) return false;
  long value = 0;
  for (ssize_t i = 0; i < n && buf[i] >= '0' && buf[i] <= '9'; ++i) value = value * 10 + (buf[i] - '0');
  return value == pid;
}

[[noreturn]] void run_holder(int report, int go, const char* state_root, const char* record) {
  // Keep nothing of burrowd's (its stdio may be a pipe someone reads to EOF, its log, the
  // other ends of our own pipes): close every fd but the two, then stdio to /dev/null.
  unsigned lo = static_cast<unsigned>(report < go ? report : go);
  unsigned hi = static_cast<unsigned>(report < go ? go : report);
  if (lo > 0) ::syscall(SYS_close_range, 0U, lo - 1, 0U);
  if (hi > lo + 1) ::syscall(SYS_close_range, lo + 1, hi - 1, 0U);
  ::syscall(SYS_close_range, hi + 1, ~0U, 0U);
  int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  for (int fd = 0; fd < 3 && null >= 0; ++fd)
    if (fd != report && fd != go && fd != null) ::dup2(null, fd);
  [[maybe_unused]] int rc = ::chdir("/");
  ::prctl(PR_SET_NAME, "burrow-ns-hold", 0, 0, 0);  // what ps shows for it
  for (int sig : {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGPIPE, SIGUSR1, SIGUSR2}) ::signal(sig, SIG_IGN);

  auto send = [&](int v) { [[maybe_unused]] ssize_t n = ::write(report, &v, sizeof v); };
  send(static_cast<int>(::getpid()));  // first: the parent learns who to map
  if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) < 0) {
    send(errno);
    ::_exit(1);
  }
  send(0);
  char byte;
  ssize_t n;
  do {
    n = ::read(go, &byte, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) ::_exit(1);  // the parent gave up
  // Container mounts must not propagate back to the host: make / recursively slave (host
  // mounts still arrive, e.g. a USB stick). Needs the mapping in place (CAP_SYS_ADMIN here).
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_SLAVE, nullptr) < 0) {
    send(errno);
    ::_exit(1);
  }
  // Watch the state directory: the holder lives as long as it is the recorded holder of an
  // existing state directory, so deleting the directory (or recording another holder) does
  // not leave it behind forever. Set up before reporting, so the record cannot be missed.
  int watch = ::inotify_init1(IN_CLOEXEC);
  if (watch < 0 || ::inotify_add_watch(watch, state_root, kWatchMask) < 0) {
    send(errno);
    ::_exit(1);
  }
  send(0);
  ::close(report);
  ::close(go);
  alignas(struct inotify_event) char events[4096];
  for (;;) {
    ssize_t n = ::read(watch, events, sizeof events);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) ::_exit(0);
    for (ssize_t off = 0; off < n;) {
      auto* e = reinterpret_cast<struct inotify_event*>(events + off);
      off += static_cast<ssize_t>(sizeof *e + e->len);
      if (e->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED | IN_UNMOUNT)) ::_exit(0);
      if (e->len > 0 && std::strcmp(e->name, kRecordName) == 0 && !recorded_as(record, ::getpid())) ::_exit(0);
    }
  }
}

int read_int(int fd, const char* what) {
  int v = 0;
  ssize_t n = sys::retry_eintr([&] { return ::read(fd, &v, sizeof v); });
  if (n != static_cast<ssize_t>(sizeof v)) throw Error::io(std::string("engine namespace holder died during ") + what);
  return v;
}

void write_single_id_map(pid_t pid, const IdMap& uid_map, const IdMap& gid_map) {
  std::string base = "/proc/" + std::to_string(pid);
  // setgroups must be denied before an unprivileged process may write the gid map.
  {
    Fd fd = sys::open(base + "/setgroups", O_WRONLY);
    sys::write_all(fd.get(), "deny");
  }
  {
    Fd fd = sys::open(base + "/gid_map", O_WRONLY);
    sys::write_all(fd.get(), gid_map.to_proc());
  }
  {
    Fd fd = sys::open(base + "/uid_map", O_WRONLY);
    sys::write_all(fd.get(), uid_map.to_proc());
  }
}

// Writes the holder's maps: newgidmap then newuidmap (gid first, as crun does) for a
// multi-entry map, falling back to a single-id map with a warning when they fail.
bool write_maps(pid_t pid, const EngineNamespaceOptions& o, IdMap uid_map, IdMap gid_map) {
  if (!uid_map.single_id() || !gid_map.single_id()) {
    try {
      auto gargs = gid_map.to_newidmap_args();
      gargs.insert(gargs.begin(), {o.newgidmap, std::to_string(pid)});
      run_capture(gargs);
      auto uargs = uid_map.to_newidmap_args();
      uargs.insert(uargs.begin(), {o.newuidmap, std::to_string(pid)});
      run_capture(uargs);
      return false;
    } catch (const Error& e) {
      // A half-written map (gid done, uid failed) cannot be rewritten; the caller retries
      // with a fresh holder in single-id mode.
      throw e.wrap("writing the engine namespace id map with newuidmap/newgidmap");
    }
  }
  write_single_id_map(pid, uid_map, gid_map);
  return true;
}

struct HolderStart {
  pid_t pid;
  bool single_id;
};

HolderStart start_holder(const EngineNamespaceOptions& o, const IdMap& uid_map, const IdMap& gid_map) {
  const std::string record = record_path(o.state_root);
  int report_pipe[2], go_pipe[2];
  sys::check(::pipe2(report_pipe, O_CLOEXEC), "pipe2");
  Fd report_r(report_pipe[0]), report_w(report_pipe[1]);
  sys::check(::pipe2(go_pipe, O_CLOEXEC), "pipe2");
  Fd go_r(go_pipe[0]), go_w(go_pipe[1]);

  pid_t mid = ::fork();
  if (mid < 0) throw sys::error_from_errno(errno, "fork", "engine namespace holder");
  if (mid == 0) {
    // Intermediate: a new session, then fork the holder so it is never burrowd's child (it
    // must outlive burrowd and not stay a zombie of it). The holder reports its own pid; only
    // a failed fork is reported from here, so the two never interleave.
    ::setsid();
    pid_t holder = ::fork();
    if (holder == 0) run_holder(report_w.get(), go_r.get(), o.state_root.c_str(), record.c_str());
    if (holder < 0) {
      int v = -errno;
      [[maybe_unused]] ssize_t n = ::write(report_w.get(), &v, sizeof v);
    }
    ::_exit(0);
  }
  ChildProcess intermediate(mid);
  intermediate.wait();
  report_w.reset();
  go_r.reset();
  int holder = read_int(report_r.get(), "start");
  if (holder <= 0) throw sys::error_from_errno(-holder, "fork", "engine namespace holder");
  ChildProcess kill_on_error(holder);  // not our child: kill() works, the reap is a no-op
  int err = read_int(report_r.get(), "unshare");
  if (err != 0) throw Error::unavailable(userns_errno_hint(err));
  bool single = write_maps(holder, o, uid_map, gid_map);
  sys::write_all(go_w.get(), "g", 1);
  err = read_int(report_r.get(), "mount");
  if (err != 0) throw sys::error_from_errno(err, "make / recursively slave in the engine mount namespace, or watch the state directory");
  unsigned long long start = process_start_time(holder);
  sys::write_file_atomic(record_path(o.state_root), std::to_string(holder) + " " + std::to_string(start) + "\n", 0600);
  kill_on_error.release();
  return {holder, single};
}

ino_t ns_inode(const std::string& path) {
  struct stat st;
  sys::check(::stat(path.c_str(), &st), "stat", path);
  return st.st_ino;
}

void join(pid_t holder, const std::string& root) {
  std::string base = "/proc/" + std::to_string(holder) + "/ns/";
  Fd user = sys::open(base + "user", O_RDONLY);
  Fd mnt = sys::open(base + "mnt", O_RDONLY);
  // The fds pin the namespaces; check that the pid was not recycled meanwhile.
  if (engine_namespace_holder(root) != holder) throw Error::io("engine namespace holder " + std::to_string(holder) + " exited while joining it");
  char cwd[PATH_MAX];
  bool have_cwd = ::getcwd(cwd, sizeof cwd) != nullptr;
  if (ns_inode("/proc/self/ns/user") != ns_inode(base + "user")) {
    if (::setns(user.get(), CLONE_NEWUSER) < 0) {
      int e = errno;
      if (e == EINVAL) throw Error::bad_parameter("setns into the engine user namespace: the process is multi-threaded (call enter_engine_namespace first thing in main)");
      throw sys::error_from_errno(e, "setns user", base + "user");
    }
  }
  if (ns_inode("/proc/self/ns/mnt") != ns_inode(base + "mnt"))
    sys::check(::setns(mnt.get(), CLONE_NEWNS), "setns mnt", base + "mnt");
  sys::check(::setresgid(0, 0, 0), "setresgid 0 in the engine namespace");
  sys::check(::setresuid(0, 0, 0), "setresuid 0 in the engine namespace");
  if (!have_cwd || ::chdir(cwd) < 0) sys::check(::chdir("/"), "chdir", "/");
}

}  // namespace

pid_t engine_namespace_holder(const std::string& state_root) {
  auto text = sys::try_read_file(record_path(state_root));
  if (!text) return -1;
  long pid = 0;
  unsigned long long start = 0;
  if (std::sscanf(text->c_str(), "%ld %llu", &pid, &start) != 2 || pid <= 0 || start == 0) return -1;
  if (process_start_time(static_cast<pid_t>(pid)) != start) return -1;
  return static_cast<pid_t>(pid);
}

EngineNamespace enter_engine_namespace(const EngineNamespaceOptions& o) {
  if (o.state_root.empty()) throw Error::bad_parameter("enter_engine_namespace: empty state root");
  if (count_threads() != 1)
    throw Error::bad_parameter("enter_engine_namespace: the process already runs several threads (call it first thing in main)");
  sys::make_dirs(o.state_root, 0700);

  EngineNamespace ns;
  ns.holder_pid = engine_namespace_holder(o.state_root);
  if (ns.holder_pid < 0) {
    IdMap uid_map = o.uid_map, gid_map = o.gid_map;
    if (uid_map.empty() || gid_map.empty()) {
      PreflightReport r = run_preflight();
      uid_map = r.uid_map;
      gid_map = r.gid_map;
    }
    HolderStart h;
    try {
      h = start_holder(o, uid_map, gid_map);
    } catch (const Error& e) {
      if (uid_map.single_id() && gid_map.single_id()) throw;
      if (o.logger) o.logger->warn("userns", std::string(e.what()) + "; falling back to a single-id mapping");
      h = start_holder(o, IdMap({{0, static_cast<uint32_t>(::getuid()), 1}}), IdMap({{0, static_cast<uint32_t>(::getgid()), 1}}));
    }
    ns.holder_pid = h.pid;
    ns.created = true;
    if (o.logger)
      o.logger->info("userns", "started engine namespace holder " + std::to_string(h.pid) +
                                   (h.single_id ? " with a single-id mapping (no subordinate ids)" : ""));
  }
  join(ns.holder_pid, o.state_root);
  ns.uid_map = IdMap::read_current("uid_map");
  ns.gid_map = IdMap::read_current("gid_map");
  ns.single_id = ns.uid_map.single_id();
  auto setgroups = sys::try_read_file("/proc/self/setgroups");
  ns.setgroups_allowed = !setgroups || setgroups->rfind("allow", 0) == 0;
  return ns;
}

bool stop_engine_namespace(const std::string& state_root) {
  pid_t pid = engine_namespace_holder(state_root);
  bool stopped = false;
  if (pid > 0) {
    // pidfd pins the process: the start time check and the kill hit the same one.
    int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
    if (pidfd >= 0) {
      Fd owner(pidfd);
      if (engine_namespace_holder(state_root) == pid)
        stopped = ::syscall(SYS_pidfd_send_signal, pidfd, SIGKILL, nullptr, 0) == 0;
    }
  }
  ::unlink(record_path(state_root).c_str());
  return stopped;
}

}  // namespace burrow::userns
