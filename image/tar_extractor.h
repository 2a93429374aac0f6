#pragma once
// Layer extraction: writes the members of a tar stream into an (empty) directory so that
// owners, modes, xattrs, hard links, symlinks, device nodes and timestamps survive. Every
// path is resolved relative to the directory fd without following symlinks; members that
// would escape (absolute paths, "..", paths through a symlink, hard links to outside) are
// refused with Error(BadParameter), leaving a partial tree the caller must discard (the
// LayerStore extracts into a temporary directory for that reason).
// Rootless fallbacks: a chown the user namespace cannot map leaves the file owned by the
// caller (root of the namespace); a device node mknod refuses is skipped; both are counted.
// Docker whiteouts (.wh.<name>, .wh..wh..opq) are kept as the files they are; overlayfs-style
// whiteouts (character device 0:0) become .wh.<name> files. Not thread-safe per call.

#include <cstdint>

#include "image/byte_stream.h"

namespace burrow::image {

class ArchiveReader;

struct ExtractStats {
  uint64_t entries = 0;
  uint64_t size = 0;               // bytes of regular file data (hard links counted once)
  uint64_t chown_fallbacks = 0;    // members left owned by the caller
  uint64_t skipped_devices = 0;    // device nodes mknod refused
  uint64_t skipped_xattrs = 0;     // xattrs the file system or namespace refused
};

// Extracts all members of `reader` into the directory `root_fd`. Throws Error(BadParameter)
// for hostile or corrupt archives (the message names the member), Error(Io) and others for
// file-system failures; on throw the directory holds a partial tree.
ExtractStats extract_tar(ArchiveReader& reader, int root_fd);
// The same, reading a (possibly compressed) tar from `source`.
ExtractStats extract_tar(ReadFn source, int root_fd);

}  // namespace burrow::image
