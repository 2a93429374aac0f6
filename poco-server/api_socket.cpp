#include "poco-server/api_socket.h"

#include <fcntl.h>
#include <sys/socket.h>

#include <Poco/Net/ServerSocketImpl.h>

#include "base/sys.h"

namespace burrow::poco_server {

namespace {

// A listening socket whose accepted connections are ApiSocketImpls, created close-on-exec.
class ApiListenSocketImpl : public Poco::Net::ServerSocketImpl {
 public:
  explicit ApiListenSocketImpl(poco_socket_t fd) { reset(fd); }

  // As SocketImpl::acceptConnection, but with accept4(SOCK_CLOEXEC) and an ApiSocketImpl.
  Poco::Net::SocketImpl* acceptConnection(Poco::Net::SocketAddress& client) override {
    sockaddr_storage peer;
    socklen_t size = 0;
    int fd = sys::retry_eintr([&] {
      size = sizeof peer;
      return ::accept4(sockfd(), reinterpret_cast<sockaddr*>(&peer), &size, SOCK_CLOEXEC);
    });
    if (fd < 0) error();  // throws the Poco::Net exception for errno, as POCO's accept does
    client = Poco::Net::SocketAddress(reinterpret_cast<const sockaddr*>(&peer), static_cast<poco_socklen_t>(size));
    return new ApiSocketImpl(fd);
  }
};

// The address in `slot`, filled by `lookup` on first use. The lookup runs without the lock (no
// lock across a system call); racing first callers get the same answer.
template <class Lookup>
Poco::Net::SocketAddress remembered(std::mutex& mutex, std::optional<Poco::Net::SocketAddress>& slot, Lookup lookup) {
  {
    std::lock_guard<std::mutex> lock(mutex);
    if (slot) return *slot;
  }
  Poco::Net::SocketAddress found = lookup();
  std::lock_guard<std::mutex> lock(mutex);
  if (!slot) slot = found;
  return *slot;
}

}  // namespace

ApiListenSocket::ApiListenSocket(const Poco::Net::ServerSocket& listening)
    : Poco::Net::ServerSocket(
          new ApiListenSocketImpl(sys::check(::fcntl(listening.impl()->sockfd(), F_DUPFD_CLOEXEC, 0), "dup", "API socket")),
          true) {}

Poco::Net::SocketAddress ApiSocketImpl::address() {
  return remembered(mutex_, address_, [this] { return Poco::Net::StreamSocketImpl::address(); });
}

Poco::Net::SocketAddress ApiSocketImpl::peerAddress() {
  return remembered(mutex_, peer_address_, [this] { return Poco::Net::StreamSocketImpl::peerAddress(); });
}

}  // namespace burrow::poco_server
