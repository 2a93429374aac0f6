// OverlayMount against a real burrow-overlay process. Hidden ([.fuse]): they need /dev/fuse
// and must run unprivileged inside a user namespace, which overlay_mount_test.sh arranges.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

#include "base/error.h"
#include "fuse-overlay/overlay_mount.h"
#include "tests/fuse-overlay/test_dir.h"

using namespace burrow::fuse_overlay;
using burrow::fuse_overlay::testing::TestDir;

namespace {

std::string program() {
  const char* dir = std::getenv("BURROW_BIN_DIR");
  return dir ? std::string(dir) + "/burrow-overlay" : "burrow-overlay";
}

OverlayMountOptions options_for(const TestDir& t) {
  t.file("lower/etc/hostname", "lower");
  t.dir("upper");
  t.dir("work");
  t.dir("merged");
  OverlayMountOptions o;
  o.program = program();
  o.lowerdirs = {t / "lower"};
  o.upperdir = t / "upper";
  o.workdir = t / "work";
  o.mountpoint = t / "merged";
  o.log_path = t / "overlay.log";
  return o;
}

}  // namespace

TEST_CASE("an overlay mount serves files, unmounts and its process ends", "[.fuse][fuse-overlay][mount]") {
  TestDir t;
  auto mount = OverlayMount::mount(options_for(t));
  REQUIRE(mount->alive());
  CHECK_FALSE(mount->failure());
  CHECK(burrow::sys::read_file(t / "merged/etc/hostname") == "lower");
  t.file("merged/etc/hostname", "changed");
  CHECK(burrow::sys::read_file(t / "upper/etc/hostname") == "changed");
  CHECK(burrow::sys::read_file(t / "lower/etc/hostname") == "lower");
  pid_t pid = mount->pid();
  mount->unmount();
  CHECK_FALSE(mount->alive());
  CHECK(::kill(pid, 0) != 0);
  CHECK_FALSE(burrow::sys::exists(t / "merged/etc"));
}

TEST_CASE("a killed overlay process is reported and its mount fails fast", "[.fuse][fuse-overlay][mount]") {
  TestDir t;
  auto mount = OverlayMount::mount(options_for(t));
  REQUIRE(::kill(mount->pid(), SIGKILL) == 0);
  for (int i = 0; i < 100 && mount->alive(); ++i) ::usleep(10000);
  CHECK_FALSE(mount->alive());
  REQUIRE(mount->failure());
  CHECK_THAT(*mount->failure(), Catch::Contains("killed by signal 9"));
  struct stat st;
  errno = 0;
  CHECK(::stat((t / "merged/etc/hostname").c_str(), &st) != 0);
  CHECK(errno == ENOTCONN);
  mount->unmount();  // removing a dead mount works
  CHECK_FALSE(burrow::sys::exists(t / "merged/etc"));
}

TEST_CASE("a mount that cannot start says why", "[.fuse][fuse-overlay][mount]") {
  TestDir t;
  auto o = options_for(t);
  o.lowerdirs = {t / "no-such-layer"};
  CHECK_THROWS_WITH(OverlayMount::mount(o), Catch::Contains("no-such-layer"));
  o = options_for(t);
  o.program = t / "missing-program";
  CHECK_THROWS_AS(OverlayMount::mount(o), burrow::Error);
}
