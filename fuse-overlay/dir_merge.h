#pragma once
// The merged listing of a directory that spans several layers: each name once (the top layer's
// entry wins), whiteouts and opaque markers left out along with the names they hide.
// Stateless; safe from many threads.

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fuse-overlay/layers.h"

namespace burrow::fuse_overlay {

struct MergedEntry {
  std::string name;
  unsigned char type = 0;  // DT_* of the top entry
  uint64_t ino = 0;        // the reported inode number
};

// One merged listing of a directory as readdir serves it ("." and ".." first). Offsets handed
// to the kernel carry the id, so a read continued later finds this listing (Inode keeps it).
struct DirListing {
  uint32_t id = 0;
  std::vector<MergedEntry> entries;
};

// Lists the directory at `path` spanning `dir_layers` (top first) into `out`. Returns 0 or
// errno. With stop_at_first, returns as soon as one entry is known (an emptiness check).
int list_merged(const Layers& layers, const std::vector<int>& dir_layers, const std::string& path,
                std::vector<MergedEntry>& out, bool stop_at_first = false);

// Removes the whiteouts and opaque marker inside the upper directory at `path`, which must
// hold nothing else (a directory that is empty in the merged view). Returns 0 or errno.
int clear_upper_dir(const Layers& layers, const std::string& path);

// Removes the whiteouts (not the opaque marker) inside the upper directory at `path`.
int remove_whiteouts(const Layers& layers, const std::string& path);

}  // namespace burrow::fuse_overlay
