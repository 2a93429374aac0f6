#include "userns/net/udp_relay.h"

#include <sys/epoll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "base/sys.h"

namespace burrow::userns::net {

UdpRoute::UdpRoute(Forwarder& forwarder, Route route)
    : forwarder_(forwarder), route_(std::move(route)), buffer_(65536) {
  forwarder_.watch(route_.listener.get(), EPOLLIN, this);
}

UdpRoute::~UdpRoute() {
  sessions_.clear();
  forwarder_.unwatch(route_.listener.get());
}

UdpRoute::Session* UdpRoute::session_for(const sockaddr_in& client) {
  ClientKey key{client.sin_addr.s_addr, client.sin_port};
  if (auto it = sessions_.find(key); it != sessions_.end()) return it->second.get();
  Fd inside;
  try {
    inside = route_.factory(SOCK_DGRAM);
  } catch (const Error& e) {
    forwarder_.log_warn(route_.name + ": " + e.what());
    return nullptr;
  }
  if (::connect(inside.get(), reinterpret_cast<const sockaddr*>(&route_.target), sizeof route_.target) < 0) {
    forwarder_.log_debug(route_.name + ": connect: " + std::strerror(errno));
    return nullptr;
  }
  auto session = std::make_unique<Session>(*this, client, std::move(inside));
  Session* raw = session.get();
  sessions_.emplace(key, std::move(session));
  return raw;
}

void UdpRoute::handle(uint32_t) {
  for (;;) {
    sockaddr_in client{};
    socklen_t len = sizeof client;
    ssize_t n = ::recvfrom(route_.listener.get(), buffer_.data(), buffer_.size(), 0,
                           reinterpret_cast<sockaddr*>(&client), &len);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // EAGAIN, or an ICMP error queued on the socket: nothing to relay
    }
    Session* s = session_for(client);
    if (!s) continue;
    s->last_active = std::chrono::steady_clock::now();
    ::send(s->fd(), buffer_.data(), static_cast<size_t>(n), MSG_DONTWAIT);  // a lost datagram is UDP
  }
}

void UdpRoute::expire(std::chrono::steady_clock::time_point now) {
  auto timeout = std::chrono::milliseconds(forwarder_.options().udp_idle_timeout_ms);
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    if (now - it->second->last_active >= timeout)
      it = sessions_.erase(it);
    else
      ++it;
  }
}

UdpRoute::Session::Session(UdpRoute& route, sockaddr_in client, Fd inside)
    : last_active(std::chrono::steady_clock::now()), route_(route), client_(client), inside_(std::move(inside)) {
  route_.forwarder_.watch(inside_.get(), EPOLLIN, this);
}

UdpRoute::Session::~Session() { route_.forwarder_.unwatch(inside_.get()); }

void UdpRoute::Session::handle(uint32_t) {
  for (;;) {
    ssize_t n = ::recv(inside_.get(), route_.buffer_.data(), route_.buffer_.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;
    }
    last_active = std::chrono::steady_clock::now();
    ::sendto(route_.route_.listener.get(), route_.buffer_.data(), static_cast<size_t>(n), MSG_DONTWAIT,
             reinterpret_cast<const sockaddr*>(&client_), sizeof client_);
  }
}

}  // namespace burrow::userns::net
