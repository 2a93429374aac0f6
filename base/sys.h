#pragma once
// System-call wrappers: each call is wrapped once here, turning errno into a burrow::Error that
// names the call and the object ("open `/x/y`: No such file or directory"). ENOENT becomes
// NotFound, EEXIST/EBUSY Conflict, EACCES/EPERM Unavailable, EINVAL BadParameter, the rest Io.
// EINTR is retried inside. Every descriptor opened here is O_CLOEXEC.

#include <sys/stat.h>
#include <sys/types.h>

#include <cerrno>
#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "base/fd.h"

namespace burrow::sys {

// The Error for `err` from `what` on `object` (object may be empty).
Error error_from_errno(int err, std::string_view what, std::string_view object = {});

// Returns rc when rc >= 0; otherwise throws error_from_errno(errno, what, object).
template <typename T>
T check(T rc, std::string_view what, std::string_view object = {}) {
  if (rc < 0) throw error_from_errno(errno, what, object);
  return rc;
}

// Calls fn() again while it fails with EINTR; returns its last result.
template <typename Fn>
auto retry_eintr(Fn fn) {
  decltype(fn()) rc;
  do {
    rc = fn();
  } while (rc < 0 && errno == EINTR);
  return rc;
}

// openat(dirfd, path, flags|O_CLOEXEC, mode). Throws on failure.
Fd open_at(int dirfd, const std::string& path, int flags, mode_t mode = 0);
inline Fd open(const std::string& path, int flags, mode_t mode = 0) { return open_at(-100 /*AT_FDCWD*/, path, flags, mode); }
// Like open_at, but returns nullopt on ENOENT.
std::optional<Fd> try_open_at(int dirfd, const std::string& path, int flags, mode_t mode = 0);

// Reads up to n bytes (retrying EINTR); returns the count, 0 at end of file.
size_t read_some(int fd, void* buf, size_t n);
// Writes all n bytes, looping over short writes.
void write_all(int fd, const void* buf, size_t n);
inline void write_all(int fd, std::string_view s) { write_all(fd, s.data(), s.size()); }

// The whole content of a file, or of the descriptor from its current offset to the end.
std::string read_file(const std::string& path);
std::string read_fd(int fd);
// nullopt when the file does not exist.
std::optional<std::string> try_read_file(const std::string& path);

// Creates `path` (it must not exist) with `content`; not synced.
void write_new_file(const std::string& path, std::string_view content, mode_t mode = 0644);
// Durable replace: writes `path.tmp-XXXX`, fsyncs it, renames it over `path` and fsyncs the
// directory, so a crash leaves either the old or the new content.
void write_file_atomic(const std::string& path, std::string_view content, mode_t mode = 0644);

// mkdir -p with `mode` for the directories it creates. Existing directories are fine.
void make_dirs(const std::string& path, mode_t mode = 0755);
// rm -rf that never follows symlinks; a missing path is fine.
void remove_tree(const std::string& path);
// fsync of a directory, so that a rename inside it is durable.
void sync_dir(const std::string& path);

// lstat; nullopt when the path does not exist.
std::optional<struct stat> try_lstat(const std::string& path);
bool exists(const std::string& path);

// Directory part and last part of a path ("a/b/c" -> "a/b", "c").
std::string dirname(const std::string& path);
std::string basename(const std::string& path);

}  // namespace burrow::sys
