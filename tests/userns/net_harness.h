#pragma once
// Helpers of the forwarder tests: loopback sockets, and a Forwarder with one route from a fresh
// loopback port to a target port, run on its own thread. No namespaces: the "inside" is this
// process's own loopback.

#include <arpa/inet.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "base/sys.h"
#include "userns/net/forwarder.h"
#include "userns/net/host_ports.h"

namespace burrow::userns::net::testing {

inline int port_of(int fd) {
  sockaddr_in a{};
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return ntohs(a.sin_port);
}

inline sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

inline Fd plain_socket(int type) {
  return Fd(sys::check(::socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket"));
}

inline Fd blocking_connect(int port, int type = SOCK_STREAM) {
  Fd s(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
  sockaddr_in a = loopback(port);
  sys::check(::connect(s.get(), reinterpret_cast<sockaddr*>(&a), sizeof a), "connect");
  return s;
}

inline void set_blocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) & ~O_NONBLOCK); }

struct Harness {
  Forwarder forwarder;
  std::thread thread;
  int port = 0;
  std::atomic<pid_t> tid{0};  // the forwarder thread's id, for /proc/self/task/TID
  Harness(Proto proto, int target_port, ForwarderOptions o = {}) : forwarder(o) {
    Route r;
    r.listener = bind_socket("127.0.0.1", 0, proto);
    port = port_of(r.listener.get());
    r.proto = proto;
    r.target = loopback(target_port);
    r.factory = plain_socket;
    r.name = "test";
    forwarder.add_route(std::move(r));
    thread = std::thread([this] {
      tid = ::gettid();
      forwarder.run();
    });
  }
  // Ends the forwarder's thread; its counters may be read afterwards.
  void stop() {
    if (!thread.joinable()) return;
    forwarder.stop();
    thread.join();
  }
  ~Harness() { stop(); }
};

}  // namespace burrow::userns::net::testing
