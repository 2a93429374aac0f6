#include "fuse-overlay/overlay_mount.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

#include "base/child_process.h"
#include "base/error.h"
#include "base/sys.h"

namespace burrow::fuse_overlay {

namespace {

Fd open_pidfd(pid_t pid) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  return Fd(fd);  // invalid when the process is already gone
}

// Reads the readiness line; empty when the program closed the pipe without a word.
std::string read_ready_line(int fd, int timeout_ms) {
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) throw Error::io("burrow-overlay did not report a mount within " + std::to_string(timeout_ms / 1000) + " s");
    struct pollfd p{fd, POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left));
    if (r < 0 && errno == EINTR) continue;
    sys::check(r, "poll");
    if (r == 0) continue;
    char buf[512];
    ssize_t n = sys::retry_eintr([&] { return ::read(fd, buf, sizeof buf); });
    sys::check(n, "read", "burrow-overlay ready pipe");
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

std::string escape_overlay_path(const std::string& path) {
  std::string out;
  for (char c : path) {
    if (c == ':' || c == ',' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::unique_ptr<OverlayMount> OverlayMount::mount(const OverlayMountOptions& o) {
  if (o.lowerdirs.empty()) throw Error::bad_parameter("overlay mount of `" + o.mountpoint + "`: no lower layers");
  std::string opts = "lowerdir=";
  for (size_t i = 0; i < o.lowerdirs.size(); ++i) {
    if (i) opts += ':';
    opts += escape_overlay_path(o.lowerdirs[i]);
  }
  if (!o.upperdir.empty()) opts += ",upperdir=" + escape_overlay_path(o.upperdir) + ",workdir=" + escape_overlay_path(o.workdir);
  for (const auto& extra : o.extra_options) opts += "," + extra;

  int pipefd[2];
  sys::check(::pipe2(pipefd, O_CLOEXEC), "pipe2");
  Fd ready_r(pipefd[0]), ready_w(pipefd[1]);
  Fd log = o.log_path.empty() ? sys::open("/dev/null", O_WRONLY)
                              : sys::open(o.log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
  SpawnOptions spawn;
  spawn.argv = {o.program, "-f", "--ready-fd=" + std::to_string(ready_w.get()), "-o", opts, o.mountpoint};
  spawn.keep_fds = {ready_w.get()};
  spawn.stdout_fd = log.get();
  spawn.stderr_fd = log.get();
  spawn.new_session = true;
  ChildProcess child;
  try {
    child = ChildProcess::spawn(spawn);
  } catch (const Error& e) {
    throw e.wrap("starting " + o.program);
  }
  ready_w.reset();
  std::string line = read_ready_line(ready_r.get(), 30000);
  if (line != "ok") {
    if (line.empty()) {
      int status = child.wait();
      line = "exited (" + describe_wait_status(status) + ") before mounting";
    }
    std::string message = "burrow-overlay " + o.mountpoint + ": " + line;
    if (line.find("/dev/fuse") != std::string::npos) throw Error::unavailable(message);
    if (line.find("does not exist") != std::string::npos || line.find("must be") != std::string::npos)
      throw Error::bad_parameter(message);
    throw Error::io(message);
  }
  pid_t pid = child.pid();
  Fd pidfd = open_pidfd(pid);
  child.release();
  return std::unique_ptr<OverlayMount>(new OverlayMount(pid, std::move(pidfd), o.mountpoint, true));
}

std::unique_ptr<OverlayMount> OverlayMount::adopt(pid_t pid, const std::string& mountpoint) {
  return std::unique_ptr<OverlayMount>(new OverlayMount(pid, open_pidfd(pid), mountpoint, false));
}

bool OverlayMount::alive() const {
  if (!pidfd_) return ::kill(pid_, 0) == 0;
  struct pollfd p{pidfd_.get(), POLLIN, 0};
  return ::poll(&p, 1, 0) == 0;
}

std::optional<std::string> OverlayMount::failure() const {
  if (alive()) return std::nullopt;
  std::string how = "exited";
  if (child_ && pidfd_) {
    siginfo_t info{};
    if (::waitid(P_PIDFD, static_cast<id_t>(pidfd_.get()), &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid != 0) {
      if (info.si_code == CLD_EXITED)
        how = "exited with status " + std::to_string(info.si_status);
      else
        how = "killed by signal " + std::to_string(info.si_status);
    }
  }
  return "burrow-overlay (pid " + std::to_string(pid_) + ") " + how + "; the filesystem of `" + mountpoint_ +
         "` is gone";
}

bool OverlayMount::wait_exit(int timeout_ms) {
  bool exited;
  if (pidfd_) {
    struct pollfd p{pidfd_.get(), POLLIN, 0};
    int r = sys::retry_eintr([&] { return ::poll(&p, 1, timeout_ms); });
    exited = r > 0;
  } else {
    exited = true;
    for (int waited = 0; ::kill(pid_, 0) == 0; waited += 20) {
      if (waited >= timeout_ms) {
        exited = false;
        break;
      }
      ::usleep(20000);
    }
  }
  if (exited && child_) {
    int status;
    ::waitpid(pid_, &status, 0);
    child_ = false;
  }
  return exited;
}

void OverlayMount::unmount(int timeout_ms) {
  if (::umount2(mountpoint_.c_str(), MNT_DETACH) != 0) {
    int err = errno;
    if (err == EPERM) {
      try {
        run_capture({"fusermount3", "-u", "-z", mountpoint_});
      } catch (const Error& e) {
        if (alive()) throw e.wrap("unmounting " + mountpoint_);
      }
    } else if (err != EINVAL && err != ENOENT) {
      throw sys::error_from_errno(err, "umount", mountpoint_);
    }
  }
  if (wait_exit(timeout_ms)) return;
  ::kill(pid_, SIGTERM);
  if (wait_exit(1000)) return;
  ::kill(pid_, SIGKILL);
  wait_exit(5000);
}

}  // namespace burrow::fuse_overlay
