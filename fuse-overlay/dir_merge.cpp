#include "fuse-overlay/dir_merge.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <unordered_set>

#include "fuse-overlay/inode.h"
#include "fuse-overlay/whiteout.h"

namespace burrow::fuse_overlay {

namespace {

// Owner of a DIR stream.
struct DirStream {
  DIR* dir = nullptr;
  ~DirStream() {
    if (dir) ::closedir(dir);
  }
};

int open_dir_stream(int root, const std::string& path, DirStream& out) {
  int fd = ::openat(root, path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return errno;
  out.dir = ::fdopendir(fd);
  if (!out.dir) {
    int err = errno;
    ::close(fd);
    return err;
  }
  return 0;
}

bool is_dot(const char* n) { return n[0] == '.' && (n[1] == '\0' || (n[1] == '.' && n[2] == '\0')); }

}  // namespace

int list_merged(const Layers& layers, const std::vector<int>& dir_layers, const std::string& path,
                std::vector<MergedEntry>& out, bool stop_at_first) {
  std::unordered_set<std::string> seen;  // listed names and whited-out names
  std::vector<std::string> whiteouts;
  for (size_t i = 0; i < dir_layers.size(); ++i) {
    int layer = dir_layers[i];
    int root = layers.fd(layer);
    DirStream ds;
    int err = open_dir_stream(root, path, ds);
    if (err == ENOENT || err == ENOTDIR) continue;
    if (err) return err;
    bool last = i + 1 == dir_layers.size();
    whiteouts.clear();
    errno = 0;
    while (struct dirent* e = ::readdir(ds.dir)) {
      const char* n = e->d_name;
      if (is_dot(n)) continue;
      if (is_whiteout_name(n)) {
        if (std::strcmp(n, kOpaqueName.data()) != 0 && !last) whiteouts.emplace_back(n + kWhiteoutPrefix.size());
        continue;
      }
      if (e->d_type == DT_CHR || e->d_type == DT_UNKNOWN) {
        struct stat st;
        if (::fstatat(::dirfd(ds.dir), n, &st, AT_SYMLINK_NOFOLLOW) == 0) {
          if (is_whiteout_device(st)) {
            if (!last) whiteouts.emplace_back(n);
            continue;
          }
          if (e->d_type == DT_UNKNOWN) e->d_type = IFTODT(st.st_mode);
        }
      }
      if (last && i == 0) {
        // A single layer: no duplicates possible, skip the set.
      } else if (!seen.insert(n).second) {
        continue;
      }
      out.push_back({n, e->d_type, layers.key_for(layer, layers.layer_dev(layer), e->d_ino)});
      if (stop_at_first) return 0;
    }
    if (errno != 0) return errno;
    for (auto& w : whiteouts) seen.insert(std::move(w));
  }
  return 0;
}

int clear_upper_dir(const Layers& layers, const std::string& path) {
  DirStream ds;
  int err = open_dir_stream(layers.fd(0), path, ds);
  if (err) return err;
  while (struct dirent* e = ::readdir(ds.dir)) {
    if (is_dot(e->d_name)) continue;
    if (!is_whiteout_name(e->d_name)) {
      struct stat st;
      if (::fstatat(::dirfd(ds.dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) return errno;
      if (!is_whiteout_device(st)) return ENOTEMPTY;
    }
    if (::unlinkat(::dirfd(ds.dir), e->d_name, 0) != 0) return errno == EISDIR ? ENOTEMPTY : errno;
  }
  return 0;
}

int remove_whiteouts(const Layers& layers, const std::string& path) {
  DirStream ds;
  int err = open_dir_stream(layers.fd(0), path, ds);
  if (err) return err;
  std::vector<std::string> names;
  while (struct dirent* e = ::readdir(ds.dir)) {
    if (is_dot(e->d_name) || std::strcmp(e->d_name, kOpaqueName.data()) == 0) continue;
    struct stat st;
    if (is_whiteout_name(e->d_name) ||
        (e->d_type == DT_CHR && ::fstatat(::dirfd(ds.dir), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
         is_whiteout_device(st)))
      names.emplace_back(e->d_name);
  }
  for (const auto& n : names)
    if (::unlinkat(::dirfd(ds.dir), n.c_str(), 0) != 0 && errno != ENOENT) return errno;
  return 0;
}

}  // namespace burrow::fuse_overlay
