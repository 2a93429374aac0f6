// libFuzzer target: the request target as burrowd's dispatcher takes it apart (the fast split or
// Poco::URI, then the query parameters) and the Router's match over the real route table shape
// (literal, "{name}" and greedy "{name:.*}" segments, any /vX.Y prefix). Input: first byte picks
// the method, the rest is the request target.
#include <Poco/Exception.h>
#include <Poco/URI.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "poco-server/router.h"

using burrow::poco_server::Router;

namespace {

const Router& router() {
  static const Router r = [] {
    Router table;
    const char* routes[][2] = {
        {"POST", "/build"}, {"GET", "/containers/json"}, {"GET", "/containers/ps"},
        {"POST", "/containers/create"}, {"GET", "/containers/{name}/json"}, {"GET", "/containers/{name}/top"},
        {"GET", "/containers/{name}/changes"}, {"GET", "/containers/{name}/logs"},
        {"POST", "/containers/{name}/start"}, {"POST", "/containers/{name}/attach"},
        {"DELETE", "/containers/{name}"}, {"GET", "/images/json"}, {"POST", "/images/create"},
        {"GET", "/images/get"}, {"GET", "/images/{name:.*}/get"}, {"GET", "/images/{name:.*}/json"},
        {"GET", "/images/{name:.*}/history"}, {"POST", "/images/{name:.*}/tag"}, {"DELETE", "/images/{name:.*}"},
        {"GET", "/_ping"}, {"HEAD", "/_ping"}, {"GET", "/version"}, {"GET", "/events"},
    };
    for (const auto& [method, pattern] : routes) table.add(method, pattern, [](auto&) {});
    return table;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  static const char* kMethods[] = {"GET", "POST", "DELETE", "HEAD", "PUT"};
  std::string method = kMethods[data[0] % 5];
  std::string target(reinterpret_cast<const char*>(data + 1), size - 1);

  std::string path;
  try {
    if (!target.empty() && target[0] == '/' && target.find_first_of("%+#") == std::string::npos) {
      auto q = target.find('?');
      path = target.substr(0, q);
      if (q != std::string::npos && q + 1 < target.size()) Poco::URI(target.substr(q)).getQueryParameters();
    } else {
      Poco::URI uri(target);
      path = uri.getPath();
      uri.getQueryParameters();
    }
  } catch (const Poco::Exception&) {
    return 0;  // the dispatcher answers 400
  }
  auto match = router().match(method, path);
  if (match) {
    for (const auto& [name, value] : match->params) {
      if (value.empty()) __builtin_trap();  // a parameter always covers a non-empty segment
    }
  }
  std::string_view rest = path;
  Router::strip_version(rest);
  if (rest.size() > path.size()) __builtin_trap();
  return 0;
}
