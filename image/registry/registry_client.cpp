#include "image/registry/registry_client.h"

#include <Poco/Exception.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/URI.h>

#include <cctype>
#include <cstring>
#include <memory>
#include <vector>

#include "base/error.h"
#include "image/client_session.h"

namespace burrow::image::registry {

namespace {

constexpr size_t kBodyLimit = 64u << 20;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string url_encode(const std::string& s) {
  std::string out;
  Poco::URI::encode(s, "!#$&'()*+,/:;=?@[]", out);
  return out;
}

// One HTTP exchange on its own connection.
struct Exchange {
  std::unique_ptr<Poco::Net::HTTPClientSession> session;
  Poco::Net::HTTPResponse response;
  std::istream* body = nullptr;
};

}  // namespace

RegistryClient::RegistryClient(RegistryClientOptions options) : options_(std::move(options)) {}

std::string RegistryClient::base_url() const {
  return (options_.plain_http ? "http://" : "https://") + options_.endpoint;
}

std::string RegistryClient::error_message(const RegistryResponse& r) {
  try {
    Poco::JSON::Parser parser;
    auto root = parser.parse(r.body).extract<Poco::JSON::Object::Ptr>();
    if (auto errors = root->getArray("errors"); errors && errors->size() > 0) {
      auto e = errors->getObject(0);
      std::string code = e->has("code") ? lower(e->get("code").toString()) : "";
      std::string message = e->has("message") ? e->get("message").toString() : "";
      for (auto& c : code)
        if (c == '_') c = ' ';
      return code.empty() ? message : code + ": " + message;
    }
  } catch (...) {
  }
  std::string text = std::to_string(r.status) + " " + r.reason;
  if (!r.body.empty() && r.body.size() < 200 && r.body.find('<') == std::string::npos) text += ": " + r.body;
  return text;
}

namespace {

// Sends one request (body from `source` when size > 0) and reads the response head.
void exchange(Exchange& ex, const std::string& base, const std::string& method, const std::string& target,
              const std::map<std::string, std::string>& headers, const std::string& authorization,
              const std::function<size_t(char*, size_t)>* source, uint64_t size, int timeout, const std::string& endpoint) {
  Poco::URI uri;
  try {
    uri = target.rfind("http", 0) == 0 ? Poco::URI(target) : Poco::URI(base + target);
  } catch (const Poco::Exception& e) {
    throw Error::bad_parameter("registry " + endpoint + ": bad URL `" + target + "`");
  }
  try {
    ex.session = open_client_session(uri);
    ex.session->setTimeout(Poco::Timespan(timeout, 0));
    std::string path = uri.getPathEtc();
    Poco::Net::HTTPRequest request(method, path.empty() ? "/" : path, Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("User-Agent", "burrow");
    if (!authorization.empty()) request.set("Authorization", authorization);
    for (const auto& [k, v] : headers) request.set(k, v);
    if (source || method == "PUT" || method == "POST" || method == "PATCH") request.setContentLength64(static_cast<int64_t>(size));
    std::ostream& out = ex.session->sendRequest(request);
    if (source && size > 0) {
      std::vector<char> buf(1 << 20);
      uint64_t left = size;
      while (left > 0) {
        size_t n = (*source)(buf.data(), std::min<uint64_t>(left, buf.size()));
        if (n == 0) throw Error::io("registry " + endpoint + ": upload source ended early");
        out.write(buf.data(), static_cast<std::streamsize>(n));
        if (!out) throw Error::io("registry " + endpoint + ": connection lost while uploading");
        left -= n;
      }
    }
    ex.body = &ex.session->receiveResponse(ex.response);
  } catch (const Poco::Exception& e) {
    throw Error::unavailable("registry " + endpoint + " is unreachable: " + e.displayText());
  }
}

RegistryResponse collect(Exchange& ex, const std::string& endpoint, bool read_body) {
  RegistryResponse r;
  r.status = ex.response.getStatus();
  r.reason = ex.response.getReason();
  for (const auto& [k, v] : ex.response) r.headers[lower(k)] = v;
  if (read_body) {
    try {
      std::vector<char> buf(65536);
      while (ex.body->read(buf.data(), static_cast<std::streamsize>(buf.size())) || ex.body->gcount() > 0) {
        r.body.append(buf.data(), static_cast<size_t>(ex.body->gcount()));
        if (r.body.size() > kBodyLimit) throw Error::io("registry " + endpoint + ": answer too large");
      }
    } catch (const Poco::Exception& e) {
      throw Error::unavailable("registry " + endpoint + ": " + e.displayText());
    }
  }
  return r;
}

}  // namespace

RegistryResponse RegistryClient::request(const std::string& method, const std::string& target,
                                         const std::map<std::string, std::string>& headers, const std::string& body) {
  std::string t = target;
  for (int redirects = 0;; ++redirects) {
    Exchange ex;
    size_t served = 0;
    std::function<size_t(char*, size_t)> src = [&](char* buf, size_t n) {
      size_t k = std::min(n, body.size() - served);
      std::memcpy(buf, body.data() + served, k);
      served += k;
      return k;
    };
    bool same_host = t.rfind("http", 0) != 0 || t.rfind(base_url(), 0) == 0;
    exchange(ex, base_url(), method, t, headers, same_host ? authorization_ : "", body.empty() ? nullptr : &src,
             body.size(), options_.timeout_seconds, options_.endpoint);
    RegistryResponse r = collect(ex, options_.endpoint, method != "HEAD");
    if ((method == "GET" || method == "HEAD") && r.status >= 300 && r.status < 400 && !r.header("location").empty() &&
        redirects < 5) {
      Poco::URI base(t.rfind("http", 0) == 0 ? t : base_url() + t);
      t = Poco::URI(base, r.header("location")).toString();
      continue;
    }
    return r;
  }
}

void RegistryClient::download(const std::string& target, const std::function<void(int64_t)>& on_length,
                              const std::function<void(const char*, size_t)>& sink) {
  std::string t = target;
  for (int redirects = 0;; ++redirects) {
    Exchange ex;
    bool same_host = t.rfind("http", 0) != 0 || t.rfind(base_url(), 0) == 0;
    exchange(ex, base_url(), "GET", t, {}, same_host ? authorization_ : "", nullptr, 0, options_.timeout_seconds,
             options_.endpoint);
    int status = ex.response.getStatus();
    if (status >= 300 && status < 400 && ex.response.has("Location") && redirects < 5) {
      Poco::URI base(t.rfind("http", 0) == 0 ? t : base_url() + t);
      t = Poco::URI(base, ex.response.get("Location")).toString();
      continue;
    }
    if (status != 200) {
      RegistryResponse r = collect(ex, options_.endpoint, true);
      std::string msg = "registry " + options_.endpoint + ": " + error_message(r);
      if (status == 404) throw Error::not_found(msg);
      if (status == 401 || status == 403) throw Error::unauthorized(msg);
      throw Error::io(msg);
    }
    on_length(ex.response.hasContentLength() ? ex.response.getContentLength64() : -1);
    std::vector<char> buf(1 << 20);
    try {
      while (true) {
        ex.body->read(buf.data(), static_cast<std::streamsize>(buf.size()));
        size_t got = static_cast<size_t>(ex.body->gcount());
        if (got == 0) break;
        sink(buf.data(), got);
      }
    } catch (const Poco::Exception& e) {
      throw Error::unavailable("registry " + options_.endpoint + ": download failed: " + e.displayText());
    }
    if (ex.body->bad()) throw Error::unavailable("registry " + options_.endpoint + ": connection lost during download");
    return;
  }
}

RegistryResponse RegistryClient::upload(const std::string& method, const std::string& target,
                                        const std::function<size_t(char*, size_t)>& source, uint64_t size,
                                        const std::map<std::string, std::string>& headers) {
  Exchange ex;
  bool same_host = target.rfind("http", 0) != 0 || target.rfind(base_url(), 0) == 0;
  exchange(ex, base_url(), method, target, headers, same_host ? authorization_ : "", &source, size,
           options_.timeout_seconds, options_.endpoint);
  return collect(ex, options_.endpoint, true);
}

RegistryResponse RegistryClient::upload_chunked(const std::string& method, const std::string& target,
                                                const std::function<void(std::ostream&)>& produce,
                                                const std::map<std::string, std::string>& headers) {
  Exchange ex;
  bool same_host = target.rfind("http", 0) != 0 || target.rfind(base_url(), 0) == 0;
  Poco::URI uri;
  try {
    uri = target.rfind("http", 0) == 0 ? Poco::URI(target) : Poco::URI(base_url() + target);
  } catch (const Poco::Exception&) {
    throw Error::bad_parameter("registry " + options_.endpoint + ": bad URL `" + target + "`");
  }
  try {
    ex.session = open_client_session(uri);
    ex.session->setTimeout(Poco::Timespan(options_.timeout_seconds, 0));
    Poco::Net::HTTPRequest request(method, uri.getPathEtc(), Poco::Net::HTTPMessage::HTTP_1_1);
    request.set("User-Agent", "burrow");
    if (same_host && !authorization_.empty()) request.set("Authorization", authorization_);
    for (const auto& [k, v] : headers) request.set(k, v);
    request.setChunkedTransferEncoding(true);
    std::ostream& out = ex.session->sendRequest(request);
    produce(out);
    out.flush();
    if (!out) throw Error::unavailable("registry " + options_.endpoint + ": connection lost while uploading");
    ex.body = &ex.session->receiveResponse(ex.response);
  } catch (const Poco::Exception& e) {
    throw Error::unavailable("registry " + options_.endpoint + " is unreachable: " + e.displayText());
  }
  return collect(ex, options_.endpoint, true);
}

std::string RegistryClient::token_for(const std::string& realm, const std::string& service, const std::string& scope) {
  std::string url = realm;
  std::string sep = realm.find('?') == std::string::npos ? "?" : "&";
  if (!service.empty()) {
    url += sep + "service=" + url_encode(service);
    sep = "&";
  }
  if (!scope.empty()) url += sep + "scope=" + url_encode(scope);
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception&) {
    throw Error::bad_parameter("registry " + options_.endpoint + ": bad token realm `" + realm + "`");
  }
  if (uri.getScheme() != "https" && !(uri.getScheme() == "http" && options_.plain_http))
    throw Error::bad_parameter("registry " + options_.endpoint + ": refusing token realm `" + realm + "` over plain http");
  std::string basic;
  if (!options_.auth.username.empty())
    basic = "Basic " + base64_encode(options_.auth.username + ":" + options_.auth.password);
  Exchange ex;
  exchange(ex, base_url(), "GET", url, {}, basic, nullptr, 0, options_.timeout_seconds, options_.endpoint);
  RegistryResponse r = collect(ex, options_.endpoint, true);
  if (r.status == 401 || r.status == 403)
    throw Error::unauthorized("Get " + realm + ": unauthorized: " + error_message(r));
  if (r.status != 200) throw Error::io("registry " + options_.endpoint + ": token endpoint answered " + error_message(r));
  try {
    Poco::JSON::Parser parser;
    auto root = parser.parse(r.body).extract<Poco::JSON::Object::Ptr>();
    std::string token = root->has("token") ? root->get("token").toString() : "";
    if (token.empty() && root->has("access_token")) token = root->get("access_token").toString();
    if (token.empty()) throw Error::io("no token");
    return token;
  } catch (...) {
    throw Error::io("registry " + options_.endpoint + ": the token endpoint gave no token");
  }
}

void RegistryClient::authenticate() {
  authorization_.clear();
  if (!options_.auth.registry_token.empty()) {
    authorization_ = "Bearer " + options_.auth.registry_token;
    return;
  }
  RegistryResponse ping = request("GET", "/v2/");
  if (ping.status == 200) return;
  if (ping.status != 401)
    throw Error::io("registry " + options_.endpoint + " does not speak the v2 protocol: " + error_message(ping));
  std::vector<AuthChallenge> challenges = parse_auth_challenges(ping.header("www-authenticate"));
  for (const auto& c : challenges) {
    if (c.scheme == "bearer") {
      authorization_ = "Bearer " + token_for(c.param("realm"), c.param("service"), options_.scope);
      break;
    }
    if (c.scheme == "basic") {
      if (options_.auth.username.empty())
        throw Error::unauthorized("registry " + options_.endpoint + ": unauthorized: authentication required");
      authorization_ = "Basic " + base64_encode(options_.auth.username + ":" + options_.auth.password);
      RegistryResponse check = request("GET", "/v2/");
      if (check.status == 401 || check.status == 403)
        throw Error::unauthorized("registry " + options_.endpoint + ": " + error_message(check));
      if (check.status != 200) throw Error::io("registry " + options_.endpoint + ": " + error_message(check));
      break;
    }
  }
  if (authorization_.empty())
    throw Error::unauthorized("registry " + options_.endpoint + ": no supported authentication scheme");
}

}  // namespace burrow::image::registry
