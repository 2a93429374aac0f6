#include "base/child_process.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "base/fd.h"
#include "base/sys.h"

extern char** environ;

namespace burrow {

namespace {

// Moves fd to `target` in the child (async-signal-safe), clearing CLOEXEC.
void child_place_fd(int fd, int target) {
  if (fd == target) {
    int flags = ::fcntl(fd, F_GETFD);
    if (flags >= 0) ::fcntl(fd, F_SETFD, flags & ~FD_CLOEXEC);
  } else {
    ::dup2(fd, target);
  }
}

}  // namespace

ChildProcess ChildProcess::spawn(const SpawnOptions& o) {
  if (o.argv.empty()) throw Error::bad_parameter("spawn: empty argv");
  // Everything the child needs is built before fork: no allocation after it.
  std::vector<char*> argv;
  for (const auto& a : o.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  if (o.env) {
    for (const auto& e : *o.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }
  int pipefd[2];
  sys::check(::pipe2(pipefd, O_CLOEXEC), "pipe2");
  Fd err_read(pipefd[0]), err_write(pipefd[1]);
  Fd devnull = sys::open("/dev/null", O_RDWR);

  pid_t pid = ::fork();
  if (pid < 0) throw sys::error_from_errno(errno, "fork", o.argv[0]);
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    if (o.new_session) ::setsid();
    // Descriptors this process inherited without O_CLOEXEC (or opened in another thread between
    // socket() and fcntl()) must not leak into the program: mark them all close-on-exec; the
    // ones placed below (stdio, keep_fds) get the flag cleared again.
    ::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    // Duplicate sources above 2 first so that placing one never clobbers another.
    int in = ::fcntl(o.stdin_fd >= 0 ? o.stdin_fd : devnull.get(), F_DUPFD_CLOEXEC, 3);
    int out = o.stdout_fd >= 0 ? ::fcntl(o.stdout_fd, F_DUPFD_CLOEXEC, 3) : -1;
    int err = o.stderr_fd >= 0 ? ::fcntl(o.stderr_fd, F_DUPFD_CLOEXEC, 3) : -1;
    child_place_fd(in, 0);
    if (out >= 0) child_place_fd(out, 1);
    if (err >= 0) child_place_fd(err, 2);
    for (int fd : o.keep_fds) child_place_fd(fd, fd);
    if (o.env)
      ::execvpe(argv[0], argv.data(), envp.data());
    else
      ::execvp(argv[0], argv.data());
    int e = errno;
    [[maybe_unused]] ssize_t n = ::write(err_write.get(), &e, sizeof e);
    ::_exit(127);
  }
  err_write.reset();
  ChildProcess child(pid);
  int child_errno = 0;
  ssize_t n = sys::retry_eintr([&] { return ::read(err_read.get(), &child_errno, sizeof child_errno); });
  if (n == static_cast<ssize_t>(sizeof child_errno)) {
    child.wait();
    throw sys::error_from_errno(child_errno, "exec", o.argv[0]);
  }
  return child;
}

ChildProcess::~ChildProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status;
    ::waitpid(pid_, &status, 0);
  }
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept : pid_(other.release()) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    this->~ChildProcess();
    pid_ = other.release();
  }
  return *this;
}

int ChildProcess::wait() {
  int status = 0;
  sys::check(sys::retry_eintr([&] { return ::waitpid(pid_, &status, 0); }), "waitpid");
  pid_ = -1;
  return status;
}

std::optional<int> ChildProcess::try_wait() {
  int status = 0;
  pid_t r = sys::check(::waitpid(pid_, &status, WNOHANG), "waitpid");
  if (r == 0) return std::nullopt;
  pid_ = -1;
  return status;
}

void ChildProcess::kill(int sig) {
  if (pid_ > 0) ::kill(pid_, sig);
}

pid_t ChildProcess::release() { return std::exchange(pid_, -1); }

std::string describe_wait_status(int status) {
  if (WIFEXITED(status)) return "exit " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return std::string("killed by signal ") + std::to_string(WTERMSIG(status));
  return "status " + std::to_string(status);
}

int exit_code_of(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

std::string run_capture(const std::vector<std::string>& argv) {
  int out[2], err[2];
  sys::check(::pipe2(out, O_CLOEXEC), "pipe2");
  Fd out_r(out[0]), out_w(out[1]);
  sys::check(::pipe2(err, O_CLOEXEC), "pipe2");
  Fd err_r(err[0]), err_w(err[1]);
  SpawnOptions o;
  o.argv = argv;
  o.stdout_fd = out_w.get();
  o.stderr_fd = err_w.get();
  ChildProcess child = ChildProcess::spawn(o);
  out_w.reset();
  err_w.reset();
  // stderr of the tools we run is small; read stdout first, then stderr.
  std::string output = sys::read_fd(out_r.get());
  std::string errors = sys::read_fd(err_r.get());
  int status = child.wait();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    while (!errors.empty() && errors.back() == '\n') errors.pop_back();
    throw Error::io(argv[0] + " failed (" + describe_wait_status(status) + ")" + (errors.empty() ? "" : ": " + errors));
  }
  return output;
}

}  // namespace burrow
