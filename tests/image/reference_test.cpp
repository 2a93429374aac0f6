#include "image/reference.h"

#include <catch2/catch.hpp>

#include "base/error.h"

using namespace burrow;
using namespace burrow::image;

TEST_CASE("repository and tag split at the last colon unless a slash follows", "[image][reference]") {
  CHECK(split_repository_tag("busybox") == std::pair<std::string, std::string>{"busybox", ""});
  CHECK(split_repository_tag("busybox:1.36") == std::pair<std::string, std::string>{"busybox", "1.36"});
  CHECK(split_repository_tag("localhost:5000/app") == std::pair<std::string, std::string>{"localhost:5000/app", ""});
  CHECK(split_repository_tag("localhost:5000/app:v2") ==
        std::pair<std::string, std::string>{"localhost:5000/app", "v2"});
}

TEST_CASE("Docker Hub names fold to their familiar form and back", "[image][reference]") {
  CHECK(familiar_repository("docker.io/library/busybox") == "busybox");
  CHECK(familiar_repository("docker.io/user/app") == "user/app");
  CHECK(familiar_repository("index.docker.io/library/busybox") == "busybox");
  // A Hub name whose path starts with another host keeps its domain (found by fuzzing).
  CHECK(familiar_repository("index.docker.io/docker.io/u/u/app") == "index.docker.io/docker.io/u/u/app");
  CHECK(familiar_repository("docker.io/example.com/app") == "docker.io/example.com/app");
  CHECK(familiar_repository("quay.io/x/y") == "quay.io/x/y");
  CHECK(familiar_repository("busybox") == "busybox");
  CHECK(qualified_repository("busybox") == "docker.io/library/busybox");
  CHECK(qualified_repository("user/app") == "docker.io/user/app");
  CHECK(qualified_repository("localhost:5000/app") == "localhost:5000/app");
  CHECK(registry_of("busybox") == "docker.io");
  CHECK(registry_of("localhost:5000/app") == "localhost:5000");
}

TEST_CASE("parse_reference validates, folds and defaults the tag", "[image][reference]") {
  CHECK(parse_reference("busybox").to_string() == "busybox:latest");
  CHECK(parse_reference("docker.io/library/busybox:1").to_string() == "busybox:1");
  CHECK(parse_reference("registry.example.com:5000/team/app:v1.2").to_string() ==
        "registry.example.com:5000/team/app:v1.2");
  CHECK(parse_reference("my_app-x.y", "").tag.empty());
  for (const char* bad : {"UPPER", "bad//name", "-lead", "a:", "x:bad/tag", "a@sha256:abcd", "", "trail-",
                          "name:-x", "a b"}) {
    INFO(bad);
    try {
      parse_reference(bad);
      FAIL("accepted");
    } catch (const Error& e) {
      CHECK(e.kind() == Error::Kind::BadParameter);
    }
  }
  CHECK_THROWS_AS(validate_tag(std::string(129, 'a')), Error);
  CHECK_NOTHROW(validate_tag(std::string(128, 'a')));
}

TEST_CASE("a long invalid name is refused at once (no regex backtracking blow-up)", "[image][reference]") {
  for (const std::string& name : {std::string(200, 'a') + "!", std::string(120, 'a') + "-" + std::string(120, 'b') + "_",
                                  "host.example.com:5000/" + std::string(200, 'a') + "A"}) {
    CHECK_THROWS_AS(validate_repository(name), Error);
  }
  CHECK_NOTHROW(validate_repository(std::string(200, 'a') + "--b"));
}

TEST_CASE("hex names may be ids or id prefixes", "[image][reference]") {
  CHECK(looks_like_id_prefix("4f2a"));
  CHECK(looks_like_id_prefix("sha256:4f2a"));
  CHECK_FALSE(looks_like_id_prefix("busybox"));
  CHECK_FALSE(looks_like_id_prefix("4F2A"));
  CHECK_FALSE(looks_like_id_prefix(std::string(65, 'a')));
  CHECK(strip_id_algorithm("sha256:ab") == "ab");
}
