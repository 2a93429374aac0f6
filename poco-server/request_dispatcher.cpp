#include "poco-server/request_dispatcher.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>

#include "poco-server/http_error.h"
#include "poco-server/request_context.h"

namespace burrow::poco_server {

namespace {

void send_plain(Poco::Net::HTTPServerResponse& response, int status, const std::string& text, bool head) {
  set_status(response, status);
  response.setContentType("text/plain; charset=utf-8");
  response.set("X-Content-Type-Options", "nosniff");
  std::string body = text + "\n";
  response.setContentLength64(static_cast<Poco::Int64>(body.size()));
  if (head) {
    response.send();
  } else {
    response.sendBuffer(body.data(), body.size());
  }
}

// The request line and header fields as they came on the wire ("Name: value\r\n" each).
std::size_t head_size(const Poco::Net::HTTPServerRequest& request) {
  std::size_t n = request.getMethod().size() + request.getURI().size() + request.getVersion().size() + 4;
  for (const auto& [name, value] : request) n += name.size() + value.size() + 4;
  return n;
}

}  // namespace

RequestDispatcher::RequestDispatcher(const Router& router, engine::Engine& engine, Logger& logger, bool cors,
                                     RequestLimits limits)
    : router_(router), engine_(engine), logger_(logger), cors_(cors), limits_(limits) {}

void RequestDispatcher::dispatch(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) {
  const std::string& method = request.getMethod();
  const bool head = method == "HEAD";
  if (logger_.debug_enabled()) logger_.debug("api", "Calling " + method + " " + request.getURI());
  if (std::size_t size = head_size(request); size > limits_.max_header_bytes) {
    response.setKeepAlive(false);
    send_plain(response, 431,
               "request header fields of " + std::to_string(size) + " bytes are larger than the limit of " +
                   std::to_string(limits_.max_header_bytes) + " bytes (burrowd --max-header-bytes)",
               head);
    return;
  }
  if (cors_) {
    response.set("Access-Control-Allow-Origin", "*");
    response.set("Access-Control-Allow-Headers", "Origin, X-Requested-With, Content-Type, Accept");
    response.set("Access-Control-Allow-Methods", "GET, POST, DELETE, PUT, OPTIONS");
  }

  std::string path;
  std::vector<std::pair<std::string, std::string>> query;
  try {
    const std::string& target = request.getURI();
    if (!target.empty() && target[0] == '/' && target.find_first_of("%+#") == std::string::npos) {
      // Nothing to decode: split it ourselves (the common case; Poco::URI is costly per request).
      auto q = target.find('?');
      path = target.substr(0, q);
      if (q != std::string::npos && q + 1 < target.size()) query = Poco::URI(target.substr(q)).getQueryParameters();
    } else {
      Poco::URI uri(target);
      path = uri.getPath();
      query = uri.getQueryParameters();
    }
  } catch (const Poco::Exception& e) {
    send_plain(response, 400, "Bad request URI: " + e.displayText(), head);
    return;
  }

  if (method == "OPTIONS") {
    set_status(response, 200);
    response.setContentLength(0);
    response.send();
    return;
  }

  auto match = router_.match(method, path);
  if (!match) {
    send_plain(response, 404, kNotFoundText, head);
    return;
  }
  std::string_view unversioned = path;
  Router::strip_version(unversioned);
  const Handler& handler = *match->handler;
  RequestContext ctx(request, response, engine_, logger_, std::move(*match), std::string(unversioned), std::move(query),
                     limits_.max_json_body);

  int status = 0;
  std::string message;
  try {
    handler(ctx);
  } catch (const Error& e) {
    status = http_status_for(e.kind());
    message = e.what();
  } catch (const Poco::Exception& e) {
    status = 500;
    message = e.displayText();
  } catch (const std::exception& e) {
    status = 500;
    message = e.what();
  }
  if (status != 0) {
    if (status >= 500) {
      logger_.error("api", method + " " + request.getURI() + ": " + message);
    } else {
      logger_.debug("api", method + " " + request.getURI() + ": " + std::to_string(status) + " " + message);
    }
    if (ctx.hijacked()) {
      ctx.report_error_after_hijack(message);
    } else if (!ctx.sent()) {
      try {
        ctx.send_error(status, message);
      } catch (const std::exception&) {
        // The client went away before the error could reach it.
      }
    }
    // A failure after a streamed body started: the stream just ends.
    return;
  }
  if (!ctx.sent()) {
    // A handler with nothing to say answers 200 with an empty body, as Go's net/http does.
    ctx.send_status(200);
  }
}

}  // namespace burrow::poco_server
