// Container names, Status strings, timestamps and users: the pure parts of the container model.
#include <catch2/catch.hpp>

#include <set>

#include "base/error.h"
#include "engine/container_names.h"
#include "engine/container_status.h"
#include "engine/container_time.h"
#include "engine/container_user.h"

using namespace burrow;
using namespace burrow::engine;
using namespace std::chrono_literals;

TEST_CASE("container names follow Docker 0.8's rules", "[engine][container]") {
  REQUIRE(normalize_container_name("web") == "/web");
  REQUIRE(normalize_container_name("/web_1.a-b") == "/web_1.a-b");
  for (const char* bad : {"", "/", "a b", "a/b", "x:y", "é"}) {
    INFO(bad);
    REQUIRE_THROWS_AS(normalize_container_name(bad), Error);
    try {
      normalize_container_name(bad);
    } catch (const Error& e) {
      REQUIRE(e.kind() == Error::Kind::BadParameter);
    }
  }
}

TEST_CASE("random names are adjective_surname and avoid taken ones", "[engine][container]") {
  std::set<std::string> taken;
  for (int i = 0; i < 200; ++i) {
    std::string n = random_container_name([&](const std::string& s) { return taken.count(s) > 0; });
    REQUIRE(n.find('_') != std::string::npos);
    REQUIRE(normalize_container_name(n) == "/" + n);
    REQUIRE(taken.insert("/" + n).second);
  }
}

TEST_CASE("human durations read like Docker 0.8's", "[engine][container]") {
  REQUIRE(human_duration(500ms) == "Less than a second");
  REQUIRE(human_duration(3s) == "3 seconds");
  REQUIRE(human_duration(61s) == "About a minute");
  REQUIRE(human_duration(5min) == "5 minutes");
  REQUIRE(human_duration(61min) == "About an hour");
  REQUIRE(human_duration(5h) == "5 hours");
  REQUIRE(human_duration(72h) == "3 days");
  REQUIRE(human_duration(24h * 21) == "3 weeks");
  REQUIRE(human_duration(24h * 120) == "4 months");
}

TEST_CASE("status strings are Up <duration> or Exit <code>", "[engine][container]") {
  auto now = std::chrono::system_clock::now();
  ContainerState s;
  s.running = true;
  s.started_at = format_rfc3339_nano(now - 3s - 100ms);
  REQUIRE(status_string(s, now) == "Up 3 seconds");
  s.running = false;
  s.exit_code = 3;
  REQUIRE(status_string(s, now) == "Exit 3");
}

TEST_CASE("RFC 3339 timestamps round-trip with nanoseconds", "[engine][container]") {
  auto t = parse_rfc3339("2013-05-07T14:51:42.041847+02:00");
  REQUIRE(t);
  REQUIRE(format_rfc3339_nano(*t) == "2013-05-07T12:51:42.041847000Z");
  REQUIRE(unix_seconds("1970-01-01T00:01:40Z") == 100);
  REQUIRE_FALSE(parse_rfc3339(kZeroTime));
  REQUIRE_FALSE(parse_rfc3339("yesterday"));
  auto now = std::chrono::system_clock::now();
  REQUIRE(parse_rfc3339(format_rfc3339_nano(now)) == std::chrono::time_point_cast<TimePoint::duration>(now));
}

TEST_CASE("users resolve in the container's passwd and group files", "[engine][container]") {
  const std::string passwd =
      "root:x:0:0:root:/root:/bin/sh\n"
      "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
      "nobody:x:65534:65534:nobody:/home:/bin/false\n";
  const std::string group = "root:x:0:\ndaemon:x:1:\nwheel:x:10:daemon,other\nnogroup:x:65534:\n";
  auto root = resolve_user_in(passwd, group, "");
  REQUIRE(root.uid == 0);
  REQUIRE(root.home == "/root");
  auto nobody = resolve_user_in(passwd, group, "nobody");
  REQUIRE(nobody.uid == 65534);
  REQUIRE(nobody.gid == 65534);
  auto d = resolve_user_in(passwd, group, "1");
  REQUIRE(d.home == "/usr/sbin");
  REQUIRE(d.additional_gids == std::vector<uint32_t>{10});
  auto numeric = resolve_user_in(passwd, group, "1234:77");
  REQUIRE(numeric.uid == 1234);
  REQUIRE(numeric.gid == 77);
  auto named_group = resolve_user_in(passwd, group, "daemon:wheel");
  REQUIRE(named_group.gid == 10);
  REQUIRE_THROWS_AS(resolve_user_in(passwd, group, "nosuchuser"), Error);
  REQUIRE_THROWS_AS(resolve_user_in(passwd, group, "root:nosuchgroup"), Error);
}
