#pragma once
// TestDir: a temporary directory removed with everything in it at the end of a test, plus
// small helpers to lay out files. Test-only.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>

#include "base/sys.h"

namespace burrow::fuse_overlay::testing {

class TestDir {
 public:
  TestDir() {
    char tmpl[] = "/tmp/burrow-ovl-test.XXXXXX";
    path_ = ::mkdtemp(tmpl);
    ::chmod(path_.c_str(), 0755);
  }
  ~TestDir() {
    try {
      sys::remove_tree(path_);
    } catch (...) {
    }
  }
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }
  void dir(const std::string& rel) const { sys::make_dirs(path_ + "/" + rel); }
  void file(const std::string& rel, const std::string& content = "x") const {
    sys::make_dirs(sys::dirname(path_ + "/" + rel));
    Fd fd = sys::open(path_ + "/" + rel, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    sys::write_all(fd.get(), content);
  }

 private:
  std::string path_;
};

}  // namespace burrow::fuse_overlay::testing
