// SessionReader: a large read takes what POCO buffered behind the head, then everything the
// socket holds in one receive (not POCO's 4 KiB blocks), and no read goes past what was asked.
#include "poco-server/session_reader.h"

#include <stdlib.h>

#include <Poco/Net/HTTPServerParams.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "base/sys.h"

using namespace burrow;
using namespace burrow::poco_server;
using Poco::Net::SocketAddress;

namespace {

// A connected pair over a Unix socket: `client` writes, `session` is the server side whose
// request head has been parsed, as when a handler starts.
struct Connection {
  std::string dir;
  Poco::Net::StreamSocket client;
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  std::unique_ptr<Poco::Net::HTTPServerSession> session;

  // Sends `bytes` (head and what follows, at most a Unix socket's buffer) and parses the head.
  explicit Connection(const std::string& bytes) {
    char tmpl[] = "/tmp/burrow-reader-test-XXXXXX";
    REQUIRE(::mkdtemp(tmpl) != nullptr);
    dir = tmpl;
    SocketAddress address(SocketAddress::UNIX_LOCAL, dir + "/s");
    Poco::Net::ServerSocket listener(address);
    client.connect(address);
    client.setSendTimeout(Poco::Timespan(10, 0));  // a failure, not a hang, if the socket holds less
    session = std::make_unique<Poco::Net::HTTPServerSession>(listener.acceptConnection(), params);
    session->socket().setReceiveTimeout(Poco::Timespan(10, 0));
    client.sendBytes(bytes.data(), static_cast<int>(bytes.size()));
    Poco::Net::HTTPServerResponseImpl response(*session);
    Poco::Net::HTTPServerRequestImpl request(response, *session, params.get());
  }
  ~Connection() { sys::remove_tree(dir); }
};

const std::string kHead = "POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n";

}  // namespace

TEST_CASE("a large read takes POCO's buffered bytes, then all the socket holds in one receive",
          "[poco-server][body]") {
  std::string body(60000, 'b');
  for (std::size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>('a' + i % 26);
  Connection c(kHead + body);
  SessionReader reader(*c.session);
  std::vector<char> buf(1 << 20);
  std::size_t first = reader.read(buf.data(), buf.size());
  REQUIRE(first > 0);
  CHECK(first + kHead.size() <= 4096);
  std::size_t second = reader.read(buf.data() + first, buf.size() - first);
  CHECK(first + second == body.size());
  CHECK(std::string(buf.data(), first + second) == body);
}

TEST_CASE("reads never take bytes beyond those asked for", "[poco-server][body]") {
  SECTION("small reads out of POCO's buffer") {
    Connection c(kHead + "0123456789NEXT");
    SessionReader reader(*c.session);
    char buf[16];
    REQUIRE(reader.read(buf, 10) == 10);
    CHECK(std::string(buf, 10) == "0123456789");
    REQUIRE(reader.read(buf, 4) == 4);
    CHECK(std::string(buf, 4) == "NEXT");
  }
  SECTION("large reads after POCO's buffer is taken") {
    std::string body(6000, 'x');
    Connection c(kHead + body + "NEXT");
    SessionReader reader(*c.session);
    std::vector<char> buf(8192);
    std::size_t got = 0;
    while (got < body.size()) {
      std::size_t n = reader.read(buf.data(), body.size() - got);
      REQUIRE(n > 0);
      got += n;
    }
    CHECK(got == body.size());
    REQUIRE(reader.read(buf.data(), 4096) == 4);
    CHECK(std::string(buf.data(), 4) == "NEXT");
  }
}

TEST_CASE("the peer's close reads as 0", "[poco-server][body]") {
  Connection c(kHead + "abc");
  c.client.shutdownSend();
  SessionReader reader(*c.session);
  char buf[8192];
  CHECK(reader.read(buf, sizeof buf) == 3);
  CHECK(reader.read(buf, sizeof buf) == 0);
}

TEST_CASE("a peek sees what the next read returns, once POCO's buffer is taken", "[poco-server][body]") {
  std::string body(5000, 'x');
  Connection c(kHead + body + "NEXT");
  SessionReader reader(*c.session);
  char small[8];
  CHECK(reader.peek(small, sizeof small) == 0);  // POCO may still hold bytes: no peek
  std::vector<char> buf(8192);
  std::size_t got = 0;
  while (got < body.size()) got += reader.read(buf.data(), body.size() - got);
  REQUIRE(got == body.size());
  REQUIRE(reader.peek(small, sizeof small) == 4);
  CHECK(std::string(small, 4) == "NEXT");
  REQUIRE(reader.read(small, sizeof small) == 4);
  CHECK(std::string(small, 4) == "NEXT");
}
