#pragma once
// RegistryClient: the HTTP side of the Docker registry v2 protocol for one registry and one
// repository scope. authenticate() pings /v2/ and answers the registry's challenge (basic
// auth, or the bearer-token flow: WWW-Authenticate realm -> token endpoint); afterwards every
// request carries the Authorization header. Each request opens its own connection, so after
// authenticate() the object may be used from several threads at once (downloads in
// parallel). https verifies against the system CA store; plain http only when the caller
// says so (loopback or --insecure-registry).

#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>

#include "image/registry/registry_auth.h"

namespace burrow::image::registry {

struct RegistryResponse {
  int status = 0;
  std::string reason;
  std::map<std::string, std::string> headers;  // names lower case
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

struct RegistryClientOptions {
  std::string endpoint;        // host[:port]
  bool plain_http = false;
  AuthConfig auth;
  std::string scope;           // "repository:<path>:pull[,push]" or "registry:catalog:*"; "" none
  int timeout_seconds = 60;
};

class RegistryClient {
 public:
  explicit RegistryClient(RegistryClientOptions options);

  // Pings /v2/ and obtains credentials for the scope. Throws Error(Unauthorized) with the
  // registry's message for rejected credentials, Error(Unavailable) "registry X is
  // unreachable: ..." when it cannot be reached.
  void authenticate();

  // A request with a small body, the answer read whole (at most 64 MiB). target is a path
  // ("/v2/...") or an absolute URL (upload locations). Redirects are followed for GET/HEAD.
  RegistryResponse request(const std::string& method, const std::string& target,
                           const std::map<std::string, std::string>& headers = {}, const std::string& body = "");
  // A GET whose body goes to sink in chunks; on_length gets Content-Length (-1 unknown)
  // before the first chunk. Throws Error for statuses other than 200 (NotFound for 404).
  void download(const std::string& target, const std::function<void(int64_t)>& on_length,
                const std::function<void(const char*, size_t)>& sink);
  // A PUT/PATCH/POST whose body is `size` bytes read from `source` (a file's contents).
  RegistryResponse upload(const std::string& method, const std::string& target,
                          const std::function<size_t(char*, size_t)>& source, uint64_t size,
                          const std::map<std::string, std::string>& headers = {});

  // A request whose body `produce` writes to the stream it is given, sent with chunked
  // transfer encoding (a blob compressed while it is uploaded).
  RegistryResponse upload_chunked(const std::string& method, const std::string& target,
                                  const std::function<void(std::ostream&)>& produce,
                                  const std::map<std::string, std::string>& headers = {});

  // "http://host:port" or "https://host".
  std::string base_url() const;
  const std::string& endpoint() const { return options_.endpoint; }

  // "<message>" of the registry's {"errors":[{"code","message"}]} body, else status text.
  static std::string error_message(const RegistryResponse& response);

 private:
  std::string token_for(const std::string& realm, const std::string& service, const std::string& scope);

  RegistryClientOptions options_;
  std::string authorization_;  // the Authorization header value; set before threads start
};

}  // namespace burrow::image::registry
