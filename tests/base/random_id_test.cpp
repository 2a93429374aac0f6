#include "base/random_id.h"

#include <catch2/catch.hpp>
#include <set>

using namespace burrow;

TEST_CASE("random ids are 64 hex characters with a non-numeric short form", "[base][id]") {
  std::set<std::string> seen;
  for (int i = 0; i < 200; ++i) {
    std::string id = random_id();
    CHECK(is_full_id(id));
    CHECK(short_id(id).size() == 12);
    CHECK(short_id(id).find_first_not_of("0123456789") != std::string::npos);
    seen.insert(id);
  }
  CHECK(seen.size() == 200);
  CHECK_FALSE(is_full_id("abc"));
  CHECK_FALSE(is_full_id(std::string(64, 'G')));
}
