#include "poco-server/connection_writer.h"

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <catch2/catch.hpp>
#include <string>

using burrow::poco_server::ConnectionWriter;
using burrow::poco_server::HijackedConnection;
using Poco::Net::SocketAddress;

namespace {

// A connected loopback pair: `conn` is the server's (hijacked) end, `client` the peer.
struct LoopbackPair {
  Poco::Net::ServerSocket server{SocketAddress("127.0.0.1", 0)};
  Poco::Net::StreamSocket client;
  HijackedConnection conn;
  LoopbackPair() {
    client.connect(server.address());
    conn.socket = server.acceptConnection();
  }
  // Reads exactly n bytes from the client's end.
  std::string read(std::size_t n) {
    std::string out(n, '\0');
    std::size_t got = 0;
    while (got < n) {
      int r = client.receiveBytes(out.data() + got, static_cast<int>(n - got));
      if (r <= 0) break;
      got += static_cast<std::size_t>(r);
    }
    out.resize(got);
    return out;
  }
};

}  // namespace

TEST_CASE("a connection writer gathers small pieces and passes large ones through in order",
          "[poco-server][connection_writer]") {
  LoopbackPair pair;
  ConnectionWriter writer(pair.conn, 8);
  writer.write("abc", 3);
  writer.write("defgh", 5);  // exactly fills the buffer: still held
  CHECK(pair.client.available() == 0);
  writer.write("ij", 2);  // does not fit: "abcdefgh" goes out first
  CHECK(pair.read(8) == "abcdefgh");
  writer.write("0123456789", 10);  // at least the capacity: "ij" then the piece itself
  CHECK(pair.read(12) == "ij0123456789");
  writer.write("z", 1);
  writer.flush();
  writer.flush();  // nothing left: writes nothing
  pair.conn.socket.shutdownSend();
  CHECK(pair.read(100) == "z");
}
