#include <catch2/catch.hpp>

#include "fuse-overlay/changes.h"
#include "tests/fuse-overlay/test_dir.h"

using namespace burrow::fuse_overlay;
using burrow::fuse_overlay::testing::TestDir;

namespace {

// changes() of the test directory's upper/ over `lowers`, one "C /path" line each.
std::vector<std::string> change_lines(const TestDir& t, const std::vector<std::string>& lowers) {
  std::vector<std::string> lines;
  for (auto& c : changes(t / "upper", lowers)) lines.push_back(format_change(c));
  return lines;
}

}  // namespace

TEST_CASE("changes lists modified, added and deleted paths like docker diff", "[fuse-overlay][changes]") {
  TestDir t;
  t.file("lower/etc/passwd", "root");
  t.file("lower/etc/group", "root");
  t.file("lower/bin/sh", "sh");
  t.dir("lower/tmp");
  t.file("upper/etc/passwd", "root\nuser");
  t.file("upper/etc/.wh.group", "");
  t.file("upper/tmp/new/file", "x");
  t.file("upper/.wh.bin", "");
  CHECK(change_lines(t, {t / "lower"}) == std::vector<std::string>{"D /bin", "C /etc", "D /etc/group", "C /etc/passwd",
                                                                    "C /tmp", "A /tmp/new", "A /tmp/new/file"});
}

TEST_CASE("changes without lower layers are all additions", "[fuse-overlay][changes]") {
  TestDir t;
  t.file("upper/a/b", "x");
  auto got = changes(t / "upper", {});
  REQUIRE(got.size() == 2);
  CHECK(got[0] == Change{"/a", Change::kAdded});
  CHECK(got[1] == Change{"/a/b", Change::kAdded});
}

TEST_CASE("children of an opaque directory are additions", "[fuse-overlay][changes]") {
  TestDir t;
  t.file("lower/d/old", "x");
  t.file("upper/d/.wh..wh..opq", "");
  t.file("upper/d/old", "new");
  CHECK(change_lines(t, {t / "lower"}) == std::vector<std::string>{"C /d", "A /d/old"});
}
