#include "poco-server/api_connection.h"

#include <time.h>

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerResponseImpl.h>
#include <Poco/Net/HTTPServerSession.h>
#include <Poco/Net/NetException.h>

#include <string>

#include "poco-server/request_dispatcher.h"

namespace burrow::poco_server {

namespace {

constexpr std::streamsize kMaxDrain = 1 << 20;  // unread body bytes skipped to keep a connection

// The Date header, formatted once per second per thread (POCO formats it per request).
const std::string& http_date_now() {
  thread_local time_t cached_second = 0;
  thread_local std::string cached;
  time_t now = ::time(nullptr);
  if (now != cached_second) {
    struct tm tm;
    ::gmtime_r(&now, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached = buf;
    cached_second = now;
  }
  return cached;
}

// After the handler: whether the connection can carry another request. A body the handler did
// not read is skipped (up to kMaxDrain) so that the next request starts at a request line.
bool ready_for_next(Poco::Net::HTTPServerRequestImpl& request) {
  if (request.getChunkedTransferEncoding() || request.hasContentLength()) {
    std::istream& body = request.stream();
    body.ignore(kMaxDrain);
    return body.eof();
  }
  const std::string& m = request.getMethod();
  // Without a length a body runs to the end of the connection: nothing can follow it.
  return m == "GET" || m == "HEAD" || m == "DELETE" || m == "OPTIONS";
}

void send_bad_request(Poco::Net::HTTPServerSession& session) {
  Poco::Net::HTTPServerResponseImpl response(session);
  response.setVersion(Poco::Net::HTTPMessage::HTTP_1_1);
  response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_BAD_REQUEST);
  response.setKeepAlive(false);
  response.setContentLength(0);
  response.send();
}

}  // namespace

ApiConnectionFactory::ApiConnectionFactory(RequestDispatcher& dispatcher, Poco::Net::HTTPServerParams::Ptr params)
    : dispatcher_(dispatcher), params_(std::move(params)) {}

Poco::Net::TCPServerConnection* ApiConnectionFactory::createConnection(const Poco::Net::StreamSocket& socket) {
  return new ApiConnection(socket, *this);
}

bool ApiConnectionFactory::enter(const void* connection, const Poco::Net::StreamSocket& socket) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_) return false;
  open_.emplace(connection, socket);
  return true;
}

void ApiConnectionFactory::leave(const void* connection) {
  std::lock_guard<std::mutex> lock(mutex_);
  open_.erase(connection);
}

bool ApiConnectionFactory::stopping() const { return stopping_.load(std::memory_order_relaxed); }

void ApiConnectionFactory::shutdown_all() {
  std::lock_guard<std::mutex> lock(mutex_);
  stopping_ = true;
  for (auto& [connection, socket] : open_) {
    try {
      socket.shutdown();
    } catch (const std::exception&) {
      // Already closed by its peer.
    }
  }
}

void ApiConnection::run() {
  if (!factory_.enter(this, socket())) return;
  struct Leave {
    ApiConnectionFactory& f;
    const void* c;
    ~Leave() { f.leave(c); }
  } leave{factory_, this};

  Poco::Net::HTTPServerParams::Ptr params = factory_.params();
  const std::string& server = params->getSoftwareVersion();
  Poco::Net::HTTPServerSession session(socket(), params);
  for (;;) {
    try {
      // Constructing the request reads its head: this is where an idle keep-alive connection
      // waits (up to the receive timeout), and where the client's close ends the loop.
      Poco::Net::HTTPServerResponseImpl response(session);
      Poco::Net::HTTPServerRequestImpl request(response, session, params.get());
      if (factory_.stopping()) break;
      response.set("Date", http_date_now());
      response.setVersion(request.getVersion());
      response.setKeepAlive(params->getKeepAlive() && request.getKeepAlive());
      if (!server.empty()) response.set("Server", server);
      if (request.getExpectContinue() && response.getStatus() == Poco::Net::HTTPResponse::HTTP_OK) {
        response.sendContinue();
      }
      factory_.dispatcher().dispatch(request, response);
      if (!session.socket().impl()->initialized()) break;  // hijacked: the handler owns it now
      if (!response.getKeepAlive() || !ready_for_next(request)) break;
    } catch (const Poco::Net::NoMessageException&) {
      break;  // the client closed the connection between requests
    } catch (const Poco::Net::MessageException&) {
      try {
        send_bad_request(session);
      } catch (const std::exception&) {
      }
      break;
    } catch (const std::exception&) {
      break;  // timeouts, resets: the connection is done
    }
  }
}

}  // namespace burrow::poco_server
