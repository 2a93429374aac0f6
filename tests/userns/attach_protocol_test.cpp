#include "userns/attach_protocol.h"

#include <catch2/catch.hpp>

#include "base/error.h"

using namespace burrow::userns;

TEST_CASE("Frames carry Docker's 8-byte stream header", "[userns][attach]") {
  std::string f = encode_frame(2, "hello");
  REQUIRE(f.size() == 13);
  REQUIRE(f.substr(0, 8) == std::string("\x02\0\0\0\0\0\0\x05", 8));
  REQUIRE(f.substr(8) == "hello");
  auto h = decode_frame_header(f);
  REQUIRE(h);
  REQUIRE(h->first == 2);
  REQUIRE(h->second == 5u);
  std::string big = encode_frame(1, std::string(70000, 'a'));
  REQUIRE(decode_frame_header(big)->second == 70000u);
  REQUIRE_FALSE(decode_frame_header(std::string("\x01\x01\0\0\0\0\0\x01", 8)));
  REQUIRE_FALSE(decode_frame_header("short"));
}

TEST_CASE("Attach requests round-trip", "[userns][attach]") {
  AttachRequest r;
  r.in = true;
  r.err = true;
  r.replay = true;
  std::string line = encode_attach_request(r);
  REQUIRE(line.back() == '\n');
  AttachRequest back = parse_attach_request(line);
  REQUIRE(back.in);
  REQUIRE_FALSE(back.out);
  REQUIRE(back.err);
  REQUIRE(back.replay);
  REQUIRE_FALSE(back.resize);
}

TEST_CASE("Resize requests carry rows and columns", "[userns][attach]") {
  AttachRequest r;
  r.resize = std::make_pair(40u, 120u);
  AttachRequest back = parse_attach_request(encode_attach_request(r));
  REQUIRE(back.resize);
  REQUIRE(back.resize->first == 40u);
  REQUIRE(back.resize->second == 120u);
}

TEST_CASE("Malformed attach requests are refused", "[userns][attach]") {
  REQUIRE_THROWS_AS(parse_attach_request("stdin"), burrow::Error);
  REQUIRE_THROWS_AS(parse_attach_request("{\"stdin\":maybe}"), burrow::Error);
  REQUIRE_THROWS_AS(parse_attach_request("{\"resize\":[1]}"), burrow::Error);
  REQUIRE(parse_attach_request("{ \"stdout\" : true }").out);
}
