#include "fuse-overlay/whiteout.h"

#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>

#include "fuse-overlay/inode.h"

namespace burrow::fuse_overlay {

bool is_opaque_dir(int dirfd, const std::string& path) {
  struct stat st;
  if (::fstatat(dirfd, child_path(path, std::string(kOpaqueName)).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) return true;
  std::string proc = "/proc/self/fd/" + std::to_string(dirfd) + "/" + path;
  char value[4];
  ssize_t n = ::lgetxattr(proc.c_str(), "user.overlay.opaque", value, sizeof value);
  return n == 1 && value[0] == 'y';
}

int create_whiteout(int dirfd, const std::string& dir_path, const std::string& name) {
  std::string p = child_path(dir_path, whiteout_name(name));
  if (::mknodat(dirfd, p.c_str(), S_IFREG | 0, 0) == 0 || errno == EEXIST) return 0;
  return errno;
}

bool has_whiteout(int dirfd, const std::string& dir_path, const std::string& name) {
  struct stat st;
  return ::fstatat(dirfd, child_path(dir_path, whiteout_name(name)).c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int remove_whiteout(int dirfd, const std::string& dir_path, const std::string& name) {
  if (::unlinkat(dirfd, child_path(dir_path, whiteout_name(name)).c_str(), 0) == 0 || errno == ENOENT) return 0;
  return errno;
}

int make_opaque(int dirfd, const std::string& path) {
  std::string p = child_path(path, std::string(kOpaqueName));
  if (::mknodat(dirfd, p.c_str(), S_IFREG | 0, 0) == 0 || errno == EEXIST) return 0;
  return errno;
}

}  // namespace burrow::fuse_overlay
