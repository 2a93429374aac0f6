#include "image/image_json.h"

#include <catch2/catch.hpp>

#include "base/error.h"

using namespace burrow;
using namespace burrow::image;

TEST_CASE("image JSON keeps Docker's field names and round-trips", "[image][json]") {
  std::string id(64, 'a'), parent(64, 'b');
  std::string text = R"({"id":")" + id + R"(","parent":")" + parent +
                     R"(","created":"2013-03-23T22:24:18.818426-07:00","container":"c1",)"
                     R"("container_config":{"Cmd":["/bin/sh","-c","echo hi"]},"config":{"Env":["A=1"]},)"
                     R"("docker_version":"0.8.0","architecture":"amd64","os":"linux","Size":6824592})";
  Image img = parse_image_json(text);
  CHECK(img.id == id);
  CHECK(img.parent == parent);
  CHECK(img.size == 6824592);
  CHECK(img.created_unix() == 1364102658);
  CHECK(img.created_by() == "/bin/sh -c echo hi");
  REQUIRE(img.config);
  std::string out = image_json_string(img);
  for (const char* key : {"\"id\"", "\"parent\"", "\"created\"", "\"container\"", "\"container_config\"",
                          "\"config\"", "\"docker_version\"", "\"architecture\"", "\"os\"", "\"Size\""})
    CHECK(out.find(key) != std::string::npos);
  Image again = parse_image_json(out);
  CHECK(again.created == img.created);
  CHECK(again.config->getArray("Env")->get(0).toString() == "A=1");
}

TEST_CASE("an import's config serialises as null and its container_config as zero values", "[image][json]") {
  Image img;
  img.id = std::string(64, 'c');
  img.created = now_rfc3339_nano();
  std::string out = image_json_string(img);
  CHECK(out.find("\"config\":null") != std::string::npos);
  CHECK(out.find("\"Cmd\":null") != std::string::npos);
  CHECK(img.created.size() == 30);
  CHECK(img.created_unix() > 1600000000);
}

TEST_CASE("bad image JSON is a BadParameter error", "[image][json]") {
  CHECK_THROWS_AS(parse_image_json("{"), Error);
  CHECK_THROWS_AS(parse_image_json(R"({"id":"short"})"), Error);
  CHECK_THROWS_AS(parse_image_json("[1]"), Error);
  Image img;
  img.created = "garbage";
  CHECK(img.created_unix() == 0);
  img.created = "2014-02-04T10:11:12Z";
  CHECK(img.created_unix() == 1391508672);
}
