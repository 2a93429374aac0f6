#include "build/tree_copy_in_root.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <Poco/DigestEngine.h>

#include <algorithm>
#include <vector>

#include "base/error.h"
#include "base/sys.h"
#include "build/lexical_path.h"

namespace burrow::build {

namespace {

long open_in_root(int root, const std::string& rel, int flags) {
  struct open_how how = {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  return sys::retry_eintr([&] { return ::syscall(SYS_openat2, root, rel.c_str(), &how, sizeof how); });
}

std::vector<std::string> list_dir(int dir) {
  Fd d = sys::open_at(dir, ".", O_RDONLY | O_DIRECTORY);
  DIR* stream = ::fdopendir(d.get());
  if (!stream) sys::check(-1, "fdopendir");
  d.release();
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(stream)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  ::closedir(stream);
  std::sort(names.begin(), names.end());
  return names;
}

struct stat stat_at(int dir, const std::string& name) {
  struct stat st;
  sys::check(::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW | (name.empty() ? AT_EMPTY_PATH : 0)), "stat", name);
  return st;
}

void own(int dir, const std::string& name, uid_t uid, gid_t gid) {
  // Inside the engine namespace this always works; in a single-id mapping an unmapped owner
  // stays the caller's, as image extraction does.
  (void)::fchownat(dir, name.c_str(), uid, gid, AT_SYMLINK_NOFOLLOW);
}

void set_times(int dir, const std::string& name, const struct stat& st) {
  struct timespec ts[2] = {st.st_atim, st.st_mtim};
  (void)::utimensat(dir, name.c_str(), ts, AT_SYMLINK_NOFOLLOW);
}

// Removes `name` in `dir` unless it is a directory and `keep_dir`; true when a directory stays.
bool clear_entry(int dir, const std::string& name, bool keep_dir) {
  struct stat st;
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
  if (S_ISDIR(st.st_mode)) {
    if (keep_dir) return true;
    throw Error::conflict("cannot replace the directory " + name + " with a file");
  }
  sys::check(::unlinkat(dir, name.c_str(), 0), "unlink", name);
  return false;
}

void copy_data(int in, int out, const std::string& name) {
  char buf[1 << 16];
  for (;;) {
    size_t n = sys::read_some(in, buf, sizeof buf);
    if (n == 0) break;
    sys::write_all(out, buf, n);
  }
  (void)name;
}

void copy_entry(int src_dir, const std::string& name, int dst_dir, bool preserve_owner) {
  struct stat st = stat_at(src_dir, name);
  uid_t uid = preserve_owner ? st.st_uid : 0;
  gid_t gid = preserve_owner ? st.st_gid : 0;
  if (S_ISDIR(st.st_mode)) {
    if (!clear_entry(dst_dir, name, true)) sys::check(::mkdirat(dst_dir, name.c_str(), st.st_mode & 07777), "mkdir", name);
    Fd s = sys::open_at(src_dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW);
    Fd d = sys::open_at(dst_dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW);
    copy_dir_contents(s.get(), d.get(), preserve_owner);
    own(dst_dir, name, uid, gid);
    (void)::fchmodat(dst_dir, name.c_str(), st.st_mode & 07777, 0);
    set_times(dst_dir, name, st);
  } else if (S_ISREG(st.st_mode)) {
    Fd in = sys::open_at(src_dir, name, O_RDONLY | O_NOFOLLOW);
    clear_entry(dst_dir, name, false);
    Fd out = sys::open_at(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
    copy_data(in.get(), out.get(), name);
    (void)::fchown(out.get(), uid, gid);
    sys::check(::fchmod(out.get(), st.st_mode & 07777), "chmod", name);
    struct timespec ts[2] = {st.st_atim, st.st_mtim};
    (void)::futimens(out.get(), ts);
  } else if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = sys::check(::readlinkat(src_dir, name.c_str(), target.data(), target.size()), "readlink", name);
    target.resize(static_cast<size_t>(n));
    clear_entry(dst_dir, name, false);
    sys::check(::symlinkat(target.c_str(), dst_dir, name.c_str()), "symlink", name);
    own(dst_dir, name, uid, gid);
    set_times(dst_dir, name, st);
  }
  // Sockets, fifos and device nodes are not copied from a build context.
}

void hash_entry(int dir, const std::string& name, const std::string& path, Poco::DigestEngine& digest) {
  struct stat st = stat_at(dir, name);
  std::string header = path + '\0' + std::to_string(st.st_mode) + '\0' + std::to_string(st.st_size) + '\0';
  digest.update(header);
  if (S_ISREG(st.st_mode)) {
    Fd in = name.empty() ? reopen_for_reading(dir, O_RDONLY) : sys::open_at(dir, name, O_RDONLY | O_NOFOLLOW);
    char buf[1 << 16];
    for (;;) {
      size_t n = sys::read_some(in.get(), buf, sizeof buf);
      if (n == 0) break;
      digest.update(buf, static_cast<unsigned>(n));
    }
  } else if (S_ISLNK(st.st_mode)) {
    std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
    ssize_t n = sys::check(::readlinkat(dir, name.c_str(), target.data(), target.size()), "readlink", name);
    digest.update(target.data(), static_cast<unsigned>(n));
  } else if (S_ISDIR(st.st_mode)) {
    Fd sub = name.empty() ? sys::open_at(dir, ".", O_PATH | O_DIRECTORY) : sys::open_at(dir, name, O_PATH | O_DIRECTORY | O_NOFOLLOW);
    for (const auto& child : list_dir(sub.get())) hash_entry(sub.get(), child, path + "/" + child, digest);
  }
}

}  // namespace

Fd reopen_for_reading(int fd, int flags) {
  return sys::open("/proc/self/fd/" + std::to_string(fd), flags);
}

Fd make_dir_in_root(int root_fd, const std::string& path) {
  LexicalPath lexical = LexicalPath::parse(path);
  const std::vector<std::string>& parts = lexical.parts;
  for (size_t i = 1; i <= parts.size(); ++i) {
    std::string rel = lexical.join(i);
    long fd = open_in_root(root_fd, rel, O_PATH | O_DIRECTORY);
    if (fd >= 0) {
      ::close(static_cast<int>(fd));
      continue;
    }
    if (errno == ENOTDIR) throw Error::bad_parameter("cannot make directory /" + rel + ": a file is in the way");
    if (errno != ENOENT) throw sys::error_from_errno(errno, "open", "/" + rel);
    long parent = open_in_root(root_fd, lexical.join(i - 1), O_PATH | O_DIRECTORY);
    if (parent < 0) throw sys::error_from_errno(errno, "open", "/" + lexical.join(i - 1));
    Fd p(static_cast<int>(parent));
    if (::mkdirat(p.get(), parts[i - 1].c_str(), 0755) != 0 && errno != EEXIST)
      sys::check(-1, "mkdir", "/" + rel);
    own(p.get(), parts[i - 1], 0, 0);
  }
  long fd = open_in_root(root_fd, lexical.join(), O_PATH | O_DIRECTORY);
  if (fd < 0) throw sys::error_from_errno(errno, "open", path);
  return Fd(static_cast<int>(fd));
}

bool is_dir_in_root(int root_fd, const std::string& path) {
  long fd = open_in_root(root_fd, LexicalPath::parse(path).join(), O_PATH | O_DIRECTORY);
  if (fd < 0) return false;
  ::close(static_cast<int>(fd));
  return true;
}

void copy_dir_contents(int src_dir, int dst_dir, bool preserve_owner) {
  for (const auto& name : list_dir(src_dir)) copy_entry(src_dir, name, dst_dir, preserve_owner);
}

void copy_file_to(int src, int dst_dir, const std::string& name, mode_t mode) {
  Fd in = reopen_for_reading(src, O_RDONLY);
  struct stat st;
  sys::check(::fstat(in.get(), &st), "stat", name);
  clear_entry(dst_dir, name, false);
  Fd out = sys::open_at(dst_dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
  copy_data(in.get(), out.get(), name);
  (void)::fchown(out.get(), 0, 0);
  sys::check(::fchmod(out.get(), mode & 07777), "chmod", name);
  struct timespec ts[2] = {st.st_atim, st.st_mtim};
  (void)::futimens(out.get(), ts);
}

void hash_source(int fd, Poco::DigestEngine& digest) { hash_entry(fd, "", "", digest); }

}  // namespace burrow::build
