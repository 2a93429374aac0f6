#include <catch2/catch.hpp>

#include "base/error.h"
#include "fuse-overlay/overlay_options.h"
#include "tests/fuse-overlay/test_dir.h"

using namespace burrow::fuse_overlay;

TEST_CASE("lowerdir lists split at unescaped colons", "[fuse-overlay][options]") {
  CHECK(split_lowerdirs("/a:/b:/c") == std::vector<std::string>{"/a", "/b", "/c"});
  CHECK(split_lowerdirs("/a\\:x:/b") == std::vector<std::string>{"/a:x", "/b"});
  CHECK(split_lowerdirs("") .empty());
}

TEST_CASE("escaped commas and colons in -o lowerdir= stay in the directory names", "[fuse-overlay][options]") {
  testing::TestDir t;
  t.dir("a,b:c");
  t.dir("d");
  std::string escaped = t.path() + "/a\\,b\\:c";
  auto o = parse_overlay_args({"p", "-o", "lowerdir=" + escaped + ":" + (t / "d") + ",upperdir=" + (t / "d")}, true);
  CHECK(o.lowerdirs == std::vector<std::string>{t / "a,b:c", t / "d"});
  CHECK(o.upperdir == t / "d");
}

TEST_CASE("fuse-overlayfs style arguments are parsed", "[fuse-overlay][options]") {
  auto o = parse_overlay_args({"burrow-overlay", "-o", "lowerdir=/tmp:/,upperdir=/tmp,workdir=/tmp,fsync=0,allow_other", "-f", "/tmp"});
  CHECK(o.lowerdirs == std::vector<std::string>{"/tmp", "/"});
  CHECK(o.upperdir == "/tmp");
  CHECK(o.workdir == "/tmp");
  CHECK(o.mountpoint == "/tmp");
  CHECK_FALSE(o.fsync);
  CHECK(o.foreground);
  CHECK(o.fuse_options == std::vector<std::string>{"allow_other"});
}

TEST_CASE("bad overlay arguments name the problem", "[fuse-overlay][options]") {
  CHECK_THROWS_WITH(parse_overlay_args({"p", "/tmp"}), Catch::Contains("lowerdir"));
  CHECK_THROWS_WITH(parse_overlay_args({"p", "-o", "lowerdir=/tmp,upperdir=/tmp", "/tmp"}), Catch::Contains("workdir"));
  CHECK_THROWS_WITH(parse_overlay_args({"p", "-o", "lowerdir=/no/such/dir", "/tmp"}), Catch::Contains("/no/such/dir"));
  CHECK_THROWS_AS(parse_overlay_args({"p", "-o", "lowerdir=/tmp", "--bogus", "/tmp"}), burrow::Error);
  CHECK_THROWS_WITH(parse_overlay_args({"p", "-o", "lowerdir=/tmp"}), Catch::Contains("MOUNTPOINT"));
}
