#include "userns/preflight.h"

#include <catch2/catch.hpp>

using namespace burrow::userns;

TEST_CASE("userns errno hints say how to fix the host", "[userns][preflight]") {
  REQUIRE_THAT(userns_errno_hint(EPERM), Catch::Contains("unprivileged_userns_clone=1"));
  REQUIRE_THAT(userns_errno_hint(ENOSPC), Catch::Contains("max_user_namespaces"));
  REQUIRE_THAT(userns_errno_hint(EINVAL), Catch::Contains("CONFIG_USER_NS"));
}

TEST_CASE("fuse errno hints name the device and the fix", "[userns][preflight]") {
  REQUIRE_THAT(fuse_errno_hint(EACCES, "/dev/fuse"), Catch::Contains("chmod 0666 /dev/fuse"));
  REQUIRE_THAT(fuse_errno_hint(ENOENT, "/dev/nonexistent-fuse"), Catch::Contains("modprobe fuse"));
}

TEST_CASE("A user without subordinate ids gets the announced single-id fallback", "[userns][preflight]") {
  PreflightOptions o;
  o.uid = 4000000000u;
  o.gid = 4000000000u;
  o.user = "no-such-user-burrow";
  o.fuse_device = "/dev/nonexistent-fuse";
  PreflightReport r = run_preflight(o);
  REQUIRE(r.single_id_fallback);
  REQUIRE(r.id_mapping_text() == "0:4000000000:1");
  REQUIRE(r.gid_map.to_text() == "0:4000000000:1");
  REQUIRE_FALSE(r.fuse_usable);
  REQUIRE_THAT(r.summary(), Catch::Contains("no subordinate id range for user `no-such-user-burrow`"));
  REQUIRE_THAT(r.summary(), Catch::Contains("modprobe fuse"));
}

TEST_CASE("A user with a range and the setuid helpers gets the full map", "[userns][preflight]") {
  PreflightOptions o;
  o.uid = 1001;
  o.gid = 1001;
  o.user = "burrowtest";
  PreflightReport r = run_preflight(o);
  if (r.newuidmap.empty() || r.newgidmap.empty()) {
    WARN("newuidmap/newgidmap unusable here; skipped");
    return;
  }
  if (r.single_id_fallback) {
    WARN("burrowtest has no subordinate range (run scripts/setup-test-host); skipped");
    return;
  }
  REQUIRE(r.uid_map.entries().size() == 2);
  REQUIRE(r.uid_map.entries()[0] == IdMapEntry{0, 1001, 1});
  REQUIRE(r.uid_map.entries()[1].inside == 1);
}
