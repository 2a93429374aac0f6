#include "userns/net/tcp_relay.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/error.h"
#include "base/sys.h"

namespace burrow::userns::net {

namespace {

void set_nodelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);  // best effort
}

bool is_loopback(const sockaddr_in& a) { return a.sin_family == AF_INET && (ntohl(a.sin_addr.s_addr) >> 24) == 127; }

// A hop that never leaves this machine sends with Reno. There is no congestion to control on
// loopback, and the pacing that BBR (a common host default, this test machine's too) needs held
// the relay at about half its throughput: bench/ports measured 11-13 Gbit/s with BBR on the
// inside socket, 20-21 with Reno or CUBIC. Reno is built into every kernel and always allowed
// to unprivileged sockets. Sockets to other machines keep the host's choice. Best effort.
void use_reno(int fd) {
  static constexpr char kReno[] = "reno";
  ::setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, kReno, sizeof kReno - 1);
}

// An accepted client is on this machine when it comes from a loopback address or from the very
// address it connected to (a host address: the kernel delivers that over loopback too).
bool is_local_client(int fd) {
  sockaddr_in peer{}, local{};
  socklen_t peer_len = sizeof peer, local_len = sizeof local;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &peer_len) != 0) return false;
  if (is_loopback(peer)) return true;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &local_len) != 0) return false;
  return peer.sin_family == AF_INET && peer.sin_addr.s_addr == local.sin_addr.s_addr;
}

constexpr uint32_t kEvents = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

}  // namespace

TcpConnection::TcpConnection(Forwarder& forwarder, Fd client, Fd inside, bool connected)
    : forwarder_(forwarder),
      client_(std::move(client)),
      inside_(std::move(inside)),
      connected_(connected),
      client_side_(*this, false),
      inside_side_(*this, true) {
  up_.from = client_.get();
  up_.to = inside_.get();
  down_.from = inside_.get();
  down_.to = client_.get();
  set_nodelay(client_.get());
  if (is_local_client(client_.get())) use_reno(client_.get());
  forwarder_.watch(client_.get(), kEvents, &client_side_);
  forwarder_.watch(inside_.get(), kEvents, &inside_side_);
}

// Closing the sockets takes them out of the epoll set (they are never duplicated).
TcpConnection::~TcpConnection() = default;

std::unique_ptr<TcpConnection> TcpConnection::open(Forwarder& forwarder, Fd client, const SocketFactory& factory,
                                                   const sockaddr_in& target, const std::string& route_name) {
  Fd inside;
  try {
    inside = factory(SOCK_STREAM);
  } catch (const Error& e) {
    forwarder.log_warn(route_name + ": " + e.what());
    return nullptr;
  }
  set_nodelay(inside.get());
  if (is_loopback(target)) use_reno(inside.get());
  int rc = sys::retry_eintr([&] { return ::connect(inside.get(), reinterpret_cast<const sockaddr*>(&target), sizeof target); });
  if (rc < 0 && errno != EINPROGRESS) {
    forwarder.log_debug(route_name + ": connect: " + std::strerror(errno));
    return nullptr;  // the client's socket closes: it sees the refusal as a reset/EOF
  }
  return std::make_unique<TcpConnection>(forwarder, std::move(client), std::move(inside), rc == 0);
}

void TcpConnection::on_event(bool inside, uint32_t events) {
  if (finished_) return;
  if (!connected_) {
    if (inside && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(inside_.get(), SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0) {
        forwarder_.log_debug(std::string("connect inside: ") + std::strerror(err));
        finish();
        return;
      }
      connected_ = true;
    } else if (!inside) {
      // Client bytes wait in the pipe until the inside connection is up.
      if (!pump(up_)) finish();
      return;
    } else {
      return;
    }
  }
  if (!pump(up_) || !pump(down_)) {
    finish();
    return;
  }
  if (up_.shut && down_.shut) finish();
}

bool TcpConnection::pump(Direction& d) {
  bool can_write = connected_ || &d == &down_;
  bool ok = move(d, can_write);
  forwarder_.pipes().release(d.pipe);
  if (!ok) return false;
  if (can_write && d.eof && d.pipe.bytes == 0 && !d.shut) {
    ::shutdown(d.to, SHUT_WR);
    d.shut = true;
  }
  return true;
}

bool TcpConnection::move(Direction& d, bool can_write) {
  for (;;) {
    bool progress = false;
    if (!d.eof) {
      if (!d.pipe) {
        try {
          d.pipe = forwarder_.pipes().acquire();
        } catch (const Error& e) {
          forwarder_.log_warn(std::string("relay: ") + e.what());
          return false;
        }
      }
      if (d.pipe.bytes < d.pipe.capacity) {
        ssize_t n = ::splice(d.from, nullptr, d.pipe.write_end.get(), nullptr, d.pipe.capacity - d.pipe.bytes,
                             SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
        if (n > 0) {
          d.pipe.bytes += static_cast<size_t>(n);
          progress = true;
        } else if (n == 0) {
          d.eof = true;
        } else if (errno != EAGAIN && errno != EINTR) {
          return false;
        }
      }
    }
    if (can_write && d.pipe.bytes > 0) {
      ssize_t n = ::splice(d.pipe.read_end.get(), nullptr, d.to, nullptr, d.pipe.bytes, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
      if (n > 0) {
        d.pipe.bytes -= static_cast<size_t>(n);
        progress = true;
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        return false;
      }
    }
    if (!progress) return true;
  }
}

void TcpConnection::finish() {
  if (finished_) return;
  finished_ = true;
  forwarder_.retire(this);
}

}  // namespace burrow::userns::net
