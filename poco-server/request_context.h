#pragma once
// RequestContext: what a route handler gets for one request: the POCO request and response,
// the path parameters of its route, query parameters, the API version of its /vX.Y prefix, the
// Engine, and the ways to answer: a JSON reply, plain text, an empty status, a chunked JSON
// stream flushed per message, or a hijacked raw connection (attach). One per request, used by
// the one thread serving it. Errors: throw burrow::Error from the handler rather than sending
// an error yourself; the dispatcher maps the kind to the status (http_error.h).

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>
#include <Poco/Net/StreamSocket.h>

#include <functional>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/logger.h"
#include "poco-server/api_version.h"
#include "poco-server/request_limits.h"
#include "poco-server/router.h"

namespace burrow::engine {
class Engine;
}

namespace burrow::poco_server {

class RequestBody;

// A chunked response body; every write is flushed to the client as its own chunk. Ends (the
// terminating chunk) when the response is destroyed after the handler returns.
class JsonStream {
 public:
  explicit JsonStream(std::ostream& out) : out_(&out) {}
  // Writes one JSON value and "\n", then flushes. Returns false once the client has gone.
  bool write(const Poco::JSON::Object::Ptr& message);
  bool write_text(std::string_view json_line);  // already-serialised JSON (no newline needed)
  // {"error":message,"errorDetail":{"message":message}}, as Docker streams report failures.
  bool write_error(const std::string& message);
  bool ok() const { return out_->good(); }
  std::ostream& stream() { return *out_; }

 private:
  std::ostream* out_;
};

// A connection taken over from HTTP (attach). The status line and headers are already sent.
struct HijackedConnection {
  Poco::Net::StreamSocket socket;  // blocking, no timeouts; closed when the last copy goes
  std::string early_input;         // bytes the client sent right after the headers (stdin)
  bool upgraded = false;           // true: "101 UPGRADED" (client sent Upgrade: tcp)

  int fd() const;
  // Writes all bytes; throws Error(Io) when the peer has gone.
  void write_all(std::string_view bytes);
};

class RequestContext {
 public:
  // All references must outlive the context (they do: the dispatcher owns it for one request).
  // `max_json_body` is json_body()'s limit (burrowd --max-json-body).
  RequestContext(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response,
                 engine::Engine& engine, Logger& logger, Router::Match match, std::string path,
                 std::vector<std::pair<std::string, std::string>> query,
                 std::size_t max_json_body = RequestLimits{}.max_json_body);
  ~RequestContext();

  Poco::Net::HTTPServerRequest& request() { return request_; }
  Poco::Net::HTTPServerResponse& response() { return response_; }
  engine::Engine& engine() { return engine_; }
  Logger& logger() { return logger_; }
  ApiVersion api_version() const { return match_.version; }
  const std::string& method() const { return request_.getMethod(); }
  const std::string& path() const { return path_; }  // decoded, without the /vX.Y prefix

  // A path parameter of the route ("{name}"); throws Error(Internal) when the route has none.
  const std::string& param(const std::string& name) const;

  // Query parameters (decoded). query() gives the first value or `fallback`.
  bool has_query(const std::string& name) const;
  std::string query(const std::string& name, const std::string& fallback = "") const;
  std::vector<std::string> query_all(const std::string& name) const;
  // Go's strconv.ParseBool as Docker uses it: 1/t/T/true/True/TRUE and 0/f/F/false/False/FALSE;
  // missing or empty gives `fallback`; anything else throws Error(BadParameter, "Bad parameter").
  bool query_bool(const std::string& name, bool fallback = false) const;
  // An integer query parameter; missing or empty gives `fallback`; throws BadParameter otherwise.
  long long query_int(const std::string& name, long long fallback = 0) const;

  // The header value or "".
  std::string header(const std::string& name) const;

  // Whether the request carries a body (Content-Length > 0 or chunked). A request with neither
  // has none: body_stream() would then read until the client closes, so never read it.
  bool has_body() const;
  // The body (request_body.h). Reading it throws Error(Io) when the client's connection ends
  // before the body does (a chunked body without its last chunk, a Content-Length body short of
  // its length) or fails, instead of giving a short body.
  std::istream& body_stream();
  // The whole body (empty when has_body() is false). Throws BadParameter above `limit` bytes,
  // and as body_stream() does.
  std::string read_body(std::size_t limit = 64u << 20);
  // The body parsed as a JSON object; nullptr when the body is empty. Bad JSON (or a non-object)
  // throws Error(Internal) with the parse message: a 500, as Docker 0.8 answered. A body above
  // the limit (--max-json-body) is Error(BadParameter) before any parsing, naming the option;
  // nesting deeper than POCO's 128 levels is a parse error.
  Poco::JSON::Object::Ptr json_body();

  // Replies. Each may be called once per request, and not after another reply.
  void send_json(const Poco::JSON::Object::Ptr& value, int status = 200);
  void send_json(const Poco::JSON::Array::Ptr& value, int status = 200);
  void send_json_text(std::string json, int status = 200);
  void send_text(int status, std::string text, const std::string& content_type = "text/plain; charset=utf-8");
  void send_status(int status);  // no body (204, or 201/200 with nothing to say)
  // Docker's error reply: plain text `message\n` with the status for the error's kind.
  void send_error(const Error& error);
  void send_error(int status, const std::string& message);
  // Starts a chunked body (for /events, pull, build, logs): headers go out now.
  JsonStream start_stream(int status = 200, const std::string& content_type = "application/json");
  // Starts a JSON stream (start_stream()) and runs `work` on it, as pull, push, import and
  // insert do. An Error from `work` comes after the status line: it is logged as a warning
  // under `component` ("<what>: <message>") and sent into the stream as Docker's error message
  // (JsonStream::write_error). Other exceptions propagate.
  void run_json_stream(const std::string& component, const std::string& what,
                       const std::function<void(JsonStream&)>& work);
  // Takes the connection over (attach): drains bytes POCO has buffered past the headers, detaches
  // the socket, clears its timeouts and writes "HTTP/1.1 101 UPGRADED" (Connection: Upgrade,
  // Upgrade: tcp) when the client asked to upgrade to tcp, else "HTTP/1.1 200 OK", with
  // `content_type`. The request body is never read. Throws Error(Io) when the header cannot be sent.
  HijackedConnection hijack(const std::string& content_type = "application/vnd.docker.raw-stream");

  bool sent() const { return sent_ || hijacked_; }
  bool hijacked() const { return hijacked_; }
  // For long streams: true when the client has closed its end (checked without blocking).
  bool client_gone();
  // After a hijack, the handler's failure is written into the raw stream as "Error: ...\n".
  void report_error_after_hijack(const std::string& message);

 private:
  void send_body(int status, const std::string& content_type, std::string body);

  Poco::Net::HTTPServerRequest& request_;
  Poco::Net::HTTPServerResponse& response_;
  engine::Engine& engine_;
  Logger& logger_;
  Router::Match match_;
  std::string path_;
  std::vector<std::pair<std::string, std::string>> query_;
  std::size_t max_json_body_;
  bool sent_ = false;
  bool hijacked_ = false;
  Poco::Net::StreamSocket hijacked_socket_;
  std::unique_ptr<RequestBody> body_;  // made by the first body_stream()
};

}  // namespace burrow::poco_server
