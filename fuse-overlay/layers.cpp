#include "fuse-overlay/layers.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "base/sys.h"
#include "fuse-overlay/inode.h"
#include "fuse-overlay/whiteout.h"

namespace burrow::fuse_overlay {

namespace {

Fd open_layer(const std::string& path, const std::string& what) {
  try {
    return sys::open(path, O_PATH | O_DIRECTORY);
  } catch (const Error& e) {
    throw e.wrap(what);
  }
}

}  // namespace

Layers::Layers(const OverlayOptions& o) {
  devs_.resize(o.lowerdirs.size() + 1, 0);
  if (!o.upperdir.empty()) {
    upper_ = open_layer(o.upperdir, "upperdir");
    work_ = open_layer(o.workdir, "workdir");
    struct stat u, w;
    sys::check(::fstat(upper_.get(), &u), "stat", o.upperdir);
    sys::check(::fstat(work_.get(), &w), "stat", o.workdir);
    if (u.st_dev != w.st_dev)
      throw Error::bad_parameter("workdir `" + o.workdir + "` must be on the same filesystem as upperdir `" + o.upperdir + "`");
    devs_[0] = u.st_dev;
  }
  for (size_t i = 0; i < o.lowerdirs.size(); ++i) {
    lowers_.push_back(open_layer(o.lowerdirs[i], "lowerdir"));
    struct stat st;
    sys::check(::fstat(lowers_.back().get(), &st), "stat", o.lowerdirs[i]);
    devs_[i + 1] = st.st_dev;
  }
  // The first layer's device reports plain inode numbers; others get a device index on top.
  dev_index_[has_upper() ? devs_[0] : devs_[1]] = 0;
}

std::vector<int> Layers::root_layers() const {
  std::vector<int> out;
  for (int l = has_upper() ? 0 : 1; l < count(); ++l) {
    out.push_back(l);
    if (l > 0 && l + 1 < count() && is_opaque_dir(fd(l), ".")) break;
  }
  return out;
}

uint64_t Layers::raw_key(dev_t dev, ino_t ino) const {
  uint64_t index;
  {
    std::lock_guard lock(mutex_);
    auto it = dev_index_.find(dev);
    if (it == dev_index_.end()) it = dev_index_.emplace(dev, dev_index_.size()).first;
    index = it->second;
  }
  return (index << 48) ^ static_cast<uint64_t>(ino);
}

uint64_t Layers::key_for(int layer, dev_t dev, ino_t ino) const {
  uint64_t raw = raw_key(dev, ino);
  if (layer != 0) return raw;
  std::lock_guard lock(mutex_);
  auto it = origins_.find(raw);
  return it == origins_.end() ? raw : it->second;
}

void Layers::record_origin(uint64_t upper_raw, uint64_t origin_key) {
  if (upper_raw == origin_key) return;
  std::lock_guard lock(mutex_);
  origins_[upper_raw] = origin_key;
}

void Layers::drop_origin(uint64_t upper_raw) {
  std::lock_guard lock(mutex_);
  origins_.erase(upper_raw);
}

void Layers::record_copied_link(uint64_t origin_key, uint64_t upper_raw, const std::string& path) {
  std::lock_guard lock(mutex_);
  copied_links_[origin_key] = CopiedLink{upper_raw, path};
}

std::optional<Layers::CopiedLink> Layers::copied_link(uint64_t origin_key) const {
  std::lock_guard lock(mutex_);
  auto it = copied_links_.find(origin_key);
  if (it == copied_links_.end()) return std::nullopt;
  return it->second;
}

int Layers::stat_at(int layer, const std::string& path, struct stat& st) const {
  if (::fstatat(fd(layer), path.c_str(), &st, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) != 0) return errno;
  st.st_ino = key_for(layer, st.st_dev, st.st_ino);
  return 0;
}

int Layers::lookup(const std::vector<int>& dir_layers, const std::string& dir_path, const std::string& name,
                   Found& out) const {
  out.layers.clear();
  out.opaque = false;
  std::string path = child_path(dir_path, name);
  for (size_t i = 0; i < dir_layers.size(); ++i) {
    int layer = dir_layers[i];
    struct stat st;
    if (::fstatat(fd(layer), path.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
      if (is_whiteout_device(st)) break;
      if (out.layers.empty()) {
        out.st = st;
        out.layers.push_back(layer);
        if (!S_ISDIR(st.st_mode)) break;
      } else {
        if (!S_ISDIR(st.st_mode)) break;  // a non-directory below a directory ends the merge
        out.layers.push_back(layer);
      }
      if (i + 1 < dir_layers.size() && is_opaque_dir(fd(layer), path)) {
        out.opaque = true;
        break;
      }
      continue;
    }
    int err = errno;
    if (err != ENOENT && err != ENOTDIR) return err;
    if (has_whiteout(fd(layer), dir_path, name)) break;
  }
  if (out.layers.empty()) return ENOENT;
  int top = out.layers.front();
  out.raw_key = raw_key(out.st.st_dev, out.st.st_ino);
  out.key = key_for(top, out.st.st_dev, out.st.st_ino);
  out.st.st_ino = out.key;
  // overlayfs reports one link for a merged directory: counting its subdirectories is costly.
  if (out.layers.size() > 1) out.st.st_nlink = 1;
  return 0;
}

}  // namespace burrow::fuse_overlay
