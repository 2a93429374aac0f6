#pragma once
// HostPortBinder: binds the host side of published ports (listening TCP sockets, bound UDP
// sockets) in the calling thread's network namespace, burrowd's host namespace. A request with
// host port 0 gets a free port from Docker 0.8's range 49153-65535, handed out in turn as
// Docker's port allocator did. The sockets are what burrow-net later serves; the kernel's bind
// is the only record of which ports are taken, so two burrowds never hand out the same port.
// Thread-safe.

#include <mutex>
#include <string>
#include <vector>

#include "base/fd.h"
#include "userns/net/port_spec.h"

namespace burrow::userns::net {

// A published port as inspect and ps show it.
struct PublishedPort {
  std::string host_ip;  // "0.0.0.0" or the address given
  int host_port = 0;
  PortKey container;
  auto operator<=>(const PublishedPort&) const = default;
};

struct BoundPort {
  PublishedPort port;
  Fd socket;  // listening TCP or bound UDP socket, non-blocking, CLOEXEC
};

inline constexpr int kFirstRandomPort = 49153;
inline constexpr int kLastRandomPort = 65535;

class HostPortBinder {
 public:
  HostPortBinder() = default;

  // Binds every request, all or nothing: on failure the sockets bound so far are closed and
  // Error(Conflict) says which port is taken ("Bind for 127.0.0.1:8080 failed: port is already
  // allocated"); Error(Unavailable) for a privileged port or an address not on this host.
  std::vector<BoundPort> bind(const std::vector<PortRequest>& requests);

  // One socket for `ip:port` (port 0: the next free one in the random range).
  BoundPort bind_one(const PortRequest& request);

 private:
  std::mutex mutex_;  // guards next_random_
  int next_random_ = kFirstRandomPort;
};

// A listening TCP (backlog 1024) or bound UDP socket on ip:port, non-blocking and CLOEXEC, with
// SO_REUSEADDR for TCP. Throws the bind error (Conflict for EADDRINUSE).
Fd bind_socket(const std::string& ip, int port, Proto proto);

}  // namespace burrow::userns::net
