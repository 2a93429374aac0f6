#include "image/fs_at.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/error.h"
#include "base/sys.h"

namespace burrow::image {

std::vector<std::string> split_relative_path(std::string_view path, std::string_view what) {
  std::string name = what.empty() ? std::string(path) : std::string(what);
  if (path.find('\0') != std::string_view::npos) throw Error::bad_parameter("`" + name + "`: path holds a NUL byte");
  if (path.size() > 4095) throw Error::bad_parameter("`" + name.substr(0, 64) + "...`: path longer than 4095 bytes");
  if (!path.empty() && path[0] == '/') throw Error::bad_parameter("`" + name + "`: absolute path refused");
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view comp = path.substr(pos, slash - pos);
    if (comp == "..") throw Error::bad_parameter("`" + name + "`: path escapes the layer through `..`");
    if (comp.size() > 255) throw Error::bad_parameter("`" + name + "`: a path component is longer than 255 bytes");
    if (!comp.empty() && comp != ".") parts.emplace_back(comp);
    pos = slash + 1;
  }
  return parts;
}

std::string join_path(const std::vector<std::string>& parts, size_t count) {
  std::string out;
  for (size_t i = 0; i < count && i < parts.size(); ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  return out;
}

namespace {

[[noreturn]] void refuse_component(int dir_fd, const std::string& comp, const std::string& shown) {
  struct stat st;
  if (::fstatat(dir_fd, comp.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
    throw Error::bad_parameter("`" + shown + "` goes through a symbolic link; refused");
  throw Error::bad_parameter("`" + shown + "` is not a directory");
}

Fd walk(int root_fd, const std::vector<std::string>& parts, size_t count, bool create_missing) {
  Fd cur(sys::check(::fcntl(root_fd, F_DUPFD_CLOEXEC, 3), "dup"));
  for (size_t i = 0; i < count; ++i) {
    const std::string& comp = parts[i];
    for (int attempt = 0;; ++attempt) {
      int fd = ::openat(cur.get(), comp.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd >= 0) {
        cur.reset(fd);
        break;
      }
      int err = errno;
      if (err == ENOENT && create_missing && attempt == 0) {
        if (::mkdirat(cur.get(), comp.c_str(), 0755) < 0 && errno != EEXIST)
          throw sys::error_from_errno(errno, "mkdir", join_path(parts, i + 1));
        continue;
      }
      if (err == ENOTDIR || err == ELOOP) refuse_component(cur.get(), comp, join_path(parts, i + 1));
      throw sys::error_from_errno(err, "open", join_path(parts, i + 1));
    }
  }
  return cur;
}

}  // namespace

Fd open_dir_beneath(int root_fd, const std::vector<std::string>& parts, size_t count, bool create_missing) {
  if (count == 0) return Fd(sys::check(::fcntl(root_fd, F_DUPFD_CLOEXEC, 3), "dup"));
  std::string rel = join_path(parts, count);
  struct open_how how {};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how);
  if (fd >= 0) return Fd(static_cast<int>(fd));
  if (errno == EAGAIN || errno == EINTR) return walk(root_fd, parts, count, create_missing);
  // Missing parts, a symlink or a non-directory: the walk creates or names the culprit.
  return walk(root_fd, parts, count, create_missing);
}

void remove_at(int dir_fd, const std::string& name) {
  struct stat st;
  if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
    if (errno == ENOENT) return;
    throw sys::error_from_errno(errno, "stat", name);
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlinkat(dir_fd, name.c_str(), 0) < 0 && errno != ENOENT) throw sys::error_from_errno(errno, "unlink", name);
    return;
  }
  Fd sub = sys::open_at(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  // The directory may be read-only for its owner (0555 in an image): allow removing entries.
  if ((st.st_mode & 0700) != 0700) ::fchmod(sub.get(), (st.st_mode & 07777) | 0700);
  int dup_fd = sys::check(::fcntl(sub.get(), F_DUPFD_CLOEXEC, 3), "dup");
  DIR* dir = ::fdopendir(dup_fd);
  if (!dir) {
    ::close(dup_fd);
    throw sys::error_from_errno(errno, "opendir", name);
  }
  std::vector<std::string> names;
  while (struct dirent* de = ::readdir(dir)) {
    std::string n = de->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  ::closedir(dir);
  for (const auto& n : names) remove_at(sub.get(), n);
  if (::unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
    throw sys::error_from_errno(errno, "rmdir", name);
}

}  // namespace burrow::image
