#include "userns/sandbox_plan.h"

#include <sys/mount.h>

#include <catch2/catch.hpp>

#include "base/error.h"

using namespace burrow::userns;

namespace {

SandboxHost full_host() {
  SandboxHost h;
  h.uid_ranges = {{0, 1}, {1, 65536}};
  h.gid_ranges = {{0, 1}, {1, 65536}};
  return h;
}

ContainerSpec good_spec() {
  ContainerSpec s;
  s.id = std::string(64, 'a');
  s.rootfs = "/";
  s.args = {"sh"};
  s.env = {"PATH=/bin", "A=b"};
  s.cwd = "/work";
  s.hostname = "abc123";
  s.log_path = "/tmp/log";
  return s;
}

void require_invalid(const ContainerSpec& s, const std::string& text, const SandboxHost& h = full_host()) {
  REQUIRE_THROWS_WITH(SandboxPlan::from_spec(s, h).validate(), Catch::Contains(text));
}

}  // namespace

TEST_CASE("The plan mounts /proc, builds /dev, mounts /sys, then the binds", "[userns][plan]") {
  ContainerSpec s = good_spec();
  s.binds = {{"/tmp", "/mnt/tmp", true}};
  SandboxPlan p = SandboxPlan::from_spec(s, full_host());
  REQUIRE_NOTHROW(p.validate());
  REQUIRE(p.ops.front().kind == OpKind::MountProc);
  REQUIRE(p.ops.front().dest == "/proc");
  REQUIRE(p.ops[1].kind == OpKind::MountTmpfs);
  REQUIRE(p.ops[1].dest == "/dev");
  REQUIRE(p.ops.back().kind == OpKind::Bind);
  REQUIRE(p.ops.back().read_only);
  REQUIRE(p.ops.back().source_is_dir);
  std::vector<std::string> dests;
  for (const auto& op : p.ops) dests.push_back(op.dest);
  for (const char* d : {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty",
                        "/dev/console", "/dev/pts", "/dev/ptmx", "/dev/shm", "/dev/mqueue", "/sys"})
    REQUIRE(std::find(dests.begin(), dests.end(), d) != dests.end());
  REQUIRE(p.path_env == "/bin");
}

TEST_CASE("devpts gets gid=5 only when gid 5 is mapped", "[userns][plan]") {
  SandboxHost h = full_host();
  auto devpts = [](const SandboxPlan& p) {
    for (const auto& op : p.ops)
      if (op.kind == OpKind::MountDevpts) return op.data;
    return std::string();
  };
  REQUIRE_THAT(devpts(SandboxPlan::from_spec(good_spec(), h)), Catch::Contains("gid=5"));
  h.tty_gid_mapped = false;
  REQUIRE_THAT(devpts(SandboxPlan::from_spec(good_spec(), h)), !Catch::Contains("gid="));
}

TEST_CASE("Without PATH in env the container gets Docker's default", "[userns][plan]") {
  ContainerSpec s = good_spec();
  s.env = {"A=b"};
  REQUIRE(SandboxPlan::from_spec(s, full_host()).path_env == "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
}

TEST_CASE("Validation refuses what would fail after clone", "[userns][plan]") {
  ContainerSpec s = good_spec();
  SECTION("relative rootfs") { s.rootfs = "rootfs"; require_invalid(s, "rootfs"); }
  SECTION("missing rootfs") { s.rootfs = "/nonexistent-rootfs"; require_invalid(s, "is not a directory"); }
  SECTION("no command") { s.args.clear(); require_invalid(s, "no command"); }
  SECTION("env without =") { s.env.push_back("JUSTNAME"); require_invalid(s, "NAME=VALUE"); }
  SECTION("relative cwd") { s.cwd = "work"; require_invalid(s, "working directory"); }
  SECTION("cwd with ..") { s.cwd = "/a/../b"; require_invalid(s, "working directory"); }
  SECTION("bad hostname") { s.hostname = "a b"; require_invalid(s, "hostname"); }
  SECTION("bind destination with ..") { s.binds = {{"/tmp", "/mnt/../etc", false}}; require_invalid(s, "destination"); }
  SECTION("bind onto /") { s.binds = {{"/tmp", "/", false}}; require_invalid(s, "destination"); }
  SECTION("missing bind source") { s.binds = {{"/nonexistent-src", "/x", false}}; require_invalid(s, "does not exist"); }
  SECTION("unmapped uid") { s.uid = 70000; require_invalid(s, "user id 70000 is not mapped"); }
  SECTION("unmapped gid in single-id mode") {
    SandboxHost h = full_host();
    h.gid_ranges = {{0, 1}};
    s.gid = 100;
    require_invalid(s, "single-id mapping", h);
  }
  SECTION("groups with setgroups denied") {
    SandboxHost h = full_host();
    h.setgroups_allowed = false;
    s.additional_gids = {10};
    require_invalid(s, "setgroups", h);
  }
}

TEST_CASE("Without a hostname the container gets its short id", "[userns][plan]") {
  ContainerSpec s = good_spec();
  s.hostname.clear();
  s.id = "0123456789ab" + std::string(52, 'c');
  REQUIRE(SandboxPlan::from_spec(s, full_host()).hostname == "0123456789ab");
}

TEST_CASE("/sys is read-only unless privileged", "[userns][plan]") {
  auto sys_flags = [](const ContainerSpec& s) {
    for (const auto& op : SandboxPlan::from_spec(s, full_host()).ops)
      if (op.kind == OpKind::MountSysfs) return op.flags;
    return 0UL;
  };
  ContainerSpec s = good_spec();
  REQUIRE((sys_flags(s) & MS_RDONLY) != 0);
  s.privileged = true;
  REQUIRE((sys_flags(s) & MS_RDONLY) == 0);
}

TEST_CASE("A file bind is planned as a file", "[userns][plan]") {
  ContainerSpec s = good_spec();
  s.binds = {{"/etc/hostname", "/etc/hostname", false}};
  SandboxPlan p = SandboxPlan::from_spec(s, full_host());
  REQUIRE_FALSE(p.ops.back().source_is_dir);
}
