#include "engine/layers_tar.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <unordered_map>

#include "base/error.h"
#include "base/sys.h"
#include "fuse-overlay/copy_up.h"
#include "fuse-overlay/dir_merge.h"
#include "fuse-overlay/layers.h"
#include "fuse-overlay/overlay_options.h"
#include "image/tar_writer.h"

namespace burrow::engine {

namespace {

class MergedScanner {
 public:
  explicit MergedScanner(const fuse_overlay::Layers& layers) : layers_(layers) {}

  // Lists the directory at `path` ("." for the root) spanning dir_layers, then its subtrees.
  void scan(const std::vector<int>& dir_layers, const std::string& path) {
    std::vector<fuse_overlay::MergedEntry> entries;
    if (int err = fuse_overlay::list_merged(layers_, dir_layers, path, entries); err != 0)
      throw sys::error_from_errno(err, "list", path);
    std::vector<std::string> names;
    for (auto& e : entries)
      if (e.name != "." && e.name != "..") names.push_back(std::move(e.name));
    std::sort(names.begin(), names.end());
    for (const auto& name : names) {
      fuse_overlay::Found found;
      int err = layers_.lookup(dir_layers, path, name, found);
      if (err == ENOENT) continue;
      if (err != 0) throw sys::error_from_errno(err, "stat", name);
      add(path == "." ? name : path + "/" + name, found);
    }
  }

  std::vector<image::TarMember> take() { return std::move(members_); }

 private:
  void add(const std::string& rel, const fuse_overlay::Found& found) {
    int layer_fd = layers_.fd(found.layers.front());
    image::TarMember m;
    m.rel = rel;
    m.name = rel;
    m.st = found.st;
    m.source_fd = layer_fd;
    if (S_ISSOCK(m.st.st_mode)) return;  // sockets do not go into archives
    if (S_ISLNK(m.st.st_mode)) {
      std::vector<char> buf(4096);
      ssize_t len = sys::check(::readlinkat(layer_fd, rel.c_str(), buf.data(), buf.size()), "readlink", rel);
      m.symlink.assign(buf.data(), static_cast<size_t>(len));
      members_.push_back(std::move(m));
      return;
    }
    if (S_ISREG(m.st.st_mode) || S_ISDIR(m.st.st_mode)) {
      for (auto& [k, v] : image::read_xattrs("/proc/self/fd/" + std::to_string(layer_fd) + "/" + rel))
        if (!fuse_overlay::is_private_xattr(k.c_str())) m.xattrs.emplace_back(std::move(k), std::move(v));
    }
    if (S_ISREG(m.st.st_mode) && m.st.st_nlink > 1) {
      auto [it, fresh] = links_.emplace(found.key, m.name);
      if (!fresh) m.hardlink = it->second;
    }
    if (!S_ISDIR(m.st.st_mode)) {
      members_.push_back(std::move(m));
      return;
    }
    m.name += '/';
    members_.push_back(std::move(m));
    scan(found.layers, rel);
  }

  const fuse_overlay::Layers& layers_;
  std::vector<image::TarMember> members_;
  std::unordered_map<uint64_t, std::string> links_;  // reported inode number -> first member name
};

}  // namespace

uint64_t write_layers_tar(const std::vector<std::string>& layer_dirs, const image::WriteFn& sink) {
  fuse_overlay::OverlayOptions options;
  options.lowerdirs = layer_dirs;
  fuse_overlay::Layers layers(options);
  MergedScanner scanner(layers);
  scanner.scan(layers.root_layers(), ".");
  auto members = scanner.take();
  Fd root = sys::open(layer_dirs.front(), O_RDONLY | O_DIRECTORY);
  return image::write_tar(root.get(), members, sink);
}

}  // namespace burrow::engine
