// ContainerManager::export_rootfs: GET /containers/(id)/export, the container's merged root file
// system as a tar. A running container's mounted rootfs is read as it is; a stopped one gets a
// short-lived read-only burrow-overlay mount of its upper dir over the image layers, so the
// export shows its changes with whiteouts applied, as Docker's did.
#include <fcntl.h>
#include <unistd.h>

#include "base/error.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "engine/container_manager.h"
#include "fuse-overlay/overlay_mount.h"
#include "image/image_store.h"
#include "image/tar_writer.h"

namespace burrow::engine {

void ContainerManager::export_rootfs(const std::string& key, const std::function<void(const char*, size_t)>& sink) {
  Container c = store_.get(key);
  const std::string bundle = store_.bundle_dir(c.id);
  auto lock_ptr = op_lock(c.id);
  std::unique_lock lock(*lock_ptr);  // no start or removal while a stopped one is mounted here
  c = store_.get(c.id);
  if (c.state.running) {
    lock.unlock();
    Fd root = sys::open(bundle + "/rootfs", O_RDONLY | O_DIRECTORY);
    image::write_tree_tar(root.get(), sink);
    return;
  }
  fuse_overlay::OverlayMountOptions options;
  options.program = options_.overlay_program;
  options.lowerdirs = options_.images.layer_dirs(c.image_id);
  if (sys::exists(bundle + "/upper")) options.lowerdirs.insert(options.lowerdirs.begin(), bundle + "/upper");
  options.mountpoint = bundle + "/export-" + random_id().substr(0, 12);
  options.log_path = bundle + "/overlay.log";
  sys::make_dirs(options.mountpoint, 0755);
  std::unique_ptr<fuse_overlay::OverlayMount> mount;
  try {
    mount = fuse_overlay::OverlayMount::mount(options);
    Fd root = sys::open(options.mountpoint, O_RDONLY | O_DIRECTORY);
    image::write_tree_tar(root.get(), sink);
  } catch (...) {
    if (mount) {
      try {
        mount->unmount();
      } catch (const std::exception& e) {
        options_.logger.warn("engine " + c.short_id(), std::string("unmounting the export view: ") + e.what());
      }
    }
    ::rmdir(options.mountpoint.c_str());
    throw;
  }
  mount->unmount();
  ::rmdir(options.mountpoint.c_str());
}

}  // namespace burrow::engine
