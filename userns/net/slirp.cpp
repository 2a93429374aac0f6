#include "userns/net/slirp.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "base/error.h"
#include "base/sys.h"

namespace burrow::userns::net {

std::optional<std::string> find_program(const std::string& name) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return name;
    return std::nullopt;
  }
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
  size_t start = 0;
  for (;;) {
    size_t colon = dirs.find(':', start);
    std::string dir = dirs.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    if (!dir.empty()) {
      std::string candidate = dir + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return std::nullopt;
}

SlirpProcess SlirpProcess::start(const SlirpOptions& o) {
  auto program = find_program(o.program);
  if (!program)
    throw Error::not_found(o.program + " not found: install the slirp4netns package for outbound networking");
  int fds[2];
  sys::check(::pipe2(fds, O_CLOEXEC), "pipe2");
  Fd ready_read(fds[0]), ready_write(fds[1]);
  sys::check(::pipe2(fds, O_CLOEXEC), "pipe2");
  Fd exit_read(fds[0]), exit_write(fds[1]);
  // slirp4netns's chatter goes to a memory file: it never blocks it, and a failure can say why.
  Fd err_file(sys::check(::memfd_create("slirp4netns-stderr", MFD_CLOEXEC), "memfd_create"));

  SpawnOptions spawn;
  spawn.argv = {*program, "--configure", "--mtu=" + std::to_string(o.mtu),
                "--ready-fd=" + std::to_string(ready_write.get()), "--exit-fd=" + std::to_string(exit_read.get())};
  if (!o.allow_host_loopback) spawn.argv.push_back("--disable-host-loopback");
  if (!o.api_socket.empty()) spawn.argv.push_back("--api-socket=" + o.api_socket);
  spawn.argv.push_back(std::to_string(o.pid));
  spawn.argv.push_back(o.tap);
  spawn.keep_fds = {ready_write.get(), exit_read.get()};
  spawn.stderr_fd = err_file.get();
  spawn.stdout_fd = err_file.get();
  SlirpProcess p;
  p.child_ = ChildProcess::spawn(spawn);
  ready_write.reset();
  exit_read.reset();
  p.exit_fd_ = std::move(exit_write);

  // Ready: slirp4netns writes "1" to the ready fd; EOF on it means it died first.
  pollfd pfd{ready_read.get(), POLLIN, 0};
  int rc = sys::retry_eintr([&] { return ::poll(&pfd, 1, o.ready_timeout_ms); });
  char c = 0;
  bool ready = rc > 0 && ::read(ready_read.get(), &c, 1) == 1 && c == '1';
  if (!ready) {
    p.child_.kill(SIGKILL);
    p.child_.wait();
    ::lseek(err_file.get(), 0, SEEK_SET);
    std::string why = sys::read_fd(err_file.get());
    while (!why.empty() && why.back() == '\n') why.pop_back();
    if (auto nl = why.rfind('\n'); nl != std::string::npos) why = why.substr(nl + 1);
    throw Error::unavailable("slirp4netns " + std::string(rc == 0 ? "was not ready in time" : "failed") +
                             (why.empty() ? "" : ": " + why));
  }
  return p;
}

SlirpProcess::~SlirpProcess() {
  if (child_.pid() <= 0) return;
  exit_fd_.reset();  // slirp4netns exits when its exit fd closes
  for (int i = 0; i < 200; ++i) {
    if (child_.try_wait()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  child_.kill(SIGKILL);
  child_.wait();
}

}  // namespace burrow::userns::net
