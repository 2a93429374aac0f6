// ContainerManager's file access: export (GET /containers/(id)/export, the merged root file
// system as a tar) and docker cp's archive/stat of one path. A running container's mounted
// rootfs is read as it is; a stopped one gets a short-lived read-only burrow-overlay mount of
// its upper dir over the image layers, so its changes show with whiteouts applied.
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/error.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "engine/container_manager.h"
#include "engine/layers_tar.h"
#include "fuse-overlay/overlay_mount.h"
#include "image/image_store.h"
#include "image/tar_writer.h"

namespace burrow::engine {

void ContainerManager::view_rootfs(const std::string& key, const std::function<void(const std::string&)>& fn) {
  Container c = store_.get(key);
  const std::string bundle = store_.bundle_dir(c.id);
  auto lock_ptr = op_lock(c.id);
  std::unique_lock lock(*lock_ptr);  // no start or removal while a stopped one is mounted here
  c = store_.get(c.id);
  if (c.state.running) {
    lock.unlock();
    fn(bundle + "/rootfs");
    return;
  }
  fuse_overlay::OverlayMountOptions options;
  options.program = options_.overlay_program;
  options.lowerdirs = options_.images.layer_dirs(c.image_id);
  if (sys::exists(bundle + "/upper")) options.lowerdirs.insert(options.lowerdirs.begin(), bundle + "/upper");
  options.mountpoint = bundle + "/view-" + random_id().substr(0, 12);
  options.log_path = bundle + "/overlay.log";
  sys::make_dirs(options.mountpoint, 0755);
  std::unique_ptr<fuse_overlay::OverlayMount> mount;
  try {
    mount = fuse_overlay::OverlayMount::mount(options);
    fn(options.mountpoint);
  } catch (...) {
    if (mount) {
      try {
        mount->unmount();
      } catch (const std::exception& e) {
        options_.logger.warn("engine " + c.short_id(), std::string("unmounting the rootfs view: ") + e.what());
      }
    }
    ::rmdir(options.mountpoint.c_str());
    throw;
  }
  mount->unmount();
  ::rmdir(options.mountpoint.c_str());
}

// A stopped container's tree is read from its layers directly (engine/layers_tar.h): the same
// members as through a burrow-overlay mount, without a FUSE round trip per call (5x faster).
void ContainerManager::export_rootfs(const std::string& key, const std::function<void(const char*, size_t)>& sink) {
  Container c = store_.get(key);
  const std::string bundle = store_.bundle_dir(c.id);
  auto lock_ptr = op_lock(c.id);
  std::unique_lock lock(*lock_ptr);  // no start or removal while its layers are read
  c = store_.get(c.id);
  if (c.state.running) {
    lock.unlock();
    Fd root = sys::open(bundle + "/rootfs", O_RDONLY | O_DIRECTORY);
    image::write_tree_tar(root.get(), sink);
    return;
  }
  std::vector<std::string> layers = options_.images.layer_dirs(c.image_id);
  if (sys::exists(bundle + "/upper")) layers.insert(layers.begin(), bundle + "/upper");
  write_layers_tar(layers, sink);
}

namespace {

// Opens `path` (absolute, inside the container) with `rootfs` as "/": symlinks and ".." cannot
// leave it. NotFound "Could not find the file x in container y" when it is missing.
Fd open_in_root(const std::string& rootfs, const std::string& path, int flags) {
  Fd root = sys::open(rootfs, O_PATH | O_DIRECTORY);
  struct open_how how {};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(
      sys::retry_eintr([&] { return ::syscall(SYS_openat2, root.get(), path.c_str(), &how, sizeof how); }));
  if (fd < 0 && errno == ENOENT) throw Error::not_found("Could not find the file " + path + " in container");
  return Fd(sys::check(fd, "open", path));
}

// "/a/b/" -> ("/a", "b"); "/" -> ("/", ".").
std::pair<std::string, std::string> split_path(std::string path) {
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path.empty() || path == "/") return {"/", "."};
  auto slash = path.rfind('/');
  std::string parent = slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
  return {parent, path.substr(slash == std::string::npos ? 0 : slash + 1)};
}

}  // namespace

ContainerPathStat ContainerManager::stat_path(const std::string& key, const std::string& path) {
  ContainerPathStat out;
  view_rootfs(key, [&](const std::string& rootfs) {
    auto [parent, name] = split_path(path);
    Fd dir = open_in_root(rootfs, parent, O_PATH | O_DIRECTORY);
    struct stat st {};
    if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) throw Error::not_found("Could not find the file " + path + " in container");
      sys::check(-1, "stat", path);
    }
    out.name = name == "." ? "/" : name;
    out.st = st;
    if (S_ISLNK(st.st_mode)) {
      char buf[4096];
      ssize_t n = ::readlinkat(dir.get(), name.c_str(), buf, sizeof buf);
      if (n > 0) out.link_target = std::string(buf, static_cast<size_t>(n));
    }
  });
  return out;
}

void ContainerManager::archive_path(const std::string& key, const std::string& path,
                                    const std::function<void(const char*, size_t)>& sink) {
  view_rootfs(key, [&](const std::string& rootfs) {
    auto [parent, name] = split_path(path);
    Fd dir = open_in_root(rootfs, parent, O_RDONLY | O_DIRECTORY);
    struct stat st {};
    if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) throw Error::not_found("Could not find the file " + path + " in container");
      sys::check(-1, "stat", path);
    }
    std::string member = name == "." ? "" : name;
    if (S_ISDIR(st.st_mode)) {
      // The directory itself, then its tree, under its own name (what docker cp expects).
      Fd sub = open_in_root(rootfs, path, O_RDONLY | O_DIRECTORY);
      image::TarScanOptions scan;
      scan.prefix = member.empty() ? "" : member + "/";
      scan.include_root = !member.empty();
      image::write_tree_tar(sub.get(), sink, scan);
      return;
    }
    image::TarMember m;
    m.rel = name;
    m.name = name;
    m.st = st;
    if (S_ISLNK(st.st_mode)) {
      char buf[4096];
      ssize_t n = ::readlinkat(dir.get(), name.c_str(), buf, sizeof buf);
      if (n > 0) m.symlink = std::string(buf, static_cast<size_t>(n));
    }
    image::write_tar(dir.get(), {m}, sink);
  });
}

}  // namespace burrow::engine
