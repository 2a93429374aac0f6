#pragma once
// A temporary directory for one test, removed with everything in it when the fixture goes
// out of scope. Shared by the unit tests of every library; not thread-safe.

#include <stdlib.h>

#include <string>

#include "base/sys.h"

namespace burrow::testing {

struct TempDir {
  std::string path;
  TempDir() {
    char tmpl[] = "/tmp/burrow-test-XXXXXX";
    if (!::mkdtemp(tmpl)) std::abort();
    path = tmpl;
  }
  ~TempDir() {
    try {
      sys::remove_tree(path);
    } catch (...) {
    }
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  std::string operator/(const std::string& rel) const { return path + "/" + rel; }
  // Writes `content` to `rel` below the directory, creating the parent directories.
  void file(const std::string& rel, const std::string& content = "x") const {
    sys::make_dirs(sys::dirname(*this / rel), 0700);
    sys::write_file_atomic(*this / rel, content);
  }
};

}  // namespace burrow::testing
