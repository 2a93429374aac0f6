#include "image/http_fetch.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/NetException.h>
#include <Poco/URI.h>

#include "base/error.h"
#include "image/client_session.h"

namespace burrow::image {

std::string normalize_source_url(const std::string& src) {
  if (src.find("://") == std::string::npos) return "http://" + src;
  return src;
}

HttpFetch::HttpFetch(const std::string& url, int timeout_seconds) : url_(url) {
  for (int redirects = 0;; ++redirects) {
    Poco::URI uri;
    try {
      uri = Poco::URI(url_);
    } catch (const Poco::Exception& e) {
      throw Error::bad_parameter("Bad parameter: invalid URL `" + url_ + "`: " + e.displayText());
    }
    std::string scheme = uri.getScheme();
    if (scheme != "http" && scheme != "https")
      throw Error::bad_parameter("Bad parameter: only http and https URLs can be fetched, not `" + url_ + "`");
    try {
      session_ = open_client_session(uri);
      session_->setTimeout(Poco::Timespan(timeout_seconds, 0));
      std::string path = uri.getPathAndQuery();
      Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, path.empty() ? "/" : path,
                                     Poco::Net::HTTPMessage::HTTP_1_1);
      request.set("User-Agent", "burrow");
      session_->sendRequest(request);
      response_ = std::make_unique<Poco::Net::HTTPResponse>();
      body_ = &session_->receiveResponse(*response_);
    } catch (const Poco::Exception& e) {
      throw Error::io("Error downloading " + url_ + ": " + e.displayText());
    }
    int status = response_->getStatus();
    if (status >= 300 && status < 400 && response_->has("Location") && redirects < 5) {
      Poco::URI next(uri, response_->get("Location"));
      url_ = next.toString();
      continue;
    }
    if (status >= 400) {
      std::string msg = "Error downloading " + url_ + ": Got HTTP status code >= 400: " + std::to_string(status) +
                        " " + response_->getReason();
      if (status == 404) throw Error::not_found(msg);
      throw Error::io(msg);
    }
    length_ = response_->hasContentLength() ? response_->getContentLength64() : -1;
    return;
  }
}

HttpFetch::~HttpFetch() = default;

ReadFn HttpFetch::reader(std::function<void(uint64_t)> progress) {
  auto total = std::make_shared<uint64_t>(0);
  return [this, progress, total](char* buf, size_t n) -> size_t {
    try {
      body_->read(buf, static_cast<std::streamsize>(n));
    } catch (const Poco::Exception& e) {
      throw Error::io("Error downloading " + url_ + ": " + e.displayText());
    }
    size_t got = static_cast<size_t>(body_->gcount());
    if (got == 0 && body_->bad()) throw Error::io("Error downloading " + url_ + ": connection failed");
    *total += got;
    if (progress) progress(*total);
    return got;
  };
}

}  // namespace burrow::image
