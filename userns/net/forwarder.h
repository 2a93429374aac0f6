#pragma once
// Forwarder: the port forwarder's event loop (one thread, epoll). A route joins a socket that
// listens in one network namespace (a published port in the host namespace, or a link address
// inside a container) to a target address reached through sockets made by the route's
// SocketFactory (in the container's namespace). TCP connections are relayed both ways with
// splice(2) through pipes, half-closes passed on; UDP datagrams are relayed per client address
// through a connected socket, as Docker's userland proxy did, and forgotten after idling.
// The container sees every connection come from the forwarder's own socket in its namespace
// (127.0.0.1 for published ports), not from the original client. Not thread-safe: one thread
// calls add_route() and run(); stop() may be called from any thread.

#include <netinet/in.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <map>
#include <string>
#include <vector>

#include "base/fd.h"
#include "userns/net/pipe_pool.h"
#include "userns/net/port_spec.h"

namespace burrow {
class Logger;
}

namespace burrow::userns::net {

// Makes a socket (SOCK_STREAM or SOCK_DGRAM, already non-blocking and CLOEXEC) in the target's
// network namespace. Throws burrow::Error.
using SocketFactory = std::function<Fd(int type)>;

struct Route {
  Fd listener;          // listening TCP / bound UDP socket; owned by the forwarder from now on
  Proto proto = Proto::Tcp;
  sockaddr_in target{};  // where connections go, in the target namespace
  SocketFactory factory;
  std::string name;      // for log lines: "0.0.0.0:8080->80/tcp"
};

struct ForwarderOptions {
  Logger* logger = nullptr;                 // optional; must outlive the forwarder
  std::string log_component = "burrow-net";
  int pipe_size = 1 << 20;                  // capacity of the relays' pipes (best effort)
  size_t idle_pipes = 4;                    // empty pipes kept for reuse
  int udp_idle_timeout_ms = 90000;          // Docker's UDP conntrack timeout
};

// Something registered in the epoll set; `handle` gets the ready events.
class EventHandler {
 public:
  virtual ~EventHandler() = default;
  virtual void handle(uint32_t events) = 0;
};

class TcpConnection;
class UdpRoute;

class Forwarder {
 public:
  explicit Forwarder(ForwarderOptions options = {});
  ~Forwarder();
  Forwarder(const Forwarder&) = delete;
  Forwarder& operator=(const Forwarder&) = delete;

  void add_route(Route route);

  // Serves until stop() is called or one of `stop_fds` (pidfd, signalfd, ...) becomes readable;
  // returns the fd that ended it (-1 for stop()). Throws Error(Io) only when epoll itself fails.
  int run(const std::vector<int>& stop_fds = {});
  void stop();

  // Counters, for tests and logs.
  size_t open_connections() const { return connections_.size(); }
  uint64_t accepted() const { return accepted_; }

  // Internal interface for the relays.
  void watch(int fd, uint32_t events, EventHandler* handler);
  void unwatch(int fd);
  void modify(int fd, uint32_t events, EventHandler* handler);
  void retire(TcpConnection* connection);  // destroyed after the current batch of events
  void log_debug(const std::string& message);
  void log_warn(const std::string& message);
  const ForwarderOptions& options() const { return options_; }
  PipePool& pipes() { return pipes_; }
  void on_accepted() { ++accepted_; }
  void adopt(std::unique_ptr<TcpConnection> connection);

 private:
  class Listener;
  // A listener that could not accept (out of descriptors) leaves the epoll set until a
  // connection retires or the once-a-second tick.
  void pause(Listener* listener);
  void resume_listeners();

  ForwarderOptions options_;
  PipePool pipes_;
  Fd epoll_;
  Fd wake_;  // eventfd for stop()
  std::vector<std::unique_ptr<EventHandler>> listeners_;
  std::vector<std::unique_ptr<UdpRoute>> udp_routes_;
  std::map<TcpConnection*, std::unique_ptr<TcpConnection>> connections_;
  std::vector<TcpConnection*> retired_;
  std::vector<Listener*> paused_;
  uint64_t accepted_ = 0;
};

}  // namespace burrow::userns::net
