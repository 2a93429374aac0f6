#include "userns/net/host_ports.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "base/error.h"
#include "base/sys.h"

namespace burrow::userns::net {

namespace {

std::string endpoint(const std::string& ip, int port) { return ip + ":" + std::to_string(port); }

}  // namespace

Fd bind_socket(const std::string& ip, int port, Proto proto) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, ip.c_str(), &addr.sin_addr) != 1)
    throw Error::bad_parameter("Invalid host ip address: " + ip);
  int type = (proto == Proto::Udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK | SOCK_CLOEXEC;
  Fd s(sys::check(::socket(AF_INET, type, 0), "socket", endpoint(ip, port)));
  if (proto == Proto::Tcp) {
    int one = 1;
    sys::check(::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), "setsockopt SO_REUSEADDR");
  }
  if (::bind(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0) {
    int err = errno;
    std::string where = endpoint(ip, port) + "/" + proto_name(proto);
    if (err == EADDRINUSE) throw Error(Error::Kind::Conflict, "Bind for " + where + " failed: port is already allocated", err);
    if (err == EACCES)
      throw Error(Error::Kind::Unavailable,
                  "Bind for " + where + " failed: ports below " +
                      sys::try_read_file("/proc/sys/net/ipv4/ip_unprivileged_port_start").value_or("1024\n").substr(0, 5) +
                      " are privileged; publish a higher host port or lower net.ipv4.ip_unprivileged_port_start",
                  err);
    if (err == EADDRNOTAVAIL)
      throw Error(Error::Kind::Unavailable, "Bind for " + where + " failed: " + ip + " is not an address of this host", err);
    throw sys::error_from_errno(err, "bind", where);
  }
  if (proto == Proto::Tcp) sys::check(::listen(s.get(), 1024), "listen", endpoint(ip, port));
  return s;
}

BoundPort HostPortBinder::bind_one(const PortRequest& r) {
  std::string ip = r.host_ip.empty() ? "0.0.0.0" : r.host_ip;
  if (r.host_port != 0) {
    Fd s = bind_socket(ip, r.host_port, r.container.proto);
    return BoundPort{PublishedPort{ip, r.host_port, r.container}, std::move(s)};
  }
  constexpr int kRange = kLastRandomPort - kFirstRandomPort + 1;
  for (int tries = 0; tries < kRange; ++tries) {
    int port;
    {
      std::lock_guard lock(mutex_);
      port = next_random_;
      next_random_ = next_random_ == kLastRandomPort ? kFirstRandomPort : next_random_ + 1;
    }
    try {
      Fd s = bind_socket(ip, port, r.container.proto);
      return BoundPort{PublishedPort{ip, port, r.container}, std::move(s)};
    } catch (const Error& e) {
      if (e.sys_errno() != EADDRINUSE) throw;
    }
  }
  throw Error::unavailable("No free host port for " + to_string(r.container) + " in " + std::to_string(kFirstRandomPort) +
                           "-" + std::to_string(kLastRandomPort));
}

std::vector<BoundPort> HostPortBinder::bind(const std::vector<PortRequest>& requests) {
  std::vector<BoundPort> out;  // closed on the way out of a throw: nothing half-bound remains
  for (const auto& r : requests) out.push_back(bind_one(r));
  return out;
}

}  // namespace burrow::userns::net
