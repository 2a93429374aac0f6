#include "userns/net/forwarder.h"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "base/error.h"
#include "base/logger.h"
#include "base/sys.h"
#include "userns/net/tcp_relay.h"
#include "userns/net/udp_relay.h"

namespace burrow::userns::net {

// Accepts TCP clients of one route and opens their relays.
class Forwarder::Listener : public EventHandler {
 public:
  Listener(Forwarder& f, Route route) : f_(f), route_(std::move(route)) {
    f_.watch(route_.listener.get(), EPOLLIN, this);
  }
  ~Listener() override { f_.unwatch(route_.listener.get()); }

  void handle(uint32_t) override {
    for (;;) {
      int fd = ::accept4(route_.listener.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
          // The client waits in the backlog; the listener stays readable, so it is left out of
          // the epoll set until a connection ends or a second has passed (no busy loop).
          f_.log_warn(route_.name + ": accept: " + std::strerror(errno) + "; pausing this port");
          f_.modify(route_.listener.get(), 0, this);
          f_.pause(this);
        }
        return;
      }
      f_.on_accepted();
      auto c = TcpConnection::open(f_, Fd(fd), route_.factory, route_.target, route_.name);
      if (c) f_.adopt(std::move(c));
    }
  }
  void resume() { f_.modify(route_.listener.get(), EPOLLIN, this); }

 private:
  Forwarder& f_;
  Route route_;
};

Forwarder::Forwarder(ForwarderOptions options)
    : options_(std::move(options)), pipes_(options_.pipe_size, options_.idle_pipes) {
  epoll_.reset(sys::check(::epoll_create1(EPOLL_CLOEXEC), "epoll_create1"));
  wake_.reset(sys::check(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd"));
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.ptr = nullptr;  // the wake-up eventfd
  sys::check(::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wake_.get(), &ev), "epoll_ctl", "eventfd");
}

Forwarder::~Forwarder() {
  connections_.clear();
  udp_routes_.clear();
  listeners_.clear();
}

void Forwarder::add_route(Route route) {
  if (route.proto == Proto::Udp)
    udp_routes_.push_back(std::make_unique<UdpRoute>(*this, std::move(route)));
  else
    listeners_.push_back(std::make_unique<Listener>(*this, std::move(route)));
}

void Forwarder::watch(int fd, uint32_t events, EventHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  sys::check(::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev), "epoll_ctl add");
}

void Forwarder::unwatch(int fd) { ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr); }

void Forwarder::modify(int fd, uint32_t events, EventHandler* handler) {
  epoll_event ev{};
  ev.events = events;
  ev.data.ptr = handler;
  ::epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, fd, &ev);  // only fails for an fd not in the set
}

void Forwarder::pause(Listener* listener) { paused_.push_back(listener); }

void Forwarder::resume_listeners() {
  for (Listener* l : paused_) l->resume();
  paused_.clear();
}

void Forwarder::retire(TcpConnection* connection) { retired_.push_back(connection); }

void Forwarder::adopt(std::unique_ptr<TcpConnection> connection) {
  TcpConnection* key = connection.get();
  connections_.emplace(key, std::move(connection));
}

void Forwarder::log_debug(const std::string& message) {
  if (options_.logger) options_.logger->debug(options_.log_component, message);
}

void Forwarder::log_warn(const std::string& message) {
  if (options_.logger) options_.logger->warn(options_.log_component, message);
}

void Forwarder::stop() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(wake_.get(), &one, sizeof one);
}

int Forwarder::run(const std::vector<int>& stop_fds) {
  // Stop descriptors get a distinct marker: their index + 1 encoded as a tagged pointer.
  for (size_t i = 0; i < stop_fds.size(); ++i) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = (static_cast<uint64_t>(i) << 1) | 1;  // odd: never a handler address
    sys::check(::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, stop_fds[i], &ev), "epoll_ctl add", "stop fd");
  }
  auto remove_stop_fds = [&] {
    for (int fd : stop_fds) unwatch(fd);
  };
  epoll_event events[128];
  auto next_expiry = std::chrono::steady_clock::now() + std::chrono::seconds(1);
  for (;;) {
    int n = ::epoll_wait(epoll_.get(), events, 128, 1000);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      remove_stop_fds();
      throw sys::error_from_errno(err, "epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
      uint64_t tag = events[i].data.u64;
      if (tag & 1) {
        remove_stop_fds();
        return stop_fds[tag >> 1];
      }
      if (events[i].data.ptr == nullptr) {
        uint64_t v;
        [[maybe_unused]] ssize_t r = ::read(wake_.get(), &v, sizeof v);
        remove_stop_fds();
        return -1;
      }
      // A connection retired earlier in this batch still has its memory: it ignores events.
      static_cast<EventHandler*>(events[i].data.ptr)->handle(events[i].events);
    }
    bool freed = !retired_.empty();
    for (TcpConnection* c : retired_) connections_.erase(c);
    retired_.clear();
    auto now = std::chrono::steady_clock::now();
    bool tick = now >= next_expiry;
    if (tick) {
      for (auto& r : udp_routes_) r->expire(now);
      pipes_.trim();
      next_expiry = now + std::chrono::seconds(1);
    }
    if (freed || tick) resume_listeners();
  }
}

}  // namespace burrow::userns::net
