#include "image/registry/registry_reference.h"

#include "base/error.h"
#include "image/reference.h"

namespace burrow::image::registry {

namespace {

std::string host_only(std::string_view endpoint) {
  if (!endpoint.empty() && endpoint.front() == '[') {
    size_t close = endpoint.find(']');
    return std::string(endpoint.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1));
  }
  size_t colon = endpoint.rfind(':');
  if (colon != std::string_view::npos && endpoint.find(':') == colon) return std::string(endpoint.substr(0, colon));
  return std::string(endpoint);
}

bool is_hub(std::string_view registry) {
  return registry == "docker.io" || registry == "index.docker.io" || registry == "registry-1.docker.io";
}

}  // namespace

bool is_sha256_digest(std::string_view digest) {
  if (digest.size() != 71 || digest.substr(0, 7) != "sha256:") return false;
  for (char c : digest.substr(7))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

RegistryReference parse_registry_reference(std::string_view name, std::string_view tag, std::string_view registry) {
  RegistryReference ref;
  std::string rest(name);
  if (size_t at = rest.find('@'); at != std::string::npos) {
    ref.digest = rest.substr(at + 1);
    rest.resize(at);
    if (!is_sha256_digest(ref.digest)) throw Error::bad_parameter("invalid digest in reference `" + std::string(name) + "`");
  }
  auto [repo, own_tag] = split_repository_tag(rest);
  if (!own_tag.empty() && !tag.empty() && own_tag != tag)
    throw Error::bad_parameter("Bad parameter: `" + std::string(name) + "` has a tag and tag=" + std::string(tag) + " differs");
  std::string t = own_tag.empty() ? std::string(tag) : own_tag;
  if (t.empty() && ref.digest.empty()) t = std::string(kDefaultTag);
  if (!t.empty()) validate_tag(t);
  ref.tag = t;
  if (!registry.empty() && registry_of(familiar_repository(repo)) == kDefaultRegistry) {
    std::string host(registry);
    if (size_t s = host.find("://"); s != std::string::npos) host = host.substr(s + 3);
    while (!host.empty() && host.back() == '/') host.pop_back();
    if (!is_hub(host)) repo = host + "/" + repo;
  }
  validate_repository(repo);
  ref.familiar = familiar_repository(repo);
  std::string qualified = qualified_repository(ref.familiar);
  size_t slash = qualified.find('/');
  ref.registry = qualified.substr(0, slash);
  ref.path = qualified.substr(slash + 1);
  ref.endpoint = is_hub(ref.registry) ? "registry-1.docker.io" : ref.registry;
  return ref;
}

std::string endpoint_of_server_address(std::string_view server_address) {
  std::string s(server_address);
  if (size_t p = s.find("://"); p != std::string::npos) s = s.substr(p + 3);
  if (size_t p = s.find('/'); p != std::string::npos) s.resize(p);
  if (s.empty() || is_hub(s)) return "registry-1.docker.io";
  return s;
}

bool is_loopback_endpoint(std::string_view endpoint) {
  std::string host = host_only(endpoint);
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

bool use_plain_http(std::string_view endpoint, const std::vector<std::string>& insecure_registries) {
  if (is_loopback_endpoint(endpoint)) return true;
  std::string host = host_only(endpoint);
  for (const auto& r : insecure_registries)
    if (r == endpoint || r == host) return true;
  return false;
}

}  // namespace burrow::image::registry
