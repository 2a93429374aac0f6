#pragma once
// Copy-up: makes a copy of one lower-layer object in the upper layer at the same path, keeping
// type, mode, owner (where the user namespace maps it), timestamps, user xattrs and data.
// The copy is built under a temporary name in the work directory and renamed into place with
// RENAME_NOREPLACE, so a crash never leaves a half-copied file visible and two threads copying
// the same object cannot both win. Stateless; safe to call from many threads.

#include <sys/stat.h>

#include <string>

#include "fuse-overlay/layers.h"

namespace burrow::fuse_overlay {

struct CopyUpRequest {
  int from_layer = 1;        // the layer holding the object
  std::string path;          // relative path, the same in both layers; its parent exists in the upper
  struct stat st {};         // the object's stat in from_layer
  bool with_data = true;     // false: regular files are created empty (open with O_TRUNC)
};

// Returns 0, EEXIST when the upper already holds the path (another copy won), or an errno.
int copy_up(const Layers& layers, const CopyUpRequest& request);

// Copies the xattrs of src_fd to dst_fd, leaving out overlay-private names. Errors from
// filesystems without xattr support are ignored.
void copy_xattrs(int src_fd, int dst_fd);
// True for the xattr names overlay filesystems keep for themselves (hidden from users).
bool is_private_xattr(const char* name);

}  // namespace burrow::fuse_overlay
