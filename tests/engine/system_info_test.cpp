#include "engine/system_info.h"

#include <catch2/catch.hpp>

using namespace burrow::engine;

TEST_CASE("id maps parse and describe", "[engine][info]") {
  auto map = parse_id_map("         0       1001          1\n         1     200000      65536\n");
  REQUIRE(map.size() == 2);
  CHECK(map[1].host_id == 200000);
  CHECK(mapped_ids(map) == 65537);
  CHECK(describe_id_map(map) == "0:1001:1,1:200000:65536");
}

TEST_CASE("system facts are read from this host", "[engine][info]") {
  SystemInfo info = collect_system_info();
  CHECK_FALSE(info.kernel_version.empty());
  CHECK(info.ncpu >= 1);
  CHECK(info.mem_total > 0);
  CHECK(info.open_fds >= 3);
  CHECK(info.threads >= 1);
  CHECK_FALSE(info.uid_map.empty());
  CHECK((info.cgroup_version == "1" || info.cgroup_version == "2"));
  CHECK(go_arch("x86_64") == "amd64");
  CHECK(go_arch("aarch64") == "arm64");
}
