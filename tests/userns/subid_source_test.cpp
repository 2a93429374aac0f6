#include "userns/subid_source.h"

#include <pwd.h>

#include <catch2/catch.hpp>

using namespace burrow::userns;

TEST_CASE("libsubid finds the test user's range from /etc/subuid", "[userns][subid]") {
  if (::getpwnam("burrowtest") == nullptr) {
    WARN("user burrowtest missing (run scripts/setup-test-host); skipped");
    return;
  }
  auto uids = subid_ranges("burrowtest", SubidKind::Uid);
  auto gids = subid_ranges("burrowtest", SubidKind::Gid);
  REQUIRE_FALSE(uids.empty());
  REQUIRE_FALSE(gids.empty());
  REQUIRE(uids[0].count >= 65536);
}

TEST_CASE("A user without a range has no subordinate ids", "[userns][subid]") {
  REQUIRE(subid_ranges("no-such-user-burrow", SubidKind::Uid).empty());
  REQUIRE(subid_ranges("no-such-user-burrow", SubidKind::Gid).empty());
}

TEST_CASE("uid 0 has a passwd name", "[userns][subid]") {
  REQUIRE(user_name_of(0) == "root");
  REQUIRE(user_name_of(4000000000u).empty());
}
