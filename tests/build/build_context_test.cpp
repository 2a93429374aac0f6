#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <Poco/SHA2Engine.h>

#include <cstdlib>
#include <string>

#include "base/error.h"
#include "base/sys.h"
#include "build/build_context.h"
#include "build/tree_copy_in_root.h"
#include "tests/base/temp_dir.h"

using burrow::Error;
using burrow::build::BuildContext;
using burrow::testing::TempDir;

namespace {

// A tar of `dir` made by tar(1) (the test only needs a few members).
std::string make_tar(const std::string& dir, const std::string& out, const std::string& extra = "") {
  std::string cmd = "tar -C '" + dir + "' -cf '" + out + "' " + extra + " . 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  return out;
}

BuildContext context_from(const std::string& root, const std::string& tar) {
  burrow::Fd fd = burrow::sys::open(tar, O_RDONLY);
  burrow::image::ReadFn read = [fd = fd.get()](char* b, size_t n) { return burrow::sys::read_some(fd, b, n); };
  return BuildContext::from_tar(root + "/tmp", read);
}

std::string hash_of(int fd) {
  Poco::SHA2Engine d(Poco::SHA2Engine::SHA_256);
  burrow::build::hash_source(fd, d);
  return Poco::DigestEngine::digestToHex(d.digest());
}

}  // namespace

TEST_CASE("source paths are cleaned and may not climb out", "[build][context]") {
  CHECK(BuildContext::clean_source("a/./b//c/") == "a/b/c");
  CHECK(BuildContext::clean_source("/abs/x") == "abs/x");
  CHECK(BuildContext::clean_source("a/../b") == "b");
  CHECK(BuildContext::clean_source(".") == ".");
  CHECK_THROWS_WITH(BuildContext::clean_source("../etc/passwd"), "Forbidden path outside the build context: ../etc/passwd");
  CHECK_THROWS_WITH(BuildContext::clean_source("a/../../x"), "Forbidden path outside the build context: a/../../x");
}

TEST_CASE("a context tar is unpacked to disk and symlinks cannot lead out", "[build][context]") {
  TempDir t;
  std::string src = t.path + "/src";
  burrow::sys::make_dirs(src + "/sub");
  burrow::sys::write_file_atomic(src + "/Dockerfile", "FROM busybox\n");
  burrow::sys::write_file_atomic(src + "/sub/file", "data");
  REQUIRE(::symlink("/etc/passwd", (src + "/abs").c_str()) == 0);
  REQUIRE(::symlink("../../outside", (src + "/sub/up").c_str()) == 0);
  REQUIRE(::symlink("sub/file", (src + "/inside").c_str()) == 0);
  std::string tar = make_tar(src, t.path + "/ctx.tar");
  std::string dir;
  {
    BuildContext ctx = context_from(t.path, tar);
    dir = ctx.dir();
    CHECK(burrow::sys::exists(dir + "/sub/file"));
    CHECK(ctx.read_dockerfile("Dockerfile") == "FROM busybox\n");
    CHECK_THROWS_AS(ctx.read_dockerfile("Missing"), Error);
    CHECK(ctx.open_source("inside").valid());
    CHECK(ctx.open_source("sub").valid());
    CHECK_THROWS_WITH(ctx.open_source("abs"), "Forbidden path outside the build context: abs");
    CHECK_THROWS_WITH(ctx.open_source("sub/up"), "Forbidden path outside the build context: sub/up");
    try {
      ctx.open_source("nothing");
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.is_not_found());
    }
  }
  CHECK_FALSE(burrow::sys::exists(dir));
}

TEST_CASE("a hostile context tar is refused and leaves nothing", "[build][context]") {
  TempDir t;
  std::string src = t.path + "/src";
  burrow::sys::make_dirs(src);
  burrow::sys::write_file_atomic(src + "/x", "x");
  std::string tar = t.path + "/bad.tar";
  std::string cmd = "tar -C '" + src + "' -cf '" + tar + "' --transform='s,^\\./x,../escaped,' ./x 2>/dev/null";
  REQUIRE(std::system(cmd.c_str()) == 0);
  CHECK_THROWS_AS(context_from(t.path, tar), Error);
  CHECK_FALSE(burrow::sys::exists(t.path + "/escaped"));
  CHECK(burrow::sys::read_file(t.path + "/tmp/../src/x") == "x");
  // The temporary context directory was removed.
  std::string ls = t.path + "/tmp";
  CHECK(std::system(("test -z \"$(ls -A '" + ls + "')\"").c_str()) == 0);
}

TEST_CASE("the source hash follows content, names and modes", "[build][context]") {
  TempDir t;
  std::string a = t.path + "/a", b = t.path + "/b";
  for (const auto& d : {a, b}) {
    burrow::sys::make_dirs(d + "/sub");
    burrow::sys::write_file_atomic(d + "/sub/f", "same");
  }
  auto h = [](const std::string& p) { return hash_of(burrow::sys::open(p, O_PATH).get()); };
  CHECK(h(a) == h(b));
  burrow::sys::write_file_atomic(b + "/sub/f", "diff");
  CHECK(h(a) != h(b));
  burrow::sys::write_file_atomic(b + "/sub/f", "same");
  CHECK(h(a) == h(b));
  REQUIRE(::chmod((b + "/sub/f").c_str(), 0755) == 0);
  CHECK(h(a) != h(b));
  CHECK(h(a + "/sub/f") == h(a + "/sub/f"));
}

TEST_CASE("copying into a root merges directories and keeps symlinks inside it", "[build][context]") {
  TempDir t;
  std::string root = t.path + "/root", src = t.path + "/src";
  burrow::sys::make_dirs(root + "/etc");
  burrow::sys::make_dirs(root + "/real");
  REQUIRE(::symlink("/real", (root + "/link").c_str()) == 0);
  burrow::sys::write_file_atomic(root + "/etc/keep", "keep");
  burrow::sys::make_dirs(src + "/etc");
  burrow::sys::write_file_atomic(src + "/etc/new", "new");
  REQUIRE(::symlink("new", (src + "/etc/alias").c_str()) == 0);
  burrow::Fd root_fd = burrow::sys::open(root, O_PATH | O_DIRECTORY);
  burrow::Fd src_fd = burrow::sys::open(src, O_PATH | O_DIRECTORY);
  burrow::Fd dest = burrow::build::make_dir_in_root(root_fd.get(), "/");
  burrow::build::copy_dir_contents(src_fd.get(), dest.get(), false);
  CHECK(burrow::sys::read_file(root + "/etc/keep") == "keep");
  CHECK(burrow::sys::read_file(root + "/etc/new") == "new");
  CHECK(burrow::sys::read_file(root + "/etc/alias") == "new");
  // An absolute symlink in the root resolves inside it, never on the host.
  burrow::Fd via_link = burrow::build::make_dir_in_root(root_fd.get(), "/link/deeper");
  CHECK(burrow::sys::exists(root + "/real/deeper"));
  CHECK(burrow::build::is_dir_in_root(root_fd.get(), "/link"));
  CHECK_FALSE(burrow::build::is_dir_in_root(root_fd.get(), "/etc/keep"));
  burrow::Fd f = burrow::sys::open(src + "/etc/new", O_PATH);
  burrow::build::copy_file_to(f.get(), via_link.get(), "copied", 0640);
  CHECK(burrow::sys::read_file(root + "/real/deeper/copied") == "new");
  CHECK_THROWS_AS(burrow::build::make_dir_in_root(root_fd.get(), "/etc/keep/x"), Error);
}

TEST_CASE("wildcards expand to matching context paths", "[build][context]") {
  TempDir t;
  std::string src = t.path + "/src";
  burrow::sys::make_dirs(src + "/a1");
  burrow::sys::make_dirs(src + "/a2");
  burrow::sys::write_file_atomic(src + "/a1/x.json", "1");
  burrow::sys::write_file_atomic(src + "/a2/x.json", "2");
  burrow::sys::write_file_atomic(src + "/a2/y.txt", "3");
  burrow::sys::write_file_atomic(src + "/p.json", "4");
  burrow::sys::write_file_atomic(src + "/.hidden.json", "5");
  REQUIRE(::symlink("/etc", (src + "/a3").c_str()) == 0);
  BuildContext ctx = context_from(t.path, make_tar(src, t.path + "/ctx.tar"));
  CHECK(ctx.glob("*.json") == std::vector<std::string>{".hidden.json", "p.json"});
  CHECK(ctx.glob("a*/x.json") == std::vector<std::string>{"a1/x.json", "a2/x.json"});
  CHECK(ctx.glob("a?/*.txt") == std::vector<std::string>{"a2/y.txt"});
  CHECK(ctx.glob("[b-o]*").empty());
  CHECK(ctx.glob("plain/path") == std::vector<std::string>{"plain/path"});
}
