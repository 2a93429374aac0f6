#include "engine/system_info.h"

#include <catch2/catch.hpp>

using namespace burrow::engine;

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
