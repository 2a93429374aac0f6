#include <catch2/catch.hpp>

#include "base/rfc3339.h"

using namespace burrow;
using namespace std::chrono_literals;

namespace {

long long seconds_of(std::string_view text) {
  auto t = parse_rfc3339(text);
  REQUIRE(t);
  return std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
}

}  // namespace

TEST_CASE("RFC 3339 times parse with a fraction and an offset", "[base][time]") {
  CHECK(seconds_of("2014-02-04T10:11:12Z") == 1391508672);
  CHECK(seconds_of("2014-02-04T10:11:12.999999999Z") == 1391508672);
  CHECK(seconds_of("2014-02-04T12:11:12+02:00") == 1391508672);
  CHECK(format_rfc3339_nano(*parse_rfc3339("2013-05-07T14:51:42.041847+02:00")) == "2013-05-07T12:51:42.041847000Z");
}

TEST_CASE("Go's zero time and text that is not a time do not parse", "[base][time]") {
  CHECK_FALSE(parse_rfc3339("0001-01-01T00:00:00Z"));
  CHECK_FALSE(parse_rfc3339("garbage"));
  CHECK_FALSE(parse_rfc3339("2014-02-04T10:11:12"));
  CHECK_FALSE(parse_rfc3339("2014-02-04T10:11:12+0200"));
}

TEST_CASE("formatting gives nine fraction digits in UTC and parses back", "[base][time]") {
  std::chrono::system_clock::time_point t{1391508672s + 5ns};
  CHECK(format_rfc3339_nano(t) == "2014-02-04T10:11:12.000000005Z");
  CHECK(parse_rfc3339(format_rfc3339_nano(t)) == t);
}
