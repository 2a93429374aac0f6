#pragma once
// TestDir: the shared temporary directory (tests/base/temp_dir.h), made 0755 so that the users
// of a FUSE test can reach it, plus small helpers to lay out files. Test-only.

#include <fcntl.h>
#include <sys/stat.h>

#include <string>

#include "base/sys.h"
#include "tests/base/temp_dir.h"

namespace burrow::fuse_overlay::testing {

class TestDir {
 public:
  TestDir() { ::chmod(dir_.path.c_str(), 0755); }
  const std::string& path() const { return dir_.path; }
  std::string operator/(const std::string& rel) const { return dir_ / rel; }
  void dir(const std::string& rel) const { sys::make_dirs(dir_ / rel); }
  void file(const std::string& rel, const std::string& content = "x") const {
    sys::make_dirs(sys::dirname(dir_ / rel));
    Fd fd = sys::open(dir_ / rel, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    sys::write_all(fd.get(), content);
  }

 private:
  burrow::testing::TempDir dir_;  // removed with everything in it when the test ends
};

}  // namespace burrow::fuse_overlay::testing
