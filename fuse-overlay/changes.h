#pragma once
// The changes a container made, read from its upper layer against the image's lower layers,
// in the shape of GET /containers/(id)/changes: Kind 0 modified, 1 added, 2 deleted
// (whiteouts). Paths are absolute ("/etc/passwd"); the parent of an added or deleted path is
// listed as modified, as Docker does; directories present below with the same mode and mtime
// are left out. Sorted by path. Stateless; safe from many threads.

#include <string>
#include <vector>

namespace burrow::fuse_overlay {

struct Change {
  std::string path;
  int kind = 0;  // kModified, kAdded or kDeleted

  static constexpr int kModified = 0;
  static constexpr int kAdded = 1;
  static constexpr int kDeleted = 2;
  bool operator==(const Change&) const = default;
};

// Throws burrow::Error (NotFound/Io) when a directory cannot be read.
std::vector<Change> changes(const std::string& upper_dir, const std::vector<std::string>& lowerdirs);

// "C /path", "A /path", "D /path", as `docker diff` prints them.
std::string format_change(const Change& change);

}  // namespace burrow::fuse_overlay
