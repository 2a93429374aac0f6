// OverlayFs callbacks on attributes: getattr/setattr (copy-up first), readlink, statfs, xattrs.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "fuse-overlay/copy_up.h"
#include "fuse-overlay/overlay_fs.h"

namespace burrow::fuse_overlay {

void OverlayFs::getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  auto node = inode(ino);
  struct stat st;
  int err = node ? 0 : ENOENT;
  if (err == 0) {
    if (fi && !node->is_dir()) {
      err = ::fstat(static_cast<int>(fi->fh), &st) == 0 ? 0 : errno;
      if (err == 0) fix_attr(*node, st);
    } else {
      err = stat_inode(*node, st);
    }
  }
  if (err != 0)
    fuse_reply_err(req, err);
  else
    fuse_reply_attr(req, &st, timeout_);
}

int OverlayFs::do_setattr(const std::shared_ptr<Inode>& node, const struct stat& attr, int to_set, fuse_file_info* fi) {
  bool truncating_to_zero = (to_set & FUSE_SET_ATTR_SIZE) && attr.st_size == 0;
  if (int err = ensure_upper(node, !truncating_to_zero); err != 0) return err;
  int up = layers_.fd(0);
  std::string path = relative_path(*node);
  int fd = fi && !node->is_dir() ? static_cast<int>(fi->fh) : -1;
  bool is_link = (node->type() & S_IFMT) == S_IFLNK;
  if (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
    uid_t uid = (to_set & FUSE_SET_ATTR_UID) ? attr.st_uid : static_cast<uid_t>(-1);
    gid_t gid = (to_set & FUSE_SET_ATTR_GID) ? attr.st_gid : static_cast<gid_t>(-1);
    int rc = fd >= 0 ? ::fchown(fd, uid, gid) : ::fchownat(up, path.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
    if (rc != 0) return errno;
  }
  if (to_set & FUSE_SET_ATTR_MODE) {
    if (is_link) return EOPNOTSUPP;
    int rc = fd >= 0 ? ::fchmod(fd, attr.st_mode & 07777) : ::fchmodat(up, path.c_str(), attr.st_mode & 07777, 0);
    if (rc != 0) return errno;
  }
  if (to_set & FUSE_SET_ATTR_SIZE) {
    int rc;
    if (fd >= 0) {
      rc = ::ftruncate(fd, attr.st_size);
    } else {
      int tfd = ::openat(up, path.c_str(), O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
      rc = tfd < 0 ? -1 : ::ftruncate(tfd, attr.st_size);
      int saved = errno;
      if (tfd >= 0) ::close(tfd);
      errno = saved;
    }
    if (rc != 0) return errno;
  }
  if (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) {
    struct timespec ts[2];
    ts[0].tv_nsec = ts[1].tv_nsec = UTIME_OMIT;
    if (to_set & FUSE_SET_ATTR_ATIME_NOW)
      ts[0].tv_nsec = UTIME_NOW;
    else if (to_set & FUSE_SET_ATTR_ATIME)
      ts[0] = attr.st_atim;
    if (to_set & FUSE_SET_ATTR_MTIME_NOW)
      ts[1].tv_nsec = UTIME_NOW;
    else if (to_set & FUSE_SET_ATTR_MTIME)
      ts[1] = attr.st_mtim;
    int rc = fd >= 0 ? ::futimens(fd, ts) : ::utimensat(up, path.c_str(), ts, AT_SYMLINK_NOFOLLOW);
    if (rc != 0) return errno;
  }
  return 0;
}

void OverlayFs::setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi) {
  auto node = inode(ino);
  int err = node ? do_setattr(node, *attr, to_set, fi) : ENOENT;
  struct stat st;
  if (err == 0) err = stat_inode(*node, st);
  if (err != 0)
    fuse_reply_err(req, err);
  else
    fuse_reply_attr(req, &st, timeout_);
}

void OverlayFs::readlink(fuse_req_t req, fuse_ino_t ino) {
  auto node = inode(ino);
  if (!node) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  char buf[PATH_MAX + 1];
  ssize_t n = ::readlinkat(layers_.fd(node->top_layer()), relative_path(*node).c_str(), buf, PATH_MAX);
  if (n < 0) {
    fuse_reply_err(req, errno);
    return;
  }
  buf[n] = '\0';
  fuse_reply_readlink(req, buf);
}

void OverlayFs::statfs(fuse_req_t req, fuse_ino_t ino) {
  struct statvfs sv;
  int layer = layers_.has_upper() ? 0 : 1;
  if (::fstatvfs(layers_.fd(layer), &sv) != 0)
    fuse_reply_err(req, errno);
  else
    fuse_reply_statfs(req, &sv);
}

void OverlayFs::setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size, int flags) {
  auto node = inode(ino);
  int err = node ? 0 : ENOENT;
  if (err == 0 && is_private_xattr(name)) err = EPERM;
  if (err == 0) err = ensure_upper(node);
  if (err == 0 && ::lsetxattr(proc_path(*node).c_str(), name, value, size, flags) != 0) err = errno;
  fuse_reply_err(req, err);
}

void OverlayFs::getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  auto node = inode(ino);
  if (!node || is_private_xattr(name)) {
    fuse_reply_err(req, node ? ENODATA : ENOENT);
    return;
  }
  std::string path = proc_path(*node);
  if (size == 0) {
    ssize_t n = ::lgetxattr(path.c_str(), name, nullptr, 0);
    if (n < 0)
      fuse_reply_err(req, errno);
    else
      fuse_reply_xattr(req, static_cast<size_t>(n));
    return;
  }
  std::vector<char> buf(size);
  ssize_t n = ::lgetxattr(path.c_str(), name, buf.data(), size);
  if (n < 0)
    fuse_reply_err(req, errno);
  else
    fuse_reply_buf(req, buf.data(), static_cast<size_t>(n));
}

void OverlayFs::listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  auto node = inode(ino);
  if (!node) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  std::string path = proc_path(*node);
  std::vector<char> names;
  ssize_t n;
  for (;;) {
    n = ::llistxattr(path.c_str(), nullptr, 0);
    if (n <= 0) break;
    names.resize(static_cast<size_t>(n));
    n = ::llistxattr(path.c_str(), names.data(), names.size());
    if (n >= 0 || errno != ERANGE) break;
  }
  if (n < 0) {
    fuse_reply_err(req, errno);
    return;
  }
  std::string visible;
  for (const char* p = names.data(); p < names.data() + n; p += std::strlen(p) + 1) {
    if (is_private_xattr(p)) continue;
    visible.append(p);
    visible.push_back('\0');
  }
  if (size == 0)
    fuse_reply_xattr(req, visible.size());
  else if (size < visible.size())
    fuse_reply_err(req, ERANGE);
  else
    fuse_reply_buf(req, visible.data(), visible.size());
}

void OverlayFs::removexattr(fuse_req_t req, fuse_ino_t ino, const char* name) {
  auto node = inode(ino);
  int err = node ? 0 : ENOENT;
  if (err == 0 && is_private_xattr(name)) err = ENODATA;
  // Removing an attribute the object does not have changes nothing: no copy-up (overlayfs).
  if (err == 0 && node->top_layer() != 0 && ::lgetxattr(proc_path(*node).c_str(), name, nullptr, 0) < 0) err = errno;
  if (err == 0) err = ensure_upper(node);
  if (err == 0 && ::lremovexattr(proc_path(*node).c_str(), name) != 0) err = errno;
  fuse_reply_err(req, err);
}

}  // namespace burrow::fuse_overlay
