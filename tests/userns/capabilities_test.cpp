#include "userns/capabilities.h"

#include <algorithm>

#include <catch2/catch.hpp>

using namespace burrow::userns;

namespace {
bool has(const std::vector<std::string>& v, const std::string& s) { return std::find(v.begin(), v.end(), s) != v.end(); }
}  // namespace

TEST_CASE("The default set is Docker 0.8's: 14 capabilities dropped", "[userns][caps]") {
  CapabilityPlan p = CapabilityPlan::docker08_default();
  REQUIRE(p.dropped().size() == 14);
  auto kept = p.kept_names();
  for (const char* gone : {"cap_sys_admin", "cap_mknod", "cap_setpcap", "cap_sys_module", "cap_sys_time",
                           "cap_audit_write", "cap_mac_admin", "cap_sys_nice", "cap_sys_resource"})
    REQUIRE_FALSE(has(kept, gone));
  for (const char* stays : {"cap_chown", "cap_dac_override", "cap_kill", "cap_setuid", "cap_net_admin",
                            "cap_net_bind_service", "cap_sys_ptrace", "cap_sys_boot", "cap_sys_chroot", "cap_setfcap"})
    REQUIRE(has(kept, stays));
}

TEST_CASE("Privileged keeps every capability", "[userns][caps]") {
  CapabilityPlan p = CapabilityPlan::all();
  REQUIRE(p.dropped().empty());
  auto kept = p.kept_names();
  REQUIRE(has(kept, "cap_sys_admin"));
  REQUIRE(has(kept, "cap_mknod"));
  CapabilityPlan moved = std::move(p);
  REQUIRE(moved.kept_names().size() == kept.size());
}
