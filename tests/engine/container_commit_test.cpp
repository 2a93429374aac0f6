#include "engine/container_commit.h"

#include <catch2/catch.hpp>

#include "engine/container.h"

using namespace burrow::engine;

TEST_CASE("merge_config fills the given config's empty fields from the container's", "[engine][commit]") {
  auto base = parse_json_object(
      R"({"Cmd":["sh"],"Env":["PATH=/bin","STAGE=one"],"WorkingDir":"/srv","User":"nobody",)"
      R"("ExposedPorts":{"80/tcp":{}},"Tty":true,"Memory":0})");
  auto user = parse_json_object(R"({"Cmd":["cat","/x"],"Env":["STAGE=two"],"User":"","ExposedPorts":{"22/tcp":{}},"Tty":false})");
  auto merged = merge_config(user, base);
  CHECK(json_strings(merged, "Cmd") == std::vector<std::string>{"cat", "/x"});
  CHECK(json_strings(merged, "Env") == std::vector<std::string>{"STAGE=two", "PATH=/bin"});
  CHECK(json_string(merged, "WorkingDir") == "/srv");
  CHECK(json_string(merged, "User") == "nobody");
  CHECK(json_bool(merged, "Tty"));  // false is "unset" in 0.8's MergeConfig
  auto ports = json_object(merged, "ExposedPorts");
  REQUIRE(ports);
  CHECK(ports->has("22/tcp"));
  CHECK(ports->has("80/tcp"));
  // The inputs are left as they were.
  CHECK(json_strings(user, "Env").size() == 1);
}

TEST_CASE("merge_config without a base is a copy of the given config", "[engine][commit]") {
  auto user = parse_json_object(R"({"Cmd":["true"]})");
  auto merged = merge_config(user, nullptr);
  CHECK(json_strings(merged, "Cmd") == std::vector<std::string>{"true"});
  CHECK(merged.get() != user.get());
}
