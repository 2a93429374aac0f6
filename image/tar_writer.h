#pragma once
// Tar output of a directory tree: the layer.tar of `docker save`, and (for other helpers) the
// container export and commit paths. Two steps, plan then write: scan_tree() lstat()s the tree
// once (relative to a directory fd, never following symlinks) into a list of members; the
// list gives the exact archive size before any byte is written (needed to nest layer.tar in a
// save archive) and then drives write_tar(). Members carry owners, modes, mtimes, xattrs,
// symlink targets, device numbers and hard links (a later link of the same inode is a hard
// link member). Output is pax-restricted tar (ustar unless a member needs more), no "./"
// prefix, directories with a trailing '/'. Not thread-safe per call.

#include <sys/stat.h>

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "image/byte_stream.h"

namespace burrow::image {

struct TarMember {
  std::string rel;           // path relative to the scanned directory ("etc/passwd")
  std::string name;          // member name in the archive (prefix + rel, dirs end in '/')
  struct stat st {};
  std::string symlink;       // target of a symlink
  std::string hardlink;      // member name of an earlier link to the same inode
  std::vector<std::pair<std::string, std::string>> xattrs;
  int source_fd = -1;        // directory `rel` is read from; -1: write_tar's dir_fd
};

struct TarScanOptions {
  std::string prefix;         // put before every member name ("rootfs/"); "" for none
  bool include_root = false;  // a member for the scanned directory itself (named prefix or "./")
};

// Lists the tree under dir_fd, parents before children, names sorted. Throws Error(Io...).
std::vector<TarMember> scan_tree(int dir_fd, const TarScanOptions& options = {});
// The exact number of bytes write_tar() produces for `members` when the files do not change.
uint64_t tar_size(const std::vector<TarMember>& members);
// Writes the archive to `sink`; regular files are read relative to dir_fd. A file that
// shrank since the scan is padded with zeros, one that grew is cut at its scanned size, so
// the output size stays tar_size(). Returns the bytes written. Throws what sink throws, or
// Error for read failures.
uint64_t write_tar(int dir_fd, const std::vector<TarMember>& members, const WriteFn& sink);
// The extended attributes of the file at `path` (not following a final symlink); none when the
// file system has no xattrs.
std::vector<std::pair<std::string, std::string>> read_xattrs(const std::string& path);
// scan_tree + write_tar.
uint64_t write_tree_tar(int dir_fd, const WriteFn& sink, const TarScanOptions& options = {});

}  // namespace burrow::image
