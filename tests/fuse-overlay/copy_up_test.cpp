#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fuse-overlay/copy_up.h"
#include "tests/fuse-overlay/test_dir.h"

using namespace burrow::fuse_overlay;
using burrow::fuse_overlay::testing::TestDir;

namespace {

struct CopyUpFixture {
  TestDir t;
  std::unique_ptr<Layers> layers;
  CopyUpFixture() {
    t.dir("u/etc");
    t.dir("w");
    t.file("l/etc/conf", "content");
    OverlayOptions o;
    o.lowerdirs = {t / "l"};
    o.upperdir = t / "u";
    o.workdir = t / "w";
    layers = std::make_unique<Layers>(o);
  }
  CopyUpRequest request(const std::string& path) {
    CopyUpRequest r;
    r.from_layer = 1;
    r.path = path;
    REQUIRE(::lstat((t / ("l/" + path)).c_str(), &r.st) == 0);
    return r;
  }
};

}  // namespace

TEST_CASE("copy-up keeps data, mode, timestamps and user xattrs", "[fuse-overlay][copy-up]") {
  CopyUpFixture f;
  std::string lower = f.t / "l/etc/conf";
  REQUIRE(::chmod(lower.c_str(), 0640) == 0);
  struct timespec times[2] = {{1000000000, 5}, {1100000000, 7}};
  REQUIRE(::utimensat(AT_FDCWD, lower.c_str(), times, 0) == 0);
  bool have_xattr = ::setxattr(lower.c_str(), "user.k", "v", 1, 0) == 0;
  ::setxattr(lower.c_str(), "user.overlay.origin", "x", 1, 0);
  REQUIRE(copy_up(*f.layers, f.request("etc/conf")) == 0);
  std::string upper = f.t / "u/etc/conf";
  CHECK(burrow::sys::read_file(upper) == "content");
  struct stat st;
  REQUIRE(::lstat(upper.c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0640);
  CHECK(st.st_mtim.tv_sec == 1100000000);
  CHECK(st.st_mtim.tv_nsec == 7);
  if (have_xattr) {
    char v[8];
    CHECK(::getxattr(upper.c_str(), "user.k", v, sizeof v) == 1);
    CHECK(::getxattr(upper.c_str(), "user.overlay.origin", v, sizeof v) < 0);  // private names stay behind
  }
  CHECK(burrow::sys::read_file(lower) == "content");
}

TEST_CASE("copy-up of symlinks, directories and empty copies", "[fuse-overlay][copy-up]") {
  CopyUpFixture f;
  REQUIRE(::symlink("conf", (f.t / "l/etc/link").c_str()) == 0);
  f.t.dir("l/etc/sub");
  REQUIRE(::chmod((f.t / "l/etc/sub").c_str(), 0700) == 0);
  REQUIRE(copy_up(*f.layers, f.request("etc/link")) == 0);
  char target[16] = {};
  CHECK(::readlink((f.t / "u/etc/link").c_str(), target, sizeof target - 1) == 4);
  CHECK(std::string(target) == "conf");
  REQUIRE(copy_up(*f.layers, f.request("etc/sub")) == 0);
  struct stat st;
  REQUIRE(::lstat((f.t / "u/etc/sub").c_str(), &st) == 0);
  CHECK(S_ISDIR(st.st_mode));
  CHECK((st.st_mode & 07777) == 0700);
  auto r = f.request("etc/conf");
  r.with_data = false;
  REQUIRE(copy_up(*f.layers, r) == 0);
  CHECK(burrow::sys::read_file(f.t / "u/etc/conf").empty());
}

TEST_CASE("a second copy-up of the same path reports EEXIST and leaves no temporary", "[fuse-overlay][copy-up]") {
  CopyUpFixture f;
  REQUIRE(copy_up(*f.layers, f.request("etc/conf")) == 0);
  CHECK(copy_up(*f.layers, f.request("etc/conf")) == EEXIST);
  CHECK(::rmdir((f.t / "w").c_str()) == 0);  // empty
}
