#include <catch2/catch.hpp>

#include <sys/stat.h>

#include "fuse-overlay/inode_table.h"

using namespace burrow::fuse_overlay;

namespace {
std::shared_ptr<Inode> make(uint64_t key, mode_t type = S_IFREG) {
  return std::make_shared<Inode>(key, type, Inode::Where{nullptr, "x", {1}, false, false});
}
}  // namespace

TEST_CASE("the root is node 1 and is never forgotten", "[fuse-overlay][inode]") {
  InodeTable t(make(100, S_IFDIR));
  REQUIRE(t.get(1));
  t.forget(1, 1000);
  CHECK(t.get(1));
  CHECK(t.get(1)->key() == 100);
}

TEST_CASE("one key gives one node with a lookup count", "[fuse-overlay][inode]") {
  InodeTable t(make(1, S_IFDIR));
  auto [a, na] = t.acquire(7, S_IFREG, [] { return make(7); });
  auto [b, nb] = t.acquire(7, S_IFREG, [] { return make(7); });
  CHECK(a == b);
  CHECK(na == nb);
  t.forget(a, 1);
  CHECK(t.get(a));
  t.forget(a, 1);
  CHECK_FALSE(t.get(a));
}

TEST_CASE("stale and forged node ids are rejected", "[fuse-overlay][inode]") {
  InodeTable t(make(1, S_IFDIR));
  auto [a, na] = t.acquire(7, S_IFREG, [] { return make(7); });
  t.forget(a, 1);
  auto [b, nb] = t.acquire(8, S_IFREG, [] { return make(8); });
  CHECK((a & 0xffffffffu) == (b & 0xffffffffu));  // the slot is reused...
  CHECK(a != b);                                   // ...under a new generation
  CHECK_FALSE(t.get(a));
  CHECK(t.get(b) == nb);
  CHECK_FALSE(t.get(0));
  CHECK_FALSE(t.get(12345));
  CHECK_FALSE(t.get((uint64_t{99} << 32) | 2));
}

TEST_CASE("a key reused by another file type gets a fresh node", "[fuse-overlay][inode]") {
  InodeTable t(make(1, S_IFDIR));
  auto [a, na] = t.acquire(7, S_IFREG, [] { return make(7); });
  auto [b, nb] = t.acquire(7, S_IFDIR, [] { return make(7, S_IFDIR); });
  CHECK(a != b);
  CHECK(t.get(a) == na);
  CHECK(t.find_key(7) == nb);
}

TEST_CASE("relative paths follow the parent chain", "[fuse-overlay][inode]") {
  auto root = make(1, S_IFDIR);
  auto a = std::make_shared<Inode>(2, S_IFDIR, Inode::Where{root, "a", {0}, false, false});
  auto b = std::make_shared<Inode>(3, S_IFREG, Inode::Where{a, "b", {0}, false, false});
  CHECK(relative_path(*root) == ".");
  CHECK(relative_path(*b) == "a/b");
  CHECK(child_path(*root, "x") == "x");
  b->move_to(root, "c");
  CHECK(relative_path(*b) == "c");
}
