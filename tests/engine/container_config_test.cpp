// engine/container_config.cpp: inputs the fuzzers found (their reproducers are in
// tests/fuzz/corpus/fuzz_container_config/) and the program-name rules around them.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "base/error.h"
#include "engine/container.h"
#include "engine/container_config.h"

using namespace burrow;
using namespace burrow::engine;

namespace {

const std::string kId(64, 'a');

Poco::JSON::Object::Ptr busybox_config() {
  return parse_json_object(R"({"Cmd":["sh"],"Entrypoint":null,"Env":["PATH=/bin"]})");
}

}  // namespace

TEST_CASE("an empty program name is refused at create, not handed to exec", "[engine][container][fuzz]") {
  // fuzz_container_config: {"Image":"busybox","Cmd":[""],...} gave an empty Path.
  REQUIRE_THROWS_WITH(prepare_config(parse_json_object(R"({"Image":"busybox","Cmd":[""]})"), busybox_config(), kId,
                                     false),
                      Catch::Contains("No command specified"));
  REQUIRE_THROWS_AS(prepare_config(parse_json_object(R"({"Image":"b","Entrypoint":["","x"]})"), nullptr, kId, true),
                    Error);
  // An empty argument after the program is fine.
  auto p = prepare_config(parse_json_object(R"({"Image":"b","Cmd":["echo",""]})"), nullptr, kId, true);
  REQUIRE(p.path == "echo");
  REQUIRE(p.args == std::vector<std::string>{""});
}

TEST_CASE("Entrypoint [\"\"] clears the entrypoint, as docker run --entrypoint \"\" means", "[engine][container]") {
  auto image = parse_json_object(R"({"Cmd":["sh"],"Entrypoint":["/init"]})");
  SECTION("with a Cmd the Cmd runs") {
    auto p = prepare_config(parse_json_object(R"({"Image":"b","Entrypoint":[""],"Cmd":["ls","-l"]})"), image, kId,
                            true);
    REQUIRE(p.path == "ls");
    REQUIRE(p.args == std::vector<std::string>{"-l"});
    REQUIRE(p.config->isNull("Entrypoint"));
  }
  SECTION("without a Cmd nothing is inherited from the image") {
    REQUIRE_THROWS_WITH(prepare_config(parse_json_object(R"({"Image":"b","Entrypoint":[""]})"), image, kId, true),
                        "No command specified");
  }
}
