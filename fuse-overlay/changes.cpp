#include "fuse-overlay/changes.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "base/sys.h"
#include "fuse-overlay/inode.h"
#include "fuse-overlay/layers.h"
#include "fuse-overlay/whiteout.h"

namespace burrow::fuse_overlay {

namespace {

class ChangeWalker {
 public:
  ChangeWalker(const std::string& upper, const std::vector<std::string>& lowerdirs)
      : upper_(sys::open(upper, O_PATH | O_DIRECTORY)) {
    if (!lowerdirs.empty()) {
      OverlayOptions o;
      o.lowerdirs = lowerdirs;
      lowers_ = std::make_unique<Layers>(o);
    }
  }

  std::vector<Change> run() {
    std::vector<int> root = lowers_ ? lowers_->root_layers() : std::vector<int>{};
    walk(".", root);
    std::vector<Change> out;
    std::set<std::string> listed;
    for (auto& c : found_) listed.insert(c.path);
    for (auto& c : found_) {
      out.push_back(c);
      if (c.kind == Change::kModified) continue;
      std::string parent = sys::dirname(c.path);
      if (parent != "/" && !parent.empty() && listed.insert(parent).second) out.push_back({parent, Change::kModified});
    }
    std::sort(out.begin(), out.end(), [](const Change& a, const Change& b) { return a.path < b.path; });
    return out;
  }

 private:
  static std::string absolute(const std::string& rel) { return rel == "." ? "/" : "/" + rel; }

  // Walks the upper directory at rel; lower_layers: the lower layers spanning the same
  // directory (empty when the lower layers do not have it or it is opaque in the upper).
  void walk(const std::string& rel, const std::vector<int>& lower_layers) {
    int fd = ::openat(upper_.get(), rel.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    // A running container may remove a directory while it is walked: then it is no change.
    if (fd < 0 && rel != "." && (errno == ENOENT || errno == ENOTDIR)) return;
    if (fd < 0) throw sys::error_from_errno(errno, "open", absolute(rel));
    DIR* dir = ::fdopendir(fd);
    if (!dir) {
      ::close(fd);
      throw sys::error_from_errno(errno, "opendir", absolute(rel));
    }
    std::vector<std::string> names;
    while (struct dirent* e = ::readdir(dir)) {
      if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0) continue;
      names.emplace_back(e->d_name);
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      std::string p = child_path(rel, name);
      if (name == kOpaqueName) continue;
      if (is_whiteout_name(name)) {
        found_.push_back({absolute(child_path(rel, name.substr(kWhiteoutPrefix.size()))), Change::kDeleted});
        continue;
      }
      struct stat st;
      if (::fstatat(upper_.get(), p.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
      if (is_whiteout_device(st)) {
        found_.push_back({absolute(p), Change::kDeleted});
        continue;
      }
      Found below;
      bool in_lower = !lower_layers.empty() && lowers_->lookup(lower_layers, rel, name, below) == 0;
      if (!in_lower) {
        found_.push_back({absolute(p), Change::kAdded});
      } else if (!S_ISDIR(st.st_mode) || !S_ISDIR(below.st.st_mode)) {
        found_.push_back({absolute(p), Change::kModified});
      } else if (st.st_mode != below.st.st_mode || st.st_mtim.tv_sec != below.st.st_mtim.tv_sec ||
                 st.st_mtim.tv_nsec != below.st.st_mtim.tv_nsec) {
        found_.push_back({absolute(p), Change::kModified});
      }
      if (S_ISDIR(st.st_mode)) {
        bool opaque = is_opaque_dir(upper_.get(), p);
        std::vector<int> next;
        if (in_lower && S_ISDIR(below.st.st_mode) && !opaque) next = below.layers;
        walk(p, next);
      }
    }
  }

  Fd upper_;
  std::unique_ptr<Layers> lowers_;
  std::vector<Change> found_;
};

}  // namespace

std::vector<Change> changes(const std::string& upper_dir, const std::vector<std::string>& lowerdirs) {
  return ChangeWalker(upper_dir, lowerdirs).run();
}

std::string format_change(const Change& c) {
  const char* k = c.kind == Change::kAdded ? "A " : c.kind == Change::kDeleted ? "D " : "C ";
  return k + c.path;
}

}  // namespace burrow::fuse_overlay
