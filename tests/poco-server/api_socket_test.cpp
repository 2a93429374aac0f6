// ApiListenSocket: accepted connections are close-on-exec ApiSocketImpls whose addresses are
// looked up once; the listening socket given to it stays usable by its owner.
#include "poco-server/api_socket.h"

#include <fcntl.h>
#include <unistd.h>

#include <Poco/Net/StreamSocket.h>

#include <catch2/catch.hpp>
#include <string>

#include "base/sys.h"

using namespace burrow;
using namespace burrow::poco_server;
using Poco::Net::SocketAddress;

TEST_CASE("connections accepted by an ApiListenSocket are close-on-exec and remember their addresses",
          "[poco-server][api_socket]") {
  char tmpl[] = "/tmp/burrow-api-socket-test-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  const std::string dir = tmpl;
  const std::string path = dir + "/api.sock";
  {
    Poco::Net::ServerSocket listening(SocketAddress(SocketAddress::UNIX_LOCAL, path));
    ApiListenSocket api(listening);
    CHECK(api.impl()->sockfd() != listening.impl()->sockfd());
    CHECK((::fcntl(api.impl()->sockfd(), F_GETFD) & FD_CLOEXEC) != 0);

    Poco::Net::StreamSocket client;
    client.connect(SocketAddress(SocketAddress::UNIX_LOCAL, path));
    Poco::Net::StreamSocket served = api.acceptConnection();
    REQUIRE(dynamic_cast<ApiSocketImpl*>(served.impl()) != nullptr);
    CHECK((::fcntl(served.impl()->sockfd(), F_GETFD) & FD_CLOEXEC) != 0);
    CHECK(served.address().toString() == path);
    CHECK(served.address() == served.impl()->address());
    CHECK(served.peerAddress().family() == SocketAddress::UNIX_LOCAL);

    client.sendBytes("x", 1);
    char c = 0;
    CHECK(served.receiveBytes(&c, 1) == 1);
    CHECK(c == 'x');

    // The owner's socket still accepts after the ApiListenSocket is gone.
    api.close();
    Poco::Net::StreamSocket second;
    second.connect(SocketAddress(SocketAddress::UNIX_LOCAL, path));
    Poco::Net::StreamSocket accepted = listening.acceptConnection();
    CHECK(accepted.impl()->initialized());
  }
  sys::remove_tree(dir);
}
