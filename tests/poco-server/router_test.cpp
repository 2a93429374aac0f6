#include "poco-server/router.h"

#include <catch2/catch.hpp>

#include "base/error.h"

using namespace burrow;
using namespace burrow::poco_server;

namespace {
Router sample_router() {
  Router r;
  r.add("GET", "/_ping", [](RequestContext&) {});
  r.add("GET", "/containers/json", [](RequestContext&) {});
  r.add("GET", "/containers/{name}/json", [](RequestContext&) {});
  r.add("DELETE", "/containers/{name}", [](RequestContext&) {});
  r.add("GET", "/images/json", [](RequestContext&) {});
  r.add("GET", "/images/search", [](RequestContext&) {});
  r.add("GET", "/images/{name:.*}/json", [](RequestContext&) {});
  r.add("GET", "/images/{name:.*}/history", [](RequestContext&) {});
  r.add("DELETE", "/images/{name:.*}", [](RequestContext&) {});
  r.add("POST", "/images/{name:.*}/tag", [](RequestContext&) {});
  return r;
}
}  // namespace

TEST_CASE("routes match with and without a version prefix", "[poco-server][router]") {
  Router r = sample_router();
  for (const char* path : {"/_ping", "/v1.9/_ping", "/v1.24/_ping", "/v1.44/_ping", "/v1/_ping"}) {
    INFO(path);
    auto m = r.match("GET", path);
    REQUIRE(m);
    CHECK(m->pattern == "/_ping");
  }
  CHECK(r.match("GET", "/v1.24/_ping")->version == ApiVersion{1, 24});
  CHECK(r.match("GET", "/_ping")->version == ApiVersion{1, 9});
}

TEST_CASE("unknown paths, wrong methods and stray slashes do not match", "[poco-server][router]") {
  Router r = sample_router();
  CHECK_FALSE(r.match("GET", "/nope"));
  CHECK_FALSE(r.match("POST", "/_ping"));
  CHECK_FALSE(r.match("GET", "/containers/json/"));
  CHECK_FALSE(r.match("GET", "/containers//json"));
  CHECK_FALSE(r.match("GET", "/v1.9"));
  CHECK_FALSE(r.match("GET", "/vx.9/_ping"));
  CHECK_FALSE(r.match("GET", "/"));
}

TEST_CASE("literal routes win over parameters", "[poco-server][router]") {
  Router r = sample_router();
  CHECK(r.match("GET", "/containers/json")->pattern == "/containers/json");
  CHECK(r.match("GET", "/images/json")->pattern == "/images/json");
  auto m = r.match("GET", "/v1.9/containers/4f2a/json");
  REQUIRE(m);
  CHECK(m->pattern == "/containers/{name}/json");
  CHECK(m->params.at("name") == "4f2a");
}

TEST_CASE("greedy parameters take image names with slashes and ports", "[poco-server][router]") {
  Router r = sample_router();
  auto m = r.match("GET", "/images/localhost:5000/team/app:1.0/json");
  REQUIRE(m);
  CHECK(m->params.at("name") == "localhost:5000/team/app:1.0");
  m = r.match("DELETE", "/v1.9/images/docker.io/library/busybox");
  REQUIRE(m);
  CHECK(m->params.at("name") == "docker.io/library/busybox");
  m = r.match("POST", "/images/a/b/tag");
  REQUIRE(m);
  CHECK(m->params.at("name") == "a/b");
  CHECK_FALSE(r.match("GET", "/images//json"));
}

TEST_CASE("version prefixes parse and strip", "[poco-server][router]") {
  std::string_view p = "/v1.40/containers/json";
  CHECK(Router::strip_version(p) == ApiVersion{1, 40});
  CHECK(p == "/containers/json");
  std::string_view q = "/version";
  CHECK(Router::strip_version(q) == ApiVersion{1, 9});
  CHECK(q == "/version");
  CHECK(ApiVersion::parse("1.9") == ApiVersion{1, 9});
  CHECK_FALSE(ApiVersion::parse("1.9.x"));
  CHECK_FALSE(ApiVersion::parse(""));
  CHECK(ApiVersion{1, 10} > ApiVersion{1, 9});
  CHECK(ApiVersion{1, 9}.to_string() == "1.9");
}

TEST_CASE("malformed patterns are rejected", "[poco-server][router]") {
  Router r;
  CHECK_THROWS_AS(r.add("GET", "nope", [](RequestContext&) {}), Error);
  CHECK_THROWS_AS(r.add("GET", "/a/{x:[0-9]+}", [](RequestContext&) {}), Error);
  CHECK_THROWS_AS(r.add("GET", "/a/b{x}", [](RequestContext&) {}), Error);
  CHECK_THROWS_AS(r.add("GET", "/a/{}", [](RequestContext&) {}), Error);
}
