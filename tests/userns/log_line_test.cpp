#include "userns/log_line.h"

#include <catch2/catch.hpp>

using namespace burrow::userns;

TEST_CASE("Log text is escaped as Go's encoding/json did for Docker 0.8", "[userns][log]") {
  REQUIRE(json_escape("hello\n") == "hello\\n");
  REQUIRE(json_escape("a\"b\\c") == "a\\\"b\\\\c");
  REQUIRE(json_escape("tab\there\r") == "tab\\there\\r");
  REQUIRE(json_escape(std::string("\x01\x1f", 2)) == "\\u0001\\u001f");
  REQUIRE(json_escape(std::string("nul\0x", 5)) == "nul\\u0000x");
  REQUIRE(json_escape("<b>&") == "\\u003cb\\u003e\\u0026");
  REQUIRE(json_escape("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3") == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xb3");
  REQUIRE(json_escape("\xe2\x80\xa8") == "\\u2028");
}

TEST_CASE("Invalid UTF-8 becomes U+FFFD byte by byte", "[userns][log]") {
  REQUIRE(json_escape("a\xff" "b") == "a\\ufffdb");
  REQUIRE(json_escape("\xc3") == "\\ufffd");                  // truncated sequence
  REQUIRE(json_escape("\xc0\xaf") == "\\ufffd\\ufffd");       // overlong
  REQUIRE(json_escape("\xed\xa0\x80") == "\\ufffd\\ufffd\\ufffd");  // surrogate
}

TEST_CASE("Times are RFC3339Nano in UTC without trailing zeros", "[userns][log]") {
  REQUIRE(format_rfc3339_nano({0, 0}) == "1970-01-01T00:00:00Z");
  REQUIRE(format_rfc3339_nano({1391515200, 123000000}) == "2014-02-04T12:00:00.123Z");
  REQUIRE(format_rfc3339_nano({1391515200, 1}) == "2014-02-04T12:00:00.000000001Z");
  std::string now = now_rfc3339_nano();
  REQUIRE(now.size() >= 20);
  REQUIRE(now.back() == 'Z');
}

TEST_CASE("A log line is one JSON object with log, stream and time", "[userns][log]") {
  REQUIRE(encode_log_line("hi\n", "stdout", "2014-02-04T12:00:00Z") ==
          "{\"log\":\"hi\\n\",\"stream\":\"stdout\",\"time\":\"2014-02-04T12:00:00Z\"}\n");
}
