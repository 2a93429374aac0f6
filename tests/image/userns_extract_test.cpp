// Extraction as an unprivileged user inside a user namespace with a single mapping (what a
// burrowd without a subuid range sees): unmappable owners fall back to 0, device nodes are
// skipped, everything else is extracted.
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <string>

#include "base/sys.h"
#include "image/tar_extractor.h"
#include "tests/image/tar_fixture.h"

using namespace burrow;
using namespace burrow::image;
using namespace burrow::image::testing;

namespace {

bool write_proc(const std::string& path, const std::string& text) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ::close(fd);
  return ok;
}

// Runs in the forked child: 0 success, 77 no user namespace, other codes name the failure.
int child(const std::string& dir, const std::string& tar, uid_t uid, gid_t gid) {
  if (::geteuid() == 0 && uid != 0) {
    if (::setgroups(0, nullptr) < 0 || ::setgid(gid) < 0 || ::setuid(uid) < 0) return 10;
    ::prctl(PR_SET_DUMPABLE, 1);  // setuid cleared it, which makes /proc/self root's
  }
  if (::unshare(CLONE_NEWUSER) < 0) return 77;
  if (!write_proc("/proc/self/setgroups", "deny")) return 11;
  if (!write_proc("/proc/self/uid_map", "0 " + std::to_string(uid) + " 1")) return 12;
  if (!write_proc("/proc/self/gid_map", "0 " + std::to_string(gid) + " 1")) return 13;
  try {
    Fd fd = sys::open(dir, O_RDONLY | O_DIRECTORY);
    ExtractStats stats = extract_tar(read_string(tar), fd.get());
    if (stats.chown_fallbacks < 2) return 20;
    if (stats.skipped_devices != 1) return 21;
    struct stat st;
    if (::lstat((dir + "/home/user/file").c_str(), &st) < 0 || st.st_uid != 0) return 22;
    if (::lstat((dir + "/dev/null").c_str(), &st) == 0) return 23;
    if (::lstat((dir + "/run/fifo").c_str(), &st) < 0 || !S_ISFIFO(st.st_mode)) return 24;
    if (::lstat((dir + "/home/user").c_str(), &st) < 0 || (st.st_mode & 07777) != 0700) return 25;
    if (sys::read_file(dir + "/home/user/file") != "mine") return 26;
  } catch (const std::exception& e) {
    return 30;
  }
  return 0;
}

}  // namespace

TEST_CASE("extraction in a single-mapping user namespace falls back instead of failing",
          "[image][extract][userns]") {
  TempDir t;
  uid_t uid = ::geteuid();
  gid_t gid = ::getegid();
  if (uid == 0) {
    if (struct passwd* pw = ::getpwnam("burrowtest")) {
      uid = pw->pw_uid;
      gid = pw->pw_gid;
      REQUIRE(::chown(t.path.c_str(), uid, gid) == 0);
    }
  }
  Member home = dir("home/user", 0700);
  home.uid = 1000;
  home.gid = 1000;
  Member owned = file("home/user/file", "mine");
  owned.uid = 1000;
  owned.gid = 1000;
  Member null_dev;
  null_dev.name = "dev/null";
  null_dev.type = AE_IFCHR;
  null_dev.rdev = makedev(1, 3);
  null_dev.perm = 0666;
  Member fifo;
  fifo.name = "run/fifo";
  fifo.type = AE_IFIFO;
  std::string tar = make_tar({dir("home"), home, owned, dir("dev"), null_dev, dir("run"), fifo});
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) ::_exit(child(t.path, tar, uid, gid));
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 77) {
    WARN("user namespaces are not available: skipped");
    return;
  }
  CHECK(WEXITSTATUS(status) == 0);
}
