#include "fuse-overlay/copy_up.h"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <vector>

#include "base/fd.h"

namespace burrow::fuse_overlay {

namespace {

std::string temp_name() {
  static std::atomic<uint64_t> counter{0};
  return "burrow-cu-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
}

// Copies all bytes: FICLONE (reflink), then copy_file_range, then read/write.
int copy_data(int src, int dst, off_t size) {
  if (size == 0) return 0;
  if (::ioctl(dst, FICLONE, src) == 0) return 0;
  off_t done = 0;
  bool use_cfr = true;
  std::vector<char> buf;
  while (done < size) {
    if (use_cfr) {
      ssize_t n = ::copy_file_range(src, nullptr, dst, nullptr, static_cast<size_t>(size - done), 0);
      if (n > 0) {
        done += n;
        continue;
      }
      if (n == 0) break;
      if (errno == EINTR) continue;
      if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP) return errno;
      use_cfr = false;
      buf.resize(1 << 20);
    }
    ssize_t r = ::read(src, buf.data(), buf.size());
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return errno;
    if (r == 0) break;
    for (ssize_t w = 0; w < r;) {
      ssize_t n = ::write(dst, buf.data() + w, static_cast<size_t>(r - w));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errno;
      w += n;
    }
    done += r;
  }
  return 0;
}

void copy_owner_and_mode(int fd, const struct stat& st) {
  // Ids the user namespace does not map (EINVAL) or may not set (EPERM) stay with the copier.
  [[maybe_unused]] int rc = ::fchown(fd, st.st_uid, st.st_gid);
  rc = ::fchmod(fd, st.st_mode & 07777);
}

void copy_times(int fd, const struct stat& st) {
  struct timespec ts[2] = {st.st_atim, st.st_mtim};
  [[maybe_unused]] int rc = ::futimens(fd, ts);
}

int finish(const Layers& layers, const std::string& tmp, const std::string& path, bool is_dir) {
  if (::renameat2(layers.work_fd(), tmp.c_str(), layers.fd(0), path.c_str(), RENAME_NOREPLACE) == 0) return 0;
  int err = errno;
  ::unlinkat(layers.work_fd(), tmp.c_str(), is_dir ? AT_REMOVEDIR : 0);
  return err;
}

}  // namespace

bool is_private_xattr(const char* name) {
  return std::strncmp(name, "user.overlay.", 13) == 0 || std::strncmp(name, "trusted.overlay.", 16) == 0 ||
         std::strncmp(name, "user.fuseoverlayfs.", 19) == 0;
}

void copy_xattrs(int src_fd, int dst_fd) {
  ssize_t size = ::flistxattr(src_fd, nullptr, 0);
  if (size <= 0) return;
  std::vector<char> names(static_cast<size_t>(size));
  size = ::flistxattr(src_fd, names.data(), names.size());
  if (size <= 0) return;
  std::vector<char> value;
  for (const char* name = names.data(); name < names.data() + size; name += std::strlen(name) + 1) {
    if (is_private_xattr(name)) continue;
    ssize_t n = ::fgetxattr(src_fd, name, nullptr, 0);
    if (n < 0) continue;
    value.resize(static_cast<size_t>(n) + 1);
    n = ::fgetxattr(src_fd, name, value.data(), value.size());
    if (n < 0) continue;
    [[maybe_unused]] int rc = ::fsetxattr(dst_fd, name, value.data(), static_cast<size_t>(n), 0);
  }
}

int copy_up(const Layers& layers, const CopyUpRequest& r) {
  int src_root = layers.fd(r.from_layer);
  int work = layers.work_fd();
  std::string tmp = temp_name();
  const struct stat& st = r.st;
  switch (st.st_mode & S_IFMT) {
    case S_IFREG: {
      Fd src(::openat(src_root, r.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      if (!src) return errno;
      Fd dst(::openat(work, tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 0777));
      if (!dst) return errno;
      int err = r.with_data ? copy_data(src.get(), dst.get(), st.st_size) : 0;
      if (err != 0) {
        ::unlinkat(work, tmp.c_str(), 0);
        return err;
      }
      copy_owner_and_mode(dst.get(), st);
      copy_xattrs(src.get(), dst.get());
      if (r.with_data) copy_times(dst.get(), st);
      return finish(layers, tmp, r.path, false);
    }
    case S_IFDIR: {
      if (::mkdirat(work, tmp.c_str(), st.st_mode & 0777) != 0) return errno;
      Fd src(::openat(src_root, r.path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      Fd dst(::openat(work, tmp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!src || !dst) {
        int err = errno;
        ::unlinkat(work, tmp.c_str(), AT_REMOVEDIR);
        return err;
      }
      copy_owner_and_mode(dst.get(), st);
      copy_xattrs(src.get(), dst.get());
      copy_times(dst.get(), st);
      return finish(layers, tmp, r.path, true);
    }
    case S_IFLNK: {
      std::vector<char> target(static_cast<size_t>(st.st_size) + 2);
      ssize_t n = ::readlinkat(src_root, r.path.c_str(), target.data(), target.size() - 1);
      if (n < 0) return errno;
      target[static_cast<size_t>(n)] = '\0';
      if (::symlinkat(target.data(), work, tmp.c_str()) != 0) return errno;
      [[maybe_unused]] int rc = ::fchownat(work, tmp.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
      struct timespec ts[2] = {st.st_atim, st.st_mtim};
      rc = ::utimensat(work, tmp.c_str(), ts, AT_SYMLINK_NOFOLLOW);
      return finish(layers, tmp, r.path, false);
    }
    default: {
      if (::mknodat(work, tmp.c_str(), st.st_mode, st.st_rdev) != 0) return errno;
      [[maybe_unused]] int rc = ::fchownat(work, tmp.c_str(), st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW);
      rc = ::fchmodat(work, tmp.c_str(), st.st_mode & 07777, 0);
      struct timespec ts[2] = {st.st_atim, st.st_mtim};
      rc = ::utimensat(work, tmp.c_str(), ts, AT_SYMLINK_NOFOLLOW);
      return finish(layers, tmp, r.path, false);
    }
  }
}

}  // namespace burrow::fuse_overlay
