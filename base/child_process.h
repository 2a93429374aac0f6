#pragma once
// ChildProcess: a spawned program (fork + exec) and the duty to reap it. Unless release()d, the
// destructor SIGKILLs and reaps the child, like crun's cleanup_pid, so an early return never
// leaves a stray process. Not thread-safe per object.

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace burrow {

struct SpawnOptions {
  std::vector<std::string> argv;             // argv[0] is looked up on PATH when it has no '/'
  std::optional<std::vector<std::string>> env;  // nullopt: inherit this process's environment
  int stdin_fd = -1;   // -1: /dev/null
  int stdout_fd = -1;  // -1: inherit
  int stderr_fd = -1;  // -1: inherit
  std::vector<int> keep_fds;  // further descriptors passed through at the same number
  bool new_session = false;   // setsid() in the child
};

class ChildProcess {
 public:
  // Starts the program. Throws burrow::Error (Io) when fork fails, NotFound when exec fails
  // with ENOENT, Io otherwise; the child's exec errno comes back over a CLOEXEC pipe.
  static ChildProcess spawn(const SpawnOptions& options);

  ChildProcess() = default;
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  ~ChildProcess();
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  // Waits for exit; returns the wait status (as waitpid fills it). The object is then empty.
  int wait();
  // Non-blocking: the wait status if the child has exited.
  std::optional<int> try_wait();
  void kill(int sig);
  // Gives up the duty to reap; returns the pid.
  pid_t release();

 private:
  pid_t pid_ = -1;
};

// "exit 3" / "killed by signal 9" for a wait status.
std::string describe_wait_status(int status);
// Exit code as a shell reports it: the exit status, or 128+N for death by signal N.
int exit_code_of(int status);

// Runs a program to completion and returns its stdout. Throws Error(Io) naming argv[0] and its
// stderr when it exits non-zero.
std::string run_capture(const std::vector<std::string>& argv);

}  // namespace burrow
