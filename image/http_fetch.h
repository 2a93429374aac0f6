#pragma once
// HttpFetch: one HTTP or HTTPS GET (POST /images/create?fromSrc=URL, /images/(name)/insert),
// following up to 5 redirects, with the body read as a stream. HTTPS verifies the server
// against the system CA store. Not thread-safe per object; the object owns the connection.

#include <cstdint>
#include <istream>
#include <memory>
#include <string>

#include "image/byte_stream.h"

namespace Poco::Net {
class HTTPClientSession;
class HTTPResponse;
}  // namespace Poco::Net

namespace burrow::image {

class HttpFetch {
 public:
  // Connects and reads the response headers. Throws Error(BadParameter) for a URL that is
  // not http(s), Error(Io) "Error downloading <url>: ..." for connection failures and
  // statuses >= 400 (Error(NotFound) for 404).
  explicit HttpFetch(const std::string& url, int timeout_seconds = 60);
  ~HttpFetch();

  // Content-Length, or -1 when the server did not say.
  int64_t content_length() const { return length_; }
  // The URL finally fetched (after redirects).
  const std::string& url() const { return url_; }
  std::istream& body() { return *body_; }
  // body() as a ReadFn that also calls progress(bytes so far) after each read.
  ReadFn reader(std::function<void(uint64_t)> progress = {});

 private:
  std::unique_ptr<Poco::Net::HTTPClientSession> session_;
  std::unique_ptr<Poco::Net::HTTPResponse> response_;
  std::istream* body_ = nullptr;
  int64_t length_ = -1;
  std::string url_;
};

// "http://" + src when src has no scheme (Docker 0.8's fromSrc rule).
std::string normalize_source_url(const std::string& src);

}  // namespace burrow::image
