#include "base/sys.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>

using namespace burrow;

namespace {
std::string temp_dir() {
  char tmpl[] = "/tmp/burrow-base-test-XXXXXX";
  REQUIRE(::mkdtemp(tmpl) != nullptr);
  return tmpl;
}
}  // namespace

TEST_CASE("a missing file is NotFound and names the path", "[base][sys]") {
  try {
    sys::read_file("/nonexistent/burrow/file");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.kind() == Error::Kind::NotFound);
    CHECK(std::string(e.what()).find("/nonexistent/burrow/file") != std::string::npos);
    CHECK(e.sys_errno() == ENOENT);
  }
}

TEST_CASE("write_file_atomic replaces content and leaves no temporary", "[base][sys]") {
  std::string dir = temp_dir();
  std::string path = dir + "/state.json";
  sys::write_file_atomic(path, "one");
  sys::write_file_atomic(path, "two");
  CHECK(sys::read_file(path) == "two");
  CHECK_FALSE(sys::try_read_file(dir + "/absent"));
  sys::make_dirs(dir + "/a/b/c", 0700);
  CHECK(sys::exists(dir + "/a/b/c"));
  sys::remove_tree(dir);
  CHECK_FALSE(sys::exists(dir));
}

TEST_CASE("remove_tree removes read-only directories and never follows symlinks", "[base][sys]") {
  std::string dir = temp_dir();
  std::string outside = temp_dir();
  sys::write_file_atomic(outside + "/keep", "x");
  sys::make_dirs(dir + "/ro/sub");
  REQUIRE(::symlink(outside.c_str(), (dir + "/ro/link").c_str()) == 0);
  REQUIRE(::chmod((dir + "/ro").c_str(), 0500) == 0);
  sys::remove_tree(dir);
  CHECK_FALSE(sys::exists(dir));
  CHECK(sys::read_file(outside + "/keep") == "x");
  sys::remove_tree(outside);
}

TEST_CASE("dirname and basename split like the shell", "[base][sys]") {
  CHECK(sys::dirname("a/b/c") == "a/b");
  CHECK(sys::dirname("/c") == "/");
  CHECK(sys::dirname("c") == ".");
  CHECK(sys::basename("a/b/c") == "c");
}

TEST_CASE("remove_tree removes a directory its owner may not read (mode 0000)", "[base][sys]") {
  std::string dir = temp_dir();
  const uid_t nobody = 65534;
  if (::getuid() == 0) REQUIRE(::chown(dir.c_str(), nobody, nobody) == 0);
  // Root reads any directory, so the check runs as an ordinary user in a child.
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::getuid() == 0 && (::setgid(nobody) != 0 || ::setuid(nobody) != 0)) ::_exit(2);
    try {
      sys::make_dirs(dir + "/a/b");
      sys::write_file_atomic(dir + "/a/b/f", "x");
      if (::chmod((dir + "/a").c_str(), 0) != 0) ::_exit(3);
      sys::remove_tree(dir + "/a");
      ::_exit(sys::exists(dir + "/a") ? 4 : 0);
    } catch (...) {
      ::_exit(1);
    }
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  sys::remove_tree(dir);
}
