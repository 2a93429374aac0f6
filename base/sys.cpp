#include "base/sys.h"

#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <vector>

namespace burrow::sys {

Error error_from_errno(int err, std::string_view what, std::string_view object) {
  std::string msg(what);
  if (!object.empty()) {
    msg += " `";
    msg += object;
    msg += "`";
  }
  msg += ": ";
  msg += std::strerror(err);
  Error::Kind kind;
  switch (err) {
    case ENOENT: kind = Error::Kind::NotFound; break;
    case EEXIST:
    case EBUSY:
    case ENOTEMPTY: kind = Error::Kind::Conflict; break;
    case EACCES:
    case EPERM: kind = Error::Kind::Unavailable; break;
    case EINVAL: kind = Error::Kind::BadParameter; break;
    default: kind = Error::Kind::Io; break;
  }
  return Error(kind, msg, err);
}

Fd open_at(int dirfd, const std::string& path, int flags, mode_t mode) {
  int fd = retry_eintr([&] { return ::openat(dirfd, path.c_str(), flags | O_CLOEXEC, mode); });
  return Fd(check(fd, "open", path));
}

std::optional<Fd> try_open_at(int dirfd, const std::string& path, int flags, mode_t mode) {
  int fd = retry_eintr([&] { return ::openat(dirfd, path.c_str(), flags | O_CLOEXEC, mode); });
  if (fd < 0 && errno == ENOENT) return std::nullopt;
  return Fd(check(fd, "open", path));
}

size_t read_some(int fd, void* buf, size_t n) {
  ssize_t r = retry_eintr([&] { return ::read(fd, buf, n); });
  return static_cast<size_t>(check(r, "read"));
}

void write_all(int fd, const void* buf, size_t n) {
  const char* p = static_cast<const char*>(buf);
  while (n > 0) {
    ssize_t w = retry_eintr([&] { return ::write(fd, p, n); });
    check(w, "write");
    p += w;
    n -= static_cast<size_t>(w);
  }
}

std::string read_fd(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    size_t n = read_some(fd, buf, sizeof buf);
    if (n == 0) break;
    out.append(buf, n);
  }
  return out;
}

std::string read_file(const std::string& path) {
  Fd fd = open(path, O_RDONLY);
  try {
    return read_fd(fd.get());
  } catch (const Error& e) {
    throw e.wrap(path);
  }
}

std::optional<std::string> try_read_file(const std::string& path) {
  auto fd = try_open_at(AT_FDCWD, path, O_RDONLY);
  if (!fd) return std::nullopt;
  return read_fd(fd->get());
}

void sync_dir(const std::string& path) {
  Fd fd = open(path.empty() ? "." : path, O_RDONLY | O_DIRECTORY);
  check(::fsync(fd.get()), "fsync", path);
}

void write_new_file(const std::string& path, std::string_view content, mode_t mode) {
  Fd fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
  write_all(fd.get(), content);
}

void write_file_atomic(const std::string& path, std::string_view content, mode_t mode) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::string tmp = path + ".tmp-" + std::to_string(rng() % 1000000000);
  {
    Fd fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_TRUNC, mode);
    try {
      write_all(fd.get(), content);
      check(::fsync(fd.get()), "fsync", tmp);
    } catch (...) {
      ::unlink(tmp.c_str());
      throw;
    }
  }
  if (::rename(tmp.c_str(), path.c_str()) < 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    throw error_from_errno(err, "rename", path);
  }
  sync_dir(dirname(path));
}

void make_dirs(const std::string& path, mode_t mode) {
  if (path.empty()) return;
  std::string cur;
  size_t pos = 0;
  while (pos != std::string::npos) {
    size_t next = path.find('/', pos + 1);
    cur = path.substr(0, next);
    pos = next;
    if (cur.empty() || cur == "/") continue;
    if (::mkdir(cur.c_str(), mode) < 0 && errno != EEXIST) throw error_from_errno(errno, "mkdir", cur);
  }
  struct stat st;
  check(::stat(path.c_str(), &st), "stat", path);
  if (!S_ISDIR(st.st_mode)) throw Error::conflict("mkdir `" + path + "`: exists and is not a directory");
}

namespace {

// Removes everything inside the directory open at `dirfd`.
void remove_children(int dirfd, const std::string& shown) {
  int dup = check(::fcntl(dirfd, F_DUPFD_CLOEXEC, 0), "dup", shown);
  DIR* dir = ::fdopendir(dup);
  if (dir == nullptr) {
    ::close(dup);
    throw error_from_errno(errno, "opendir", shown);
  }
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(dir)) {
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
    names.emplace_back(e->d_name);
  }
  ::closedir(dir);
  for (const auto& name : names) {
    if (::unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) continue;
    if (errno != EISDIR && errno != EPERM) throw error_from_errno(errno, "unlink", shown + "/" + name);
    const int flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
    int fd = ::openat(dirfd, name.c_str(), flags);
    if (fd < 0 && errno == EACCES) {
      // A directory its owner may not read (mode 0000 in an image layer): grant it, then open.
      ::fchmodat(dirfd, name.c_str(), 0700, 0);
      fd = ::openat(dirfd, name.c_str(), flags);
    }
    if (fd < 0 && errno != ENOENT) throw error_from_errno(errno, "open", shown + "/" + name);
    if (fd >= 0) {
      Fd child(fd);
      // A directory without write or search permission (e.g. mode 0500 in an image layer).
      ::fchmod(child.get(), 0700);
      remove_children(child.get(), shown + "/" + name);
    }
    if (::unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) < 0 && errno != ENOENT)
      throw error_from_errno(errno, "rmdir", shown + "/" + name);
  }
}

}  // namespace

void remove_tree(const std::string& path) {
  auto st = try_lstat(path);
  if (!st) return;
  if (!S_ISDIR(st->st_mode)) {
    if (::unlink(path.c_str()) < 0 && errno != ENOENT) throw error_from_errno(errno, "unlink", path);
    return;
  }
  {
    // The owner may lack read or search permission on the directory itself (mode 0000).
    if ((st->st_mode & 0700) != 0700) ::chmod(path.c_str(), (st->st_mode & 07777) | 0700);
    Fd dir = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    remove_children(dir.get(), path);
  }
  if (::rmdir(path.c_str()) < 0 && errno != ENOENT) throw error_from_errno(errno, "rmdir", path);
}

std::optional<struct stat> try_lstat(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) == 0) return st;
  if (errno == ENOENT || errno == ENOTDIR) return std::nullopt;
  throw error_from_errno(errno, "lstat", path);
}

bool exists(const std::string& path) { return try_lstat(path).has_value(); }

std::string dirname(const std::string& path) {
  auto pos = path.find_last_of('/');
  if (pos == std::string::npos) return ".";
  if (pos == 0) return "/";
  return path.substr(0, pos);
}

std::string basename(const std::string& path) {
  auto pos = path.find_last_of('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

}  // namespace burrow::sys
