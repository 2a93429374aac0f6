#pragma once
// SlirpProcess: slirp4netns giving one container's network namespace outbound connectivity
// (tap0 10.0.2.100/24, gateway 10.0.2.2, DNS 10.0.2.3), started from the host network
// namespace inside the engine user namespace, which owns the container's namespace. The owner
// holds slirp4netns's --exit-fd: destroying the object (or the owner process dying) ends it.
// Not thread-safe per object.

#include <sys/types.h>

#include <optional>
#include <string>

#include "base/child_process.h"
#include "base/fd.h"

namespace burrow::userns::net {

struct SlirpOptions {
  std::string program = "slirp4netns";  // a path, or a name looked up on PATH
  pid_t pid = 0;                        // a process in the target network namespace
  std::string tap = "tap0";
  int mtu = 65520;
  // false adds --disable-host-loopback: 10.0.2.2 then cannot reach the host's 127.0.0.1.
  bool allow_host_loopback = false;
  std::string api_socket;               // --api-socket (empty: none)
  int ready_timeout_ms = 10000;
};

// Addresses slirp4netns configures by default (--cidr 10.0.2.0/24).
inline constexpr const char* kSlirpAddress = "10.0.2.100";
inline constexpr int kSlirpPrefixLen = 24;
inline constexpr const char* kSlirpGateway = "10.0.2.2";
inline constexpr const char* kSlirpDns = "10.0.2.3";

// The program's path when it exists (a path as given, or found on PATH), else nullopt.
std::optional<std::string> find_program(const std::string& name);

class SlirpProcess {
 public:
  // Starts slirp4netns and returns once tap0 is configured. Throws Error: NotFound when the
  // program is missing, Unavailable with slirp4netns's complaint when it exits early or is not
  // ready within the timeout (the process is killed then).
  static SlirpProcess start(const SlirpOptions& options);

  SlirpProcess() = default;
  SlirpProcess(SlirpProcess&&) = default;
  SlirpProcess& operator=(SlirpProcess&&) = default;
  // Closes the exit fd and reaps slirp4netns (SIGKILL after 2 s).
  ~SlirpProcess();

  pid_t pid() const { return child_.pid(); }
  bool running() const { return child_.pid() > 0; }

 private:
  ChildProcess child_;
  Fd exit_fd_;  // write end of slirp4netns's --exit-fd pipe
};

}  // namespace burrow::userns::net
