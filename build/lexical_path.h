#pragma once
// LexicalPath: a path's components with empty and "." ones dropped and ".." applied on the
// text alone (the filesystem is not asked), as the builder treats Dockerfile sources and
// destinations before it opens them beneath a root. Plain values and functions.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace burrow::build {

struct LexicalPath {
  std::vector<std::string> parts;
  bool escapes = false;  // a ".." climbed above the start; it was dropped, as "/.." is "/"

  // Never throws beyond std::bad_alloc.
  static LexicalPath parse(std::string_view path);
  // The first `n` parts (all by default) joined with '/'; "." when there are none.
  std::string join(std::size_t n) const;
  std::string join() const { return join(parts.size()); }
};

}  // namespace burrow::build
