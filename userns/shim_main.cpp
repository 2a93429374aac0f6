// burrow-shim: one per running container. Started by ContainerRuntime::start (burrowd) as
//   burrow-shim --bundle <dir> --sync-fd <n> [--gate-fd <m>]
// it detaches (forks once more, so it is never burrowd's child; burrowd made it a session
// leader), reads <bundle>/shim.conf, validates the plan again (trust boundary), opens the log
// and the attach socket, launches the container and reports over the sync fd one line:
//   "ok <shim_pid> <container_pid> <started_at>\n"  or  "error <errno> <kind> <message>\n",
// preceded with --gate-fd by "created <shim_pid> <container_pid>\n" once the container is set
// up and waits for a byte on the gate fd before its command runs.
// Then it relays output to the log and attached clients until the container exits, and
// writes <bundle>/exit.json atomically: {"exit_code":N,"finished_at":"..."}.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <initializer_list>
#include <string>
#include <vector>

#include "base/child_process.h"
#include "base/error.h"
#include "base/logger.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "userns/capabilities.h"
#include "userns/container_launch.h"
#include "userns/log_line.h"
#include "userns/log_writer.h"
#include "userns/sandbox_plan.h"
#include "userns/shim_config.h"
#include "userns/shim_relay.h"

using namespace burrow;
using namespace burrow::userns;

namespace {

void report(int fd, const std::string& line) {
  if (fd < 0) return;
  try {
    sys::write_all(fd, line);
  } catch (const Error&) {
    // burrowd gave up waiting; the container runs anyway and its exit is recorded.
  }
}

std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}

// A listening unix socket at <bundle>/attach.sock, bound through /proc/self/fd/N so that a long
// bundle path does not hit sun_path's 108-byte limit.
Fd listen_attach_socket(const std::string& bundle) {
  Fd dir = sys::open(bundle, O_PATH | O_DIRECTORY);
  ::unlinkat(dir.get(), "attach.sock", 0);
  Fd sock(sys::check(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket", "attach.sock"));
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::string path = "/proc/self/fd/" + std::to_string(dir.get()) + "/attach.sock";
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  sys::check(::bind(sock.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr), "bind", bundle + "/attach.sock");
  ::fchmodat(dir.get(), "attach.sock", 0600, 0);
  sys::check(::listen(sock.get(), 64), "listen", bundle + "/attach.sock");
  return sock;
}

// Closes every descriptor from 3 up except those in `keep` (-1 entries ignored).
void close_fds_except(std::initializer_list<int> keep) {
  unsigned next = 3;
  std::vector<int> sorted(keep);
  std::sort(sorted.begin(), sorted.end());
  for (int fd : sorted) {
    if (fd < static_cast<int>(next)) continue;
    if (static_cast<unsigned>(fd) > next) ::syscall(SYS_close_range, next, static_cast<unsigned>(fd - 1), 0U);
    next = static_cast<unsigned>(fd) + 1;
  }
  ::syscall(SYS_close_range, next, ~0U, 0U);
}

int run_shim(const std::string& bundle, int sync_fd, int gate_fd, Logger& logger) {
  ContainerSpec spec;
  SandboxPlan plan;
  Fd listener;
  LaunchedContainer launched;
  std::string started_at;
  Fd log_fd;
  try {
    spec = parse_spec(sys::read_file(bundle + "/shim.conf"));
    plan = SandboxPlan::from_spec(spec, SandboxHost::current());
    plan.validate();
    CapabilityPlan caps = spec.privileged ? CapabilityPlan::all() : CapabilityPlan::docker08_default();
    log_fd = sys::open(spec.log_path, O_WRONLY | O_APPEND | O_CREAT, 0600);
    listener = listen_attach_socket(bundle);
    launched = launch_container(plan, caps, spec.open_stdin, gate_fd, [&](pid_t pid) {
      report(sync_fd, "created " + std::to_string(::getpid()) + " " + std::to_string(pid) + "\n");
    });
    if (gate_fd >= 0) ::close(gate_fd);
    started_at = now_rfc3339_nano();
  } catch (const Error& e) {
    report(sync_fd, "error " + std::to_string(e.sys_errno()) + " " + std::to_string(static_cast<int>(e.kind())) + " " +
                        one_line(e.what()) + "\n");
    ::unlink((bundle + "/attach.sock").c_str());
    return 1;
  }
  std::string prefix = "shim " + short_id(spec.id);
  pid_t container_pid = launched.pid;
  report(sync_fd, "ok " + std::to_string(::getpid()) + " " + std::to_string(container_pid) + " " + started_at + "\n");
  if (sync_fd >= 0) ::close(sync_fd);

  LogWriter log(std::move(log_fd));
  int status = 0;
  {
    ShimRelay relay(std::move(launched), log, std::move(listener),
                    RelayOptions{spec.tty, spec.open_stdin, spec.stdin_once}, logger);
    try {
      status = relay.run();
    } catch (const Error& e) {
      logger.error(prefix, e.what());
      ::kill(container_pid, SIGKILL);
      status = 0;
      ::waitpid(container_pid, &status, 0);
    }
    ::unlink((bundle + "/attach.sock").c_str());
    relay.finish(2000);
  }
  if (log.failed_writes() > 0) logger.warn(prefix, std::to_string(log.failed_writes()) + " log lines could not be written");
  int code = exit_code_of(status);
  std::string record = "{\"exit_code\":" + std::to_string(code) + ",\"finished_at\":\"" + now_rfc3339_nano() + "\"}\n";
  try {
    sys::write_file_atomic(bundle + "/exit.json", record, 0600);
  } catch (const Error& e) {
    logger.error(prefix, std::string("writing exit.json: ") + e.what());
    return 1;
  }
  logger.info(prefix, "container exited with " + std::to_string(code));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string bundle;
  int sync_fd = -1, gate_fd = -1;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--bundle" && i + 1 < argc) bundle = argv[++i];
    else if (a == "--sync-fd" && i + 1 < argc) sync_fd = std::atoi(argv[++i]);
    else if (a == "--gate-fd" && i + 1 < argc) gate_fd = std::atoi(argv[++i]);
    else {
      std::fprintf(stderr, "usage: burrow-shim --bundle DIR [--sync-fd N] [--gate-fd M]\n");
      return 2;
    }
  }
  if (bundle.empty() || bundle[0] != '/') {
    std::fprintf(stderr, "usage: burrow-shim --bundle /ABSOLUTE/DIR [--sync-fd N] [--gate-fd M]\n");
    return 2;
  }
  // Descriptors burrowd leaked without CLOEXEC (a listening socket, say) must not live on in
  // the shim: keep only stdio, the sync fd and the gate fd.
  close_fds_except({sync_fd, gate_fd});
  if (sync_fd >= 0) ::fcntl(sync_fd, F_SETFD, FD_CLOEXEC);
  // The gate is read by the container's init before its exec; nothing else may inherit it.
  if (gate_fd >= 0) ::fcntl(gate_fd, F_SETFD, FD_CLOEXEC);
  // Detach: the process burrowd started exits at once; the shim lives on in the grandchild,
  // re-parented to init (or a subreaper), so burrowd never has to reap it.
  pid_t pid = ::fork();
  if (pid < 0) {
    report(sync_fd, "error " + std::to_string(errno) + " 6 fork burrow-shim: " + std::strerror(errno) + "\n");
    return 1;
  }
  if (pid > 0) ::_exit(0);
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  // Do not pin burrowd's working directory (and its mount) for the container's lifetime.
  if (::chdir("/") < 0) return 1;
  Logger logger(2, false);
  return run_shim(bundle, sync_fd, gate_fd, logger);
}
