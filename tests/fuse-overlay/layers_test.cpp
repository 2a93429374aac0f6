#include <catch2/catch.hpp>

#include <algorithm>

#include "fuse-overlay/dir_merge.h"
#include "fuse-overlay/layers.h"
#include "tests/fuse-overlay/test_dir.h"

using namespace burrow::fuse_overlay;
using burrow::fuse_overlay::testing::TestDir;

namespace {

std::vector<std::string> names(const std::vector<MergedEntry>& entries) {
  std::vector<std::string> out;
  for (auto& e : entries) out.push_back(e.name);
  std::sort(out.begin(), out.end());
  return out;
}

struct ThreeLayers {
  TestDir t;
  std::unique_ptr<Layers> layers;
  ThreeLayers() {
    // l2 (bottom): d/{a,b,sub/x}, f, g;  l1: d/{c, .wh.a}, .wh.g, e/ (opaque over l2's e/)
    t.file("l2/d/a");
    t.file("l2/d/b");
    t.file("l2/d/sub/x");
    t.file("l2/f", "bottom");
    t.file("l2/g");
    t.file("l2/e/hidden");
    t.file("l1/d/c");
    t.file("l1/d/.wh.a", "");
    t.file("l1/.wh.g", "");
    t.file("l1/e/.wh..wh..opq", "");
    t.file("l1/e/shown");
    t.file("l1/f", "top");
    t.dir("u");
    t.dir("w");
    OverlayOptions o;
    o.lowerdirs = {t / "l1", t / "l2"};
    o.upperdir = t / "u";
    o.workdir = t / "w";
    layers = std::make_unique<Layers>(o);
  }
};

}  // namespace

TEST_CASE("lookups go through the layers top-down", "[fuse-overlay][layers]") {
  ThreeLayers l;
  auto root = l.layers->root_layers();
  CHECK(root == std::vector<int>{0, 1, 2});
  Found f;
  REQUIRE(l.layers->lookup(root, ".", "f", f) == 0);
  CHECK(f.layers == std::vector<int>{1});
  CHECK(f.st.st_size == 3);
  REQUIRE(l.layers->lookup(root, ".", "d", f) == 0);
  CHECK(f.layers == std::vector<int>{1, 2});
  CHECK(f.st.st_nlink == 1);  // merged directories report one link, as overlayfs does
}

TEST_CASE("whiteouts hide lower entries", "[fuse-overlay][layers]") {
  ThreeLayers l;
  auto root = l.layers->root_layers();
  Found f;
  CHECK(l.layers->lookup(root, ".", "g", f) == ENOENT);
  Found d;
  REQUIRE(l.layers->lookup(root, ".", "d", d) == 0);
  CHECK(l.layers->lookup(d.layers, "d", "a", f) == ENOENT);
  CHECK(l.layers->lookup(d.layers, "d", "b", f) == 0);
  CHECK(l.layers->lookup(d.layers, "d", "c", f) == 0);
}

TEST_CASE("an opaque directory stops the merge", "[fuse-overlay][layers]") {
  ThreeLayers l;
  Found e;
  REQUIRE(l.layers->lookup(l.layers->root_layers(), ".", "e", e) == 0);
  CHECK(e.layers == std::vector<int>{1});
  CHECK(e.opaque);
  std::vector<MergedEntry> entries;
  REQUIRE(list_merged(*l.layers, e.layers, "e", entries) == 0);
  CHECK(names(entries) == std::vector<std::string>{"shown"});
}

TEST_CASE("merged listings have no duplicates or whiteouts", "[fuse-overlay][layers]") {
  ThreeLayers l;
  std::vector<MergedEntry> root;
  REQUIRE(list_merged(*l.layers, l.layers->root_layers(), ".", root) == 0);
  CHECK(names(root) == std::vector<std::string>{"d", "e", "f"});
  Found d;
  REQUIRE(l.layers->lookup(l.layers->root_layers(), ".", "d", d) == 0);
  std::vector<MergedEntry> entries;
  REQUIRE(list_merged(*l.layers, d.layers, "d", entries) == 0);
  CHECK(names(entries) == std::vector<std::string>{"b", "c", "sub"});
}

TEST_CASE("reported inode numbers survive a copy-up", "[fuse-overlay][layers]") {
  ThreeLayers l;
  Found f;
  REQUIRE(l.layers->lookup(l.layers->root_layers(), ".", "f", f) == 0);
  l.t.file("u/f", "copied");
  struct stat up;
  REQUIRE(::lstat((l.t / "u/f").c_str(), &up) == 0);
  l.layers->record_origin(l.layers->raw_key(up.st_dev, up.st_ino), f.key);
  Found again;
  REQUIRE(l.layers->lookup(l.layers->root_layers(), ".", "f", again) == 0);
  CHECK(again.layers == std::vector<int>{0});
  CHECK(again.key == f.key);
}
