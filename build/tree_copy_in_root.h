#pragma once
// Copying ADD/COPY sources into a container root file system: destinations are resolved
// inside the root (RESOLVE_IN_ROOT: an absolute symlink in the image points into the image,
// never at the host), missing directories are made (0755, owner 0), existing entries are
// replaced, directories merged. Sources are read without following symlinks below the
// source itself (links are copied as links). Also the content hash that keys the build
// cache. Stateless functions; thread-safe per call.

#include <sys/stat.h>

#include <string>

#include "base/fd.h"

namespace Poco {
class DigestEngine;
}

namespace burrow::build {

// Opens (making it and its parents as needed) the directory `path` ("/a/b") in the root file
// system `root_fd`; returns an O_PATH descriptor. Throws Error (BadParameter when a
// component exists and is not a directory).
Fd make_dir_in_root(int root_fd, const std::string& path);
// lstat of `path` inside the root (symlinks of its parents resolved inside), or nullopt.
bool is_dir_in_root(int root_fd, const std::string& path);

// Copies the contents of the directory `src_dir` (any descriptor, O_PATH is fine) into
// `dst_dir`. preserve_owner: keep the sources' uid/gid (extracted tars), else owner 0:0.
void copy_dir_contents(int src_dir, int dst_dir, bool preserve_owner);
// Copies the regular file `src` (any descriptor) to `name` in `dst_dir`, replacing what is
// there (a directory in the way is an Error(Conflict)); mode from `mode`, owner 0:0.
void copy_file_to(int src, int dst_dir, const std::string& name, mode_t mode);

// Feeds the file or tree at `fd` (names, types, modes, sizes, contents, link targets) into
// `digest`; equal trees hash equal.
void hash_source(int fd, Poco::DigestEngine& digest);

// Reopens an O_PATH descriptor for reading (through /proc/self/fd).
Fd reopen_for_reading(int fd, int flags);

}  // namespace burrow::build
