#pragma once
// Layers: the directories one mount is made of (slot 0 the upper layer, when there is one;
// slots 1.. the lower layers, top first) and lookups through them with overlayfs semantics:
// the first layer holding a name wins, a whiteout stops the search, directories merge with the
// layers below until one is opaque or a non-directory ends the merge. Also the mapping from
// (layer, st_dev, st_ino) to the inode numbers reported to the kernel, which stay the same
// across copy-up (an origin map keyed by the upper object).
// Thread-safe: the root descriptors are fixed after construction; the dev and origin maps have
// their own mutex, never held across a system call.

#include <sys/stat.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/fd.h"
#include "fuse-overlay/overlay_options.h"

namespace burrow::fuse_overlay {

// One found object of the merged tree.
struct Found {
  struct stat st {};         // the top object's stat; st_ino is the reported inode number
  uint64_t key = 0;          // the reported inode number
  uint64_t raw_key = 0;      // the number made from the top object alone (before origins)
  std::vector<int> layers;   // top first
  bool opaque = false;       // directories: the merge stopped at an opaque marker
};

class Layers {
 public:
  // Opens the layer directories. Throws burrow::Error naming the directory that cannot be
  // opened, or when workdir is not on upperdir's filesystem.
  explicit Layers(const OverlayOptions& options);

  bool has_upper() const { return upper_.valid(); }
  // Number of slots, the upper slot included (whether or not there is an upper layer).
  int count() const { return static_cast<int>(lowers_.size()) + 1; }
  // The root directory of a layer (an O_PATH descriptor usable as the dirfd of *at calls).
  int fd(int layer) const { return layer == 0 ? upper_.get() : lowers_[layer - 1].get(); }
  int work_fd() const { return work_.get(); }
  // The layers the root directory spans, top first.
  std::vector<int> root_layers() const;

  // Finds `name` in the directory at dir_path spanning dir_layers (top first). Returns 0 and
  // fills `out`, or an errno (ENOENT when absent or whited out).
  int lookup(const std::vector<int>& dir_layers, const std::string& dir_path, const std::string& name, Found& out) const;
  // Fills the stat, key and st_ino of the object at path in `layer`. Returns 0 or errno.
  int stat_at(int layer, const std::string& path, struct stat& st) const;

  // The inode number reported for an object of `layer` with this device and inode.
  uint64_t key_for(int layer, dev_t dev, ino_t ino) const;
  uint64_t raw_key(dev_t dev, ino_t ino) const;
  // Records that the upper object with raw key `upper_raw` is a copy of `origin_key`.
  void record_origin(uint64_t upper_raw, uint64_t origin_key);
  // Forgets the origin of an upper object that has been deleted.
  void drop_origin(uint64_t upper_raw);
  dev_t layer_dev(int layer) const { return devs_[layer]; }

  // A lower file with several links that was copied up through one of its names.
  struct CopiedLink {
    uint64_t upper_raw;  // the copy's raw key
    std::string path;    // where the copy was made
  };
  void record_copied_link(uint64_t origin_key, uint64_t upper_raw, const std::string& path);
  std::optional<CopiedLink> copied_link(uint64_t origin_key) const;

 private:
  Fd upper_;
  Fd work_;
  std::vector<Fd> lowers_;
  std::vector<dev_t> devs_;  // st_dev of each slot's root

  mutable std::mutex mutex_;  // guards dev_index_ and origins_
  mutable std::unordered_map<dev_t, uint64_t> dev_index_;
  std::unordered_map<uint64_t, uint64_t> origins_;  // upper raw key -> origin key
  std::unordered_map<uint64_t, CopiedLink> copied_links_;  // origin key -> its copy
};

}  // namespace burrow::fuse_overlay
