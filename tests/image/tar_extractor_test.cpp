#include "image/tar_extractor.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "base/error.h"
#include "base/sys.h"
#include "tests/image/tar_fixture.h"

using namespace burrow;
using namespace burrow::image;
using namespace burrow::image::testing;

namespace {

ExtractStats extract_into(const std::string& tar, const std::string& dir) {
  Fd fd = sys::open(dir, O_RDONLY | O_DIRECTORY);
  return extract_tar(read_string(tar), fd.get());
}

std::string refusal(const std::string& tar, const std::string& dir) {
  try {
    extract_into(tar, dir);
  } catch (const Error& e) {
    CHECK(e.kind() == Error::Kind::BadParameter);
    return e.what();
  }
  FAIL("the archive was accepted");
  return "";
}

}  // namespace

TEST_CASE("extraction keeps files, modes, times, symlinks, hard links and whiteouts", "[image][extract]") {
  TempDir t;
  Member exe = file("bin/tool", "#!/bin/sh\n", 04755);
  exe.mtime = 1234567890;
  Member ro = dir("ro", 0555);
  ro.mtime = 1111111111;
  std::string tar = make_tar({dir("bin"), exe, slink("bin/sh", "/bin/busybox"), hlink("bin/tool2", "bin/tool"),
                              ro, file("ro/inner", "x"), file("etc/.wh.passwd", ""), file("var/.wh..wh..opq", ""),
                              file(".wh..wh.plnk/123", "aufs")});
  ExtractStats stats = extract_into(tar, t.path);
  CHECK(stats.size == 11);
  struct stat st;
  REQUIRE(::lstat((t / "bin/tool").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 04755);
  CHECK(st.st_mtime == 1234567890);
  CHECK(st.st_nlink == 2);
  CHECK(sys::read_file(t / "bin/tool2") == "#!/bin/sh\n");
  char target[64] = {};
  REQUIRE(::readlink((t / "bin/sh").c_str(), target, sizeof target) > 0);
  CHECK(std::string(target) == "/bin/busybox");
  REQUIRE(::lstat((t / "ro").c_str(), &st) == 0);
  CHECK((st.st_mode & 07777) == 0555);
  CHECK(st.st_mtime == 1111111111);
  CHECK(sys::exists(t / "etc/.wh.passwd"));
  CHECK(sys::exists(t / "var/.wh..wh..opq"));
  CHECK_FALSE(sys::exists(t / ".wh..wh.plnk"));
  ::chmod((t / "ro").c_str(), 0755);
}

TEST_CASE("permission bits survive whatever the umask", "[image][extract]") {
  TempDir t;
  mode_t old = ::umask(022);
  extract_into(make_tar({file("a", "1", 0640), file("b", "1", 0666), file("c", "1", 02755), file("d", "", 0)}), t.path);
  ::umask(old);
  struct stat st;
  for (auto [name, mode] : std::vector<std::pair<const char*, mode_t>>{{"a", 0640}, {"b", 0666}, {"c", 02755}, {"d", 0}}) {
    INFO(name);
    REQUIRE(::lstat((t / name).c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == mode);
  }
}

TEST_CASE("gzip, bzip2 and xz archives are detected", "[image][extract]") {
  for (const char* filter : {"gzip", "bzip2", "xz"}) {
    INFO(filter);
    TempDir t;
    extract_into(make_tar({file("a/b", "hello")}, filter), t.path);
    CHECK(sys::read_file(t / "a/b") == "hello");
  }
}

TEST_CASE("owners are kept when the namespace maps them", "[image][extract]") {
  if (::geteuid() != 0) return;  // only root can give files away here
  TempDir t;
  Member m = file("owned", "x");
  m.uid = 1234;
  m.gid = 4321;
  extract_into(make_tar({m}), t.path);
  struct stat st;
  REQUIRE(::lstat((t / "owned").c_str(), &st) == 0);
  CHECK(st.st_uid == 1234u);
  CHECK(st.st_gid == 4321u);
}

TEST_CASE("xattrs survive extraction where the file system takes them", "[image][extract]") {
  TempDir t;
  Member m = file("f", "x");
  m.xattrs = {{"user.burrow", "yes"}};
  ExtractStats stats = extract_into(make_tar({m}), t.path);
  char value[16] = {};
  if (stats.skipped_xattrs == 0) {
    REQUIRE(::getxattr((t / "f").c_str(), "user.burrow", value, sizeof value) == 3);
    CHECK(std::string(value) == "yes");
  }
}

TEST_CASE("overlayfs whiteouts become Docker whiteout files", "[image][extract]") {
  TempDir t;
  Member wh;
  wh.name = "etc/gone";
  wh.type = AE_IFCHR;
  wh.rdev = makedev(0, 0);
  extract_into(make_tar({dir("etc"), wh}), t.path);
  CHECK(sys::exists(t / "etc/.wh.gone"));
  CHECK_FALSE(sys::exists(t / "etc/gone"));
}

TEST_CASE("later members replace earlier ones", "[image][extract]") {
  TempDir t;
  extract_into(make_tar({dir("a"), file("a/x", "1"), file("a", "now a file"), file("b", "1"), file("b", "2")}), t.path);
  CHECK(sys::read_file(t / "a") == "now a file");
  CHECK(sys::read_file(t / "b") == "2");
}

TEST_CASE("hostile members are refused with a message naming them", "[image][extract][hostile]") {
  TempDir outside;
  TempDir t;
  SECTION("dot-dot") {
    std::string msg = refusal(make_tar({file("a/../../escape", "x")}), t.path);
    CHECK(msg.find("a/../../escape") != std::string::npos);
    CHECK(msg.find("..") != std::string::npos);
  }
  SECTION("absolute path") {
    std::string msg = refusal(make_tar({file("/etc/evil", "x")}), t.path);
    CHECK(msg.find("absolute") != std::string::npos);
  }
  SECTION("through a symlink") {
    std::string msg = refusal(make_tar({slink("link", outside.path), file("link/evil", "x")}), t.path);
    CHECK(msg.find("symbolic link") != std::string::npos);
    CHECK_FALSE(sys::exists(outside / "evil"));
  }
  SECTION("through a relative symlink") {
    refusal(make_tar({dir("d"), slink("d/up", "../.."), file("d/up/evil", "x")}), t.path);
  }
  SECTION("hard link to outside") {
    std::string msg = refusal(make_tar({hlink("passwd", "../../../etc/passwd")}), t.path);
    CHECK(msg.find("passwd") != std::string::npos);
  }
  SECTION("hard link through a symlink") {
    sys::write_file_atomic(outside / "secret", "s");
    refusal(make_tar({slink("out", outside.path), hlink("stolen", "out/secret")}), t.path);
    CHECK_FALSE(sys::exists(t / "stolen"));
  }
  SECTION("hard link to a missing target") {
    refusal(make_tar({hlink("x", "nothere")}), t.path);
  }
  SECTION("truncated archive") {
    std::string tar = make_tar({file("big", std::string(100000, 'z'))});
    std::string msg = refusal(tar.substr(0, 20000), t.path);
    CHECK(msg.find("tar") != std::string::npos);
  }
  SECTION("garbage") {
    refusal(std::string(4096, '\x7f'), t.path);
  }
  SECTION("huge pax header") {
    // A pax extended header claiming 1 GiB of attributes, then the archive ends.
    std::string header(512, '\0');
    std::string name = "PaxHeaders/x";
    std::copy(name.begin(), name.end(), header.begin());
    auto put = [&](size_t off, const std::string& s) { std::copy(s.begin(), s.end(), header.begin() + off); };
    put(100, "0000644");
    put(108, "0000000");
    put(116, "0000000");
    put(124, "10000000000");
    put(136, "00000000000");
    header[156] = 'x';
    put(257, "ustar");
    put(263, "00");
    put(148, "        ");
    unsigned sum = 0;
    for (unsigned char c : header) sum += c;
    char chk[8];
    std::snprintf(chk, sizeof chk, "%06o", sum);
    put(148, std::string(chk, 6));
    header[154] = '\0';
    header[155] = ' ';
    refusal(header + std::string(4096, 'A'), t.path);
  }
  SECTION("over-long name") {
    std::string msg = refusal(make_tar({file(std::string(300, 'n'), "x")}), t.path);
    CHECK(msg.find("255") != std::string::npos);
  }
}
