#include "image/tar_writer.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "base/sys.h"
#include "image/tar_extractor.h"
#include "image/tree_copy.h"
#include "tests/image/tar_fixture.h"

using namespace burrow;
using namespace burrow::image;
using namespace burrow::image::testing;

namespace {

void make_tree(const TempDir& t) {
  sys::make_dirs(t / "usr/bin");
  sys::make_dirs(t / "ro");
  sys::write_file_atomic(t / "usr/bin/tool", std::string(70000, 't'), 0755);
  sys::write_file_atomic(t / "etc.wh", "");
  sys::write_file_atomic(t / std::string(120, 'L'), "long name");
  REQUIRE(::link((t / "usr/bin/tool").c_str(), (t / "usr/bin/tool-link").c_str()) == 0);
  REQUIRE(::symlink("/usr/bin/tool", (t / "tool").c_str()) == 0);
  REQUIRE(::mkfifo((t / "fifo").c_str(), 0600) == 0);
  sys::write_file_atomic(t / "ro/file", "r");
  REQUIRE(::chmod((t / "ro").c_str(), 0555) == 0);
}

std::string describe(const std::vector<TarMember>& members) {
  std::string out;
  for (const auto& m : members) {
    out += m.name + " " + std::to_string(m.st.st_mode) + " " + std::to_string(S_ISDIR(m.st.st_mode) ? 0 : m.st.st_size) +
           " " + m.symlink + " " + m.hardlink + " " + std::to_string(m.st.st_mtime) + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("a tree written as tar and extracted again is the same tree", "[image][tar]") {
  TempDir src, dst;
  make_tree(src);
  Fd sfd = sys::open(src.path, O_RDONLY | O_DIRECTORY);
  auto members = scan_tree(sfd.get());
  std::string tar;
  uint64_t written = write_tar(sfd.get(), members, write_string(tar));
  CHECK(written == tar.size());
  CHECK(tar_size(members) == tar.size());
  CHECK(tar.size() % 512 == 0);
  Fd dfd = sys::open(dst.path, O_RDONLY | O_DIRECTORY);
  extract_tar(read_string(tar), dfd.get());
  CHECK(describe(scan_tree(dfd.get())) == describe(members));
  CHECK(sys::read_file(dst / "usr/bin/tool-link").size() == 70000);
  ::chmod((src / "ro").c_str(), 0755);
  ::chmod((dst / "ro").c_str(), 0755);
}

TEST_CASE("member names have no ./ prefix and directories end in a slash", "[image][tar]") {
  TempDir src;
  sys::make_dirs(src / "a/b");
  sys::write_file_atomic(src / "a/b/c", "x");
  Fd sfd = sys::open(src.path, O_RDONLY | O_DIRECTORY);
  auto members = scan_tree(sfd.get());
  REQUIRE(members.size() == 3);
  CHECK(members[0].name == "a/");
  CHECK(members[1].name == "a/b/");
  CHECK(members[2].name == "a/b/c");
  auto prefixed = scan_tree(sfd.get(), TarScanOptions{"root/", true});
  CHECK(prefixed[0].name == "root/");
  CHECK(prefixed[1].name == "root/a/");
}

TEST_CASE("copy_tree copies a tree with links and modes", "[image][tar]") {
  TempDir src, dst;
  make_tree(src);
  Fd sfd = sys::open(src.path, O_RDONLY | O_DIRECTORY);
  Fd dfd = sys::open(dst.path, O_RDONLY | O_DIRECTORY);
  ExtractStats stats = copy_tree(sfd.get(), dfd.get());
  CHECK(stats.size == 70000 + 9 + 1);
  CHECK(describe(scan_tree(dfd.get())) == describe(scan_tree(sfd.get())));
  ::chmod((src / "ro").c_str(), 0755);
  ::chmod((dst / "ro").c_str(), 0755);
}
