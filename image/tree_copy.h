#pragma once
// Copies a directory tree into another with everything a layer needs (owners, modes, xattrs,
// hard links, devices, times), by streaming the tar writer into the extractor over a socket
// pair: one code path for "directory -> layer" (commit) and "tar -> layer" (import).
// Thread-safe per call (it runs one helper thread for the writing side).

#include "image/tar_extractor.h"

namespace burrow::image {

// Copies the contents of src_fd into the (empty) directory dst_fd. Throws Error; on throw
// dst holds a partial tree.
ExtractStats copy_tree(int src_fd, int dst_fd);

}  // namespace burrow::image
