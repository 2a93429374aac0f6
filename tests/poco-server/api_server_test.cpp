// The HTTP layer end to end over a Unix socket: routing, error mapping, CORS, JSON bodies,
// streams, hijacking and the system endpoints, with a real Engine in a temporary state root.
#include "poco-server/api_server.h"

#include <unistd.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/StreamCopier.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <sstream>
#include <thread>

#include "base/sys.h"
#include "engine/engine.h"
#include "poco-server/http_error.h"
#include "poco-server/request_context.h"
#include "poco-server/routes.h"
#include "tests/poco-server/test_server.h"

using namespace burrow;
using namespace burrow::poco_server;
using Poco::Net::HTTPRequest;
using Poco::Net::SocketAddress;

namespace {

struct Reply {
  int status = 0;
  std::string body;
  Poco::Net::HTTPResponse response;
};

Poco::Net::StreamSocket connect(const std::string& path) {
  Poco::Net::StreamSocket s;
  s.connect(SocketAddress(SocketAddress::UNIX_LOCAL, path));
  return s;
}

Reply call(const std::string& sock, const std::string& method, const std::string& uri, const std::string& body = "",
           const std::vector<std::pair<std::string, std::string>>& headers = {}) {
  Poco::Net::HTTPClientSession session(connect(sock));
  HTTPRequest request(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
  request.setHost("localhost");
  for (const auto& [k, v] : headers) request.set(k, v);
  if (!body.empty() || method == "POST") request.setContentLength(static_cast<std::streamsize>(body.size()));
  session.sendRequest(request) << body;
  Reply reply;
  std::istream& in = session.receiveResponse(reply.response);
  reply.status = reply.response.getStatus();
  std::ostringstream out;
  Poco::StreamCopier::copyStream(in, out);
  reply.body = out.str();
  return reply;
}

struct Fixture : testing::TestServer {
  explicit Fixture(bool cors = false, RequestLimits limits = {})
      : TestServer(all_routes(), ApiServerOptions{.cors = cors, .max_threads = 16, .limits = limits}) {}

  static Router all_routes() {
    Router router;
    add_all_routes(router);
    add_test_routes(router);
    return router;
  }

  static void add_test_routes(Router& r) {
    r.add("GET", "/test/error/{kind}", [](RequestContext& ctx) {
      const std::string& k = ctx.param("kind");
      if (k == "notfound") throw Error::not_found("No such container: x");
      if (k == "conflict") throw Error::conflict("Conflict, name taken");
      if (k == "bad") throw Error::bad_parameter("Bad parameter");
      if (k == "impossible") throw Error::not_acceptable("Impossible");
      if (k == "login") throw Error::unauthorized("Wrong login/password");
      if (k == "std") throw std::runtime_error("plain failure");
      throw Error::io("disk on fire");
    });
    r.add("POST", "/test/echo", [](RequestContext& ctx) {
      auto body = ctx.json_body();
      if (!body) return ctx.send_status(204);
      ctx.send_json(body, 201);
    });
    r.add("GET", "/test/bool", [](RequestContext& ctx) { ctx.send_text(200, ctx.query_bool("x") ? "true" : "false"); });
    r.add("GET", "/test/int", [](RequestContext& ctx) { ctx.send_text(200, std::to_string(ctx.query_int("n", 7))); });
    r.add("GET", "/test/silent", [](RequestContext&) {});
    r.add("GET", "/test/stream", [](RequestContext& ctx) {
      JsonStream s = ctx.start_stream();
      for (int i = 0; i < 3; ++i) {
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
        o->set("n", i);
        s.write(o);
      }
      s.write_error("late failure");
    });
    r.add("GET", "/test/stream-failure", [](RequestContext& ctx) {
      ctx.run_json_stream("test", "failing stream", [](JsonStream& s) {
        Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
        o->set("n", 0);
        s.write(o);
        throw Error::not_found("gone midway");
      });
    });
    r.add("POST", "/test/hijack", [](RequestContext& ctx) {
      HijackedConnection c = ctx.hijack();
      std::string got = c.early_input;
      char buf[64];
      while (got.size() < 5) {
        int n = c.socket.receiveBytes(buf, sizeof buf);
        if (n <= 0) break;
        got.append(buf, static_cast<std::size_t>(n));
      }
      c.write_all(std::string(c.upgraded ? "upgraded:" : "raw:") + got);
      c.socket.shutdownSend();
    });
  }
};

// Sends a raw request and returns everything the server writes until it closes.
std::string raw_exchange(const std::string& sock, const std::string& request) {
  auto s = connect(sock);
  s.sendBytes(request.data(), static_cast<int>(request.size()));
  std::string out;
  char buf[1024];
  s.setReceiveTimeout(Poco::Timespan(5, 0));
  for (;;) {
    int n = s.receiveBytes(buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

std::string now_text() {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  char buf[40];
  std::snprintf(buf, sizeof buf, "%lld.%09lld", static_cast<long long>(ns / 1000000000), static_cast<long long>(ns % 1000000000));
  return buf;
}

}  // namespace

TEST_CASE("/_ping answers OK with API-Version on GET and HEAD", "[poco-server][api]") {
  Fixture f;
  Reply get = call(f.sock, "GET", "/_ping");
  CHECK(get.status == 200);
  CHECK(get.body == "OK");
  CHECK(get.response.get("API-Version") == "1.9");
  Reply head = call(f.sock, "HEAD", "/v1.24/_ping");
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(head.response.get("API-Version") == "1.9");
}

TEST_CASE("/version is served under any version prefix", "[poco-server][api]") {
  Fixture f;
  for (const char* uri : {"/version", "/v1.9/version", "/v1.44/version"}) {
    INFO(uri);
    Reply r = call(f.sock, "GET", uri);
    CHECK(r.status == 200);
    CHECK(r.response.getContentType() == "application/json");
    CHECK(r.body.find("\"ApiVersion\":\"1.9\"") != std::string::npos);
    CHECK(r.body.find("\"GoVersion\":\"C++20") != std::string::npos);
  }
}

TEST_CASE("/info reports real counts and booleans", "[poco-server][api]") {
  Fixture f;
  Reply r = call(f.sock, "GET", "/v1.9/info");
  CHECK(r.status == 200);
  CHECK(r.body.find("\"Containers\":0") != std::string::npos);
  CHECK(r.body.find("\"ContainersRunning\":0") != std::string::npos);
  CHECK(r.body.find("\"Images\":0") != std::string::npos);
  CHECK(r.body.find("\"Debug\":false") != std::string::npos);
  CHECK(r.body.find("\"IPv4Forwarding\":") != std::string::npos);
  CHECK(r.body.find("\"IdMapping\":") != std::string::npos);
}

TEST_CASE("unknown paths and methods are 404 with Go's text", "[poco-server][api]") {
  Fixture f;
  Reply r = call(f.sock, "GET", "/no/such/thing");
  CHECK(r.status == 404);
  CHECK(r.response.getReason() == "Not Found");
  CHECK(r.body == "404 page not found\n");
  CHECK(r.response.getContentType() == "text/plain; charset=utf-8");
  CHECK(call(f.sock, "POST", "/version").status == 404);
}

TEST_CASE("error kinds map to Docker's statuses with plain-text bodies", "[poco-server][api]") {
  Fixture f;
  struct Case { const char* kind; int status; const char* text; };
  for (const Case& c : {Case{"notfound", 404, "No such container: x\n"}, Case{"conflict", 409, "Conflict, name taken\n"},
                        Case{"bad", 400, "Bad parameter\n"}, Case{"impossible", 406, "Impossible\n"},
                        Case{"login", 401, "Wrong login/password\n"}, Case{"io", 500, "disk on fire\n"},
                        Case{"std", 500, "plain failure\n"}}) {
    INFO(c.kind);
    Reply r = call(f.sock, "GET", std::string("/v1.9/test/error/") + c.kind);
    CHECK(r.status == c.status);
    CHECK(r.response.getReason() == reason_phrase(c.status));
    CHECK(r.body == c.text);
    CHECK(r.response.getContentType() == "text/plain; charset=utf-8");
  }
}

TEST_CASE("JSON bodies: objects echo, empty is none, bad JSON is a 500 with the parse message", "[poco-server][api]") {
  Fixture f;
  Reply ok = call(f.sock, "POST", "/test/echo", R"({"Image":"busybox","Cmd":["true"]})");
  CHECK(ok.status == 201);
  CHECK(ok.body.find("\"Image\":\"busybox\"") != std::string::npos);
  CHECK(call(f.sock, "POST", "/test/echo").status == 204);
  Reply bad = call(f.sock, "POST", "/test/echo", "{\"Image\":");
  CHECK(bad.status == 500);
  CHECK_FALSE(bad.body.empty());
  CHECK(call(f.sock, "POST", "/test/echo", "[1,2]").status == 500);
}

TEST_CASE("query helpers parse booleans and integers like Docker", "[poco-server][api]") {
  Fixture f;
  CHECK(call(f.sock, "GET", "/test/bool?x=1").body == "true");
  CHECK(call(f.sock, "GET", "/test/bool?x=True").body == "true");
  CHECK(call(f.sock, "GET", "/test/bool?x=false").body == "false");
  CHECK(call(f.sock, "GET", "/test/bool").body == "false");
  CHECK(call(f.sock, "GET", "/test/bool?x=maybe").status == 400);
  CHECK(call(f.sock, "GET", "/test/int?n=42").body == "42");
  CHECK(call(f.sock, "GET", "/test/int").body == "7");
  CHECK(call(f.sock, "GET", "/test/int?n=4x").status == 400);
}

TEST_CASE("a handler that sends nothing answers 200 with an empty body", "[poco-server][api]") {
  Fixture f;
  Reply r = call(f.sock, "GET", "/test/silent");
  CHECK(r.status == 200);
  CHECK(r.body.empty());
}

TEST_CASE("CORS headers appear only when enabled, and OPTIONS answers 200", "[poco-server][api]") {
  {
    Fixture f(true);
    Reply r = call(f.sock, "GET", "/_ping");
    CHECK(r.response.get("Access-Control-Allow-Origin", "") == "*");
    CHECK(r.response.get("Access-Control-Allow-Methods", "").find("OPTIONS") != std::string::npos);
    Reply o = call(f.sock, "OPTIONS", "/v1.9/containers/json");
    CHECK(o.status == 200);
    CHECK(o.response.get("Access-Control-Allow-Headers", "").find("Content-Type") != std::string::npos);
  }
  Fixture plain;
  CHECK_FALSE(call(plain.sock, "GET", "/_ping").response.has("Access-Control-Allow-Origin"));
}

TEST_CASE("chunked JSON streams deliver each message", "[poco-server][api]") {
  Fixture f;
  Reply r = call(f.sock, "GET", "/test/stream");
  CHECK(r.status == 200);
  CHECK(r.response.getChunkedTransferEncoding());
  CHECK(r.body == "{\"n\":0}\n{\"n\":1}\n{\"n\":2}\n{\"error\":\"late failure\",\"errorDetail\":{\"message\":\"late failure\"}}\n");
}

TEST_CASE("a failure inside run_json_stream ends the stream with Docker's error message", "[poco-server][api]") {
  Fixture f;
  Reply r = call(f.sock, "GET", "/test/stream-failure");
  CHECK(r.status == 200);
  CHECK(r.body == "{\"n\":0}\n{\"error\":\"gone midway\",\"errorDetail\":{\"message\":\"gone midway\"}}\n");
}

TEST_CASE("hijack answers 101 UPGRADED to Upgrade: tcp and 200 otherwise, keeping early bytes", "[poco-server][api]") {
  Fixture f;
  std::string up = raw_exchange(f.sock,
                                "POST /v1.9/test/hijack HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nhello");
  CHECK(up.rfind("HTTP/1.1 101 UPGRADED\r\n", 0) == 0);
  CHECK(up.find("Upgrade: tcp\r\n") != std::string::npos);
  CHECK(up.find("\r\n\r\nupgraded:hello") != std::string::npos);
  std::string raw = raw_exchange(f.sock, "POST /test/hijack HTTP/1.1\r\nHost: x\r\n\r\nworld");
  CHECK(raw.rfind("HTTP/1.1 200 OK\r\nContent-Type: application/vnd.docker.raw-stream\r\n\r\n", 0) == 0);
  CHECK(raw.find("raw:world") != std::string::npos);
}

TEST_CASE("/events replays since= up to until= and applies filters", "[poco-server][api]") {
  Fixture f;
  f.engine->events().publish("create", "aaaa", "busybox:latest");
  f.engine->events().publish("die", "bbbb", "busybox:latest", {{"exitCode", "3"}});
  std::string until = now_text();
  Reply all = call(f.sock, "GET", "/events?since=1&until=" + until);
  CHECK(all.status == 200);
  CHECK(all.body.find("\"status\":\"create\"") != std::string::npos);
  CHECK(all.body.find("\"status\":\"die\"") != std::string::npos);
  Reply one = call(f.sock, "GET", "/v1.9/events?since=1&until=" + until +
                                      "&filters=%7B%22container%22%3A%5B%22bbbb%22%5D%2C%22type%22%3A%5B%22container%22%5D%7D");
  CHECK(one.body.find("\"status\":\"create\"") == std::string::npos);
  CHECK(one.body.find("\"exitCode\":\"3\"") != std::string::npos);
  CHECK(call(f.sock, "GET", "/events?since=yesterday").status == 400);
  CHECK(call(f.sock, "GET", "/events?filters=%7B").status == 400);
}

TEST_CASE("/events streams live events", "[poco-server][api]") {
  Fixture f;
  std::string first_line;
  std::thread client([&] {
    Poco::Net::HTTPClientSession session(connect(f.sock));
    HTTPRequest request("GET", "/events", Poco::Net::HTTPMessage::HTTP_1_1);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    std::getline(in, first_line);
  });
  // Publish until the subscriber has seen one (it may subscribe after the first publish).
  for (int i = 0; i < 100 && f.engine->events().subscriber_count() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  f.engine->events().publish("start", "cccc", "busybox:latest");
  client.join();
  CHECK(first_line.find("\"status\":\"start\"") != std::string::npos);
  CHECK(first_line.find("\"Type\":\"container\"") != std::string::npos);
}

TEST_CASE("a keep-alive connection serves request after request", "[poco-server][api]") {
  Fixture f;
  Poco::Net::HTTPClientSession session(connect(f.sock));
  session.setKeepAlive(true);
  for (int i = 0; i < 3; ++i) {
    HTTPRequest request("GET", i == 1 ? "/v1.9/version" : "/_ping", Poco::Net::HTTPMessage::HTTP_1_1);
    request.setKeepAlive(true);
    session.sendRequest(request);
    Poco::Net::HTTPResponse response;
    std::istream& in = session.receiveResponse(response);
    std::ostringstream out;
    Poco::StreamCopier::copyStream(in, out);
    CHECK(response.getStatus() == 200);
    CHECK(response.getKeepAlive());
    CHECK_FALSE(out.str().empty());
  }
}

TEST_CASE("a body the handler did not read is skipped before the next request", "[poco-server][api]") {
  Fixture f;
  auto s = connect(f.sock);
  std::string two = "POST /no/such/route HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
                    "GET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  s.sendBytes(two.data(), static_cast<int>(two.size()));
  s.setReceiveTimeout(Poco::Timespan(5, 0));
  std::string out;
  char buf[1024];
  for (;;) {
    int n = s.receiveBytes(buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  CHECK(out.rfind("HTTP/1.1 404", 0) == 0);
  CHECK(out.find("HTTP/1.1 200 OK") != std::string::npos);
  CHECK(out.substr(out.size() - 2) == "OK");
}

TEST_CASE("a malformed request gets 400 and the server keeps serving", "[poco-server][api]") {
  Fixture f;
  std::string reply = raw_exchange(f.sock, "NONSENSE\r\n\r\n");
  CHECK(reply.rfind("HTTP/1.1 400", 0) == 0);
  CHECK(call(f.sock, "GET", "/_ping").status == 200);
}

TEST_CASE("stopping the server ends idle connections and event streams", "[poco-server][api]") {
  auto f = std::make_unique<Fixture>();
  auto idle = connect(f->sock);  // an idle keep-alive client
  std::thread stream([&] {
    try {
      call(f->sock, "GET", "/events");
    } catch (const std::exception&) {
      // The stream ends with the server.
    }
  });
  for (int i = 0; i < 100 && f->engine->events().subscriber_count() == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  auto start = std::chrono::steady_clock::now();
  f->engine->shutdown();
  CHECK(f->server->stop(std::chrono::seconds(5)));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));
  stream.join();
}

TEST_CASE("request limits: a JSON body or a request head above its limit is refused, the next request is served",
          "[poco-server][api][limits]") {
  Fixture f(false, RequestLimits{.max_json_body = 1024, .max_header_bytes = 2048});
  std::string fits = "{\"a\":\"" + std::string(900, 'x') + "\"}";
  CHECK(call(f.sock, "POST", "/test/echo", fits).status == 201);
  Reply big = call(f.sock, "POST", "/test/echo", "{\"a\":\"" + std::string(2000, 'x') + "\"}");
  CHECK(big.status == 400);
  CHECK(big.body.find("larger than the limit of 1024 bytes (burrowd --max-json-body)") != std::string::npos);

  // Chunked: no length up front, refused once the body read passes the limit.
  std::string chunk(1500, ' ');
  char size[16];
  std::snprintf(size, sizeof size, "%zx", chunk.size());
  std::string chunked = raw_exchange(f.sock, "POST /test/echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                                             "Connection: close\r\n\r\n" + std::string(size) + "\r\n" + chunk +
                                             "\r\n0\r\n\r\n");
  CHECK(chunked.rfind("HTTP/1.1 400", 0) == 0);
  CHECK(chunked.find("(burrowd --max-json-body)") != std::string::npos);

  std::string head = raw_exchange(f.sock, "GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(3000, 'a') +
                                          "\r\n\r\n");
  CHECK(head.rfind("HTTP/1.1 431", 0) == 0);
  CHECK(head.find("larger than the limit of 2048 bytes (burrowd --max-header-bytes)") != std::string::npos);
  CHECK(head.find("Connection: Close") != std::string::npos);
  CHECK(call(f.sock, "GET", "/_ping").status == 200);
}
