#pragma once
// The API's sockets. ApiListenSocket stands for a listening socket in the API's TCPServers: the
// connections it accepts are close-on-exec from the start (accept4), so no spawned program
// inherits a client's connection, and are ApiSocketImpls, which look their local and peer
// addresses up once per connection. POCO's HTTPServerRequestImpl asks for both on every request:
// two system calls per request (getsockname, getpeername) beside the recv and send that serve it.
// Thread-safe as POCO's sockets are; an ApiSocketImpl's cached addresses are guarded.

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocketImpl.h>

#include <mutex>
#include <optional>

namespace burrow::poco_server {

class ApiListenSocket : public Poco::Net::ServerSocket {
 public:
  // Accepts on `listening`'s socket through a second descriptor of its own (a close-on-exec dup),
  // so that `listening` stays owned and closed by its owner. Throws Error(Io) when dup fails.
  explicit ApiListenSocket(const Poco::Net::ServerSocket& listening);
};

// A connection accepted by an ApiListenSocket.
class ApiSocketImpl : public Poco::Net::StreamSocketImpl {
 public:
  explicit ApiSocketImpl(poco_socket_t fd) : Poco::Net::StreamSocketImpl(fd) {}

  // Looked up on first use, then remembered (a connection's addresses do not change).
  Poco::Net::SocketAddress address() override;
  Poco::Net::SocketAddress peerAddress() override;

 private:
  std::mutex mutex_;  // guards address_ and peer_address_, never held across a lookup
  std::optional<Poco::Net::SocketAddress> address_;
  std::optional<Poco::Net::SocketAddress> peer_address_;
};

}  // namespace burrow::poco_server
