#include "userns/id_map.h"

#include <catch2/catch.hpp>

#include "base/error.h"

using burrow::userns::IdMap;
using burrow::userns::IdMapEntry;
using burrow::userns::SubidRange;

TEST_CASE("A planned map puts the user at 0 and the subordinate range from 1", "[userns][idmap]") {
  IdMap m = IdMap::planned(1001, {SubidRange{100000, 65536}});
  REQUIRE(m.to_text() == "0:1001:1,1:100000:65536");
  REQUIRE(m.to_proc() == "0 1001 1\n1 100000 65536\n");
  REQUIRE(m.to_newidmap_args() == std::vector<std::string>{"0", "1001", "1", "1", "100000", "65536"});
  REQUIRE_FALSE(m.single_id());
  REQUIRE(m.to_outside(0) == 1001u);
  REQUIRE(m.to_outside(1) == 100000u);
  REQUIRE(m.to_outside(65536) == 165535u);
  REQUIRE_FALSE(m.to_outside(65537).has_value());
  REQUIRE(m.to_inside(100005) == 6u);
}

TEST_CASE("Several ranges follow each other inside", "[userns][idmap]") {
  IdMap m = IdMap::planned(1000, {SubidRange{200000, 10}, SubidRange{0, 0}, SubidRange{300000, 5}});
  REQUIRE(m.to_text() == "0:1000:1,1:200000:10,11:300000:5");
}

TEST_CASE("Without ranges the plan is the single-id map", "[userns][idmap]") {
  IdMap m = IdMap::planned(1001, {});
  REQUIRE(m.single_id());
  REQUIRE(m.to_text() == "0:1001:1");
}

TEST_CASE("The kernel's map format parses, blank lines ignored", "[userns][idmap]") {
  IdMap m = IdMap::parse_proc("         0       1001          1\n         1     100000      65536\n\n");
  REQUIRE(m == IdMap({{0, 1001, 1}, {1, 100000, 65536}}));
  REQUIRE(IdMap::parse_proc("0 0 4294967295\n").to_text() == "0:0:4294967295");
  REQUIRE_THROWS_AS(IdMap::parse_proc("0 1\n"), burrow::Error);
  REQUIRE_THROWS_AS(IdMap::parse_proc("0 x 1\n"), burrow::Error);
}

TEST_CASE("The text form round-trips and rejects junk", "[userns][idmap]") {
  REQUIRE(IdMap::parse_text("0:1001:1,1:100000:65536").to_text() == "0:1001:1,1:100000:65536");
  REQUIRE(IdMap::parse_text("").empty());
  REQUIRE_THROWS_AS(IdMap::parse_text("0:1001"), burrow::Error);
  REQUIRE_THROWS_AS(IdMap::parse_text("0:1:2:3"), burrow::Error);
  REQUIRE_THROWS_AS(IdMap::parse_text("0:99999999999:1"), burrow::Error);
}

TEST_CASE("The current process's map can be read", "[userns][idmap]") {
  IdMap m = IdMap::read_current("uid_map");
  REQUIRE_FALSE(m.empty());
}
