// libFuzzer target: layer extraction (image/tar_extractor.h) of an arbitrary, possibly compressed
// archive into a fresh directory. Hostile or corrupt archives must end in burrow::Error, and
// nothing may appear outside the target directory (it sits alone inside a sentinel directory).
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>

#include "base/error.h"
#include "base/fd.h"
#include "base/sys.h"
#include "image/tar_extractor.h"

using namespace burrow;

namespace {

// The entries of `dir` other than "." and "..".
int count_entries(const std::string& dir) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return -1;
  int n = 0;
  while (dirent* e = ::readdir(d)) {
    if (std::strcmp(e->d_name, ".") != 0 && std::strcmp(e->d_name, "..") != 0) ++n;
  }
  ::closedir(d);
  return n;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string sentinel = [] {
    char tmpl[] = "/tmp/burrow-fuzz-tar.XXXXXX";
    if (!::mkdtemp(tmpl)) std::abort();
    return std::string(tmpl);
  }();
  const std::string root = sentinel + "/root";
  sys::remove_tree(root);
  if (::mkdir(root.c_str(), 0755) != 0) std::abort();
  {
    Fd root_fd(::open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    std::size_t offset = 0;
    image::ReadFn source = [&](char* buf, std::size_t n) {
      std::size_t k = std::min(n, size - offset);
      std::memcpy(buf, data + offset, k);
      offset += k;
      return k;
    };
    try {
      image::extract_tar(source, root_fd.get());
    } catch (const Error&) {
    }
  }
  if (count_entries(sentinel) != 1) __builtin_trap();  // something was written beside root
  sys::remove_tree(root);
  return 0;
}
