// RequestBody over a real server connection: large Content-Length and chunked bodies arrive
// byte-exact, pipelined requests behind a body stay intact, unread bodies are skipped, a body cut
// short is a truncated upload, and Expect: 100-continue works.
#include "poco-server/request_body.h"

#include <stdlib.h>
#include <sys/socket.h>

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "base/sys.h"
#include "engine/engine.h"
#include "poco-server/api_server.h"
#include "poco-server/request_context.h"
#include "tests/poco-server/test_server.h"

using namespace burrow;
using namespace burrow::poco_server;
using Poco::Net::SocketAddress;

namespace {

std::string digest(const std::string& bytes) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  char out[64];
  std::snprintf(out, sizeof out, "%zu %016llx", bytes.size(), static_cast<unsigned long long>(h));
  return out;
}

std::string random_bytes(std::size_t n) {
  std::mt19937_64 rng(n);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(rng());
  return s;
}

// The body framed as chunks of the given sizes (repeated until the body is used up).
std::string chunked(const std::string& body, const std::vector<std::size_t>& sizes) {
  std::string out;
  for (std::size_t pos = 0, i = 0; pos < body.size(); ++i) {
    std::size_t n = std::min(sizes[i % sizes.size()], body.size() - pos);
    char head[32];
    std::snprintf(head, sizeof head, "%zx\r\n", n);
    out += head + body.substr(pos, n) + "\r\n";
    pos += n;
  }
  return out + "0\r\n\r\n";
}

std::string head(const std::string& line, const std::string& fields) {
  return line + " HTTP/1.1\r\nHost: x\r\n" + fields + "\r\n";
}

// The routes below (only those), served over a Unix socket in a temporary directory.
Router body_routes() {
  Router router;
  // The body's size and hash, read in 1 MiB blocks as the tar reader does.
  router.add("POST", "/digest", [](RequestContext& ctx) {
    std::istream& in = ctx.body_stream();
    std::string body;
    std::vector<char> block(1 << 20);
    while (in.read(block.data(), static_cast<std::streamsize>(block.size())) || in.gcount() > 0) {
      body.append(block.data(), static_cast<std::size_t>(in.gcount()));
    }
    ctx.send_text(200, digest(body));
  });
  router.add("POST", "/ignore", [](RequestContext& ctx) { ctx.send_text(200, "ignored"); });
  router.add("POST", "/first10", [](RequestContext& ctx) {
    char buf[10];
    ctx.body_stream().read(buf, sizeof buf);
    ctx.send_text(200, std::string(buf, static_cast<std::size_t>(ctx.body_stream().gcount())));
  });
  router.add("GET", "/hello", [](RequestContext& ctx) { ctx.send_text(200, "hello"); });
  return router;
}

struct BodyServer : testing::TestServer {
  BodyServer() : TestServer(body_routes(), ApiServerOptions{.max_threads = 4}) {}

  Poco::Net::StreamSocket connect() const {
    Poco::Net::StreamSocket s;
    s.connect(SocketAddress(SocketAddress::UNIX_LOCAL, sock));
    s.setReceiveTimeout(Poco::Timespan(10, 0));
    return s;
  }
};

void send_all(Poco::Net::StreamSocket& s, const std::string& bytes) {
  for (std::size_t done = 0; done < bytes.size();) {
    int n = s.sendBytes(bytes.data() + done, static_cast<int>(std::min<std::size_t>(bytes.size() - done, 1 << 20)),
                        MSG_NOSIGNAL);
    REQUIRE(n > 0);
    done += static_cast<std::size_t>(n);
  }
}

// Everything the server writes until it closes the connection.
std::string read_all(Poco::Net::StreamSocket& s) {
  std::string out;
  char buf[4096];
  for (int n; (n = s.receiveBytes(buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
  return out;
}

// Sends the bytes in one piece, then returns all the server answers until it closes.
std::string send_and_read(const BodyServer& server, const std::string& bytes) {
  Poco::Net::StreamSocket s = server.connect();
  send_all(s, bytes);
  return read_all(s);
}

// The replies' bodies, in order (each reply is text with a Content-Length).
std::vector<std::string> reply_bodies(const std::string& replies) {
  std::vector<std::string> bodies;
  for (std::size_t pos = 0; (pos = replies.find("Content-Length: ", pos)) != std::string::npos;) {
    std::size_t length = std::stoul(replies.substr(pos + 16));
    std::size_t start = replies.find("\r\n\r\n", pos) + 4;
    bodies.push_back(replies.substr(start, length));
    pos = start + length;
  }
  return bodies;
}

}  // namespace

TEST_CASE("a large Content-Length body arrives byte-exact", "[poco-server][body]") {
  BodyServer f;
  std::string body = random_bytes((6 << 20) + 12345);
  std::string reply = send_and_read(f, head("POST /digest", "Content-Length: " + std::to_string(body.size()) +
                                                           "\r\nConnection: close\r\n") + body);
  CHECK(reply.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(reply_bodies(reply) == std::vector<std::string>{digest(body)});
}

TEST_CASE("a large chunked body with large chunks arrives byte-exact", "[poco-server][body]") {
  BodyServer f;
  std::string body = random_bytes((5 << 20) + 777);
  std::string reply = send_and_read(f, head("POST /digest", "Transfer-Encoding: chunked\r\nConnection: close\r\n") +
                                      chunked(body, {1 << 20, 100000, 3, 65536, 4096, 4095}));
  CHECK(reply.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(reply_bodies(reply) == std::vector<std::string>{digest(body)});
}

TEST_CASE("a request pipelined behind a body in the same write is served", "[poco-server][body]") {
  BodyServer f;
  std::string next = head("GET /hello", "Connection: close\r\n");
  for (std::size_t size : {10, 3000, 4096, 10000, 300000}) {
    INFO("body of " << size << " bytes");
    std::string body = random_bytes(size);
    std::string with_length = head("POST /digest", "Content-Length: " + std::to_string(size) + "\r\n") + body;
    CHECK(reply_bodies(send_and_read(f, with_length + next)) == std::vector<std::string>{digest(body), "hello"});
    std::string with_chunks = head("POST /digest", "Transfer-Encoding: chunked\r\n") + chunked(body, {5000, 3});
    CHECK(reply_bodies(send_and_read(f, with_chunks + next)) == std::vector<std::string>{digest(body), "hello"});
  }
}

TEST_CASE("a body the handler reads in part or not at all is skipped for the next request", "[poco-server][body]") {
  BodyServer f;
  std::string body = random_bytes(200000);
  std::string next = head("GET /hello", "Connection: close\r\n");
  for (const char* route : {"POST /ignore", "POST /first10"}) {
    INFO(route);
    std::string expected = std::string(route) == "POST /ignore" ? "ignored" : body.substr(0, 10);
    std::string with_length = head(route, "Content-Length: " + std::to_string(body.size()) + "\r\n") + body;
    CHECK(reply_bodies(send_and_read(f, with_length + next)) == std::vector<std::string>{expected, "hello"});
    std::string with_chunks = head(route, "Transfer-Encoding: chunked\r\n") + chunked(body, {70000});
    CHECK(reply_bodies(send_and_read(f, with_chunks + next)) == std::vector<std::string>{expected, "hello"});
  }
}

TEST_CASE("a Content-Length body cut short by the client's close is a truncated upload", "[poco-server][body]") {
  BodyServer f;
  Poco::Net::StreamSocket s = f.connect();
  send_all(s, head("POST /digest", "Content-Length: 100000\r\n") + random_bytes(60000));
  s.shutdownSend();
  std::string reply = read_all(s);
  CHECK(reply.rfind("HTTP/1.1 500", 0) == 0);
  CHECK(reply.find("the connection ended after 60000 of 100000 bytes (truncated upload)") != std::string::npos);
}

TEST_CASE("Expect: 100-continue gets its 100 before the body is sent", "[poco-server][body]") {
  BodyServer f;
  std::string body = random_bytes(3 << 20);
  Poco::Net::StreamSocket s = f.connect();
  send_all(s, head("POST /digest", "Content-Length: " + std::to_string(body.size()) +
                                       "\r\nExpect: 100-continue\r\nConnection: close\r\n"));
  std::string interim;
  char c;
  while (interim.find("\r\n\r\n") == std::string::npos && s.receiveBytes(&c, 1) == 1) interim += c;
  CHECK(interim.rfind("HTTP/1.1 100 Continue\r\n", 0) == 0);
  send_all(s, body);
  std::string reply = read_all(s);
  CHECK(reply.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(reply_bodies(reply) == std::vector<std::string>{digest(body)});
}
