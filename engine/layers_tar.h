#pragma once
// The tar of a stopped container's root file system read straight from its layer directories
// (top first: the container's upper dir, then the image's layers), merged with the semantics of
// burrow-overlay (fuse-overlay/layers.h: the top layer's entry wins, Docker whiteouts and
// opaque markers hide what is below, private overlay xattrs are left out), without mounting
// them: the same members a read-only burrow-overlay mount would give write_tree_tar, at the
// cost of plain file-system calls instead of FUSE round trips. Not thread-safe per call.

#include <cstdint>
#include <string>
#include <vector>

#include "image/byte_stream.h"

namespace burrow::engine {

// Writes the merged tree of `layer_dirs` (top first) as a tar to `sink`; returns the bytes
// written. Throws burrow::Error for unreadable layers, or what sink throws.
uint64_t write_layers_tar(const std::vector<std::string>& layer_dirs, const image::WriteFn& sink);

}  // namespace burrow::engine
