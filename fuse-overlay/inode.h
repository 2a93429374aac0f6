#pragma once
// Inode: one object of the merged tree as the kernel knows it (a FUSE node). It records where
// the object lives: its parent and name in the merged tree (its path in every layer) and the
// layers that hold it, top first (0 is the upper layer; 1.. the lower layers). A directory
// may span several layers (merged); any other object lives in exactly one.
// Thread-safety: the mutable fields are guarded by mutex_ and read as a snapshot (Where);
// callers never hold it across a system call. Lock order: InodeTable's mutex before this one.

#include <sys/stat.h>
#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace burrow::fuse_overlay {

struct DirListing;  // dir_merge.h

class Inode {
 public:
  // A snapshot of the inode's location, taken under the lock.
  struct Where {
    std::shared_ptr<Inode> parent;  // null for the root
    std::string name;
    std::vector<int> layers;  // top first; never empty
    bool unlinked = false;    // removed from the tree (open handles may still use it)
    bool opaque = false;      // directories: the top layer hides everything below
  };

  Inode(uint64_t key, mode_t type, Where where) : key_(key), type_(type), where_(std::move(where)) {}
  Inode(const Inode&) = delete;
  Inode& operator=(const Inode&) = delete;

  // The inode number reported to the kernel (st_ino); stable for the life of the mount.
  uint64_t key() const { return key_; }
  // S_IFMT bits; fixed for the life of the inode.
  mode_t type() const { return type_; }
  bool is_dir() const { return (type_ & S_IFMT) == S_IFDIR; }

  Where where() const {
    std::lock_guard lock(mutex_);
    return where_;
  }
  int top_layer() const {
    std::lock_guard lock(mutex_);
    return where_.layers.front();
  }
  void set_layers(std::vector<int> layers, bool opaque) {
    std::lock_guard lock(mutex_);
    where_.layers = std::move(layers);
    where_.opaque = opaque;
  }
  void move_to(std::shared_ptr<Inode> parent, std::string name) {
    std::lock_guard lock(mutex_);
    where_.parent = std::move(parent);
    where_.name = std::move(name);
    where_.unlinked = false;
  }
  void set_unlinked(bool unlinked) {
    std::lock_guard lock(mutex_);
    where_.unlinked = unlinked;
  }
  // Records one more name of a hard-linked object.
  void add_alias(const std::shared_ptr<Inode>& parent, const std::string& name);
  // The name (parent, name) was removed: another known name takes over, or the inode is
  // marked unlinked when none is left. Unknown names are ignored.
  void remove_name(const Inode* parent, const std::string& name);
  // The name (old_parent, old_name) is now (new_parent, new_name).
  void rename_name(const Inode* old_parent, const std::string& old_name, std::shared_ptr<Inode> new_parent,
                   std::string new_name);

  // Directories: the merged listings readdir is in the middle of serving, so that a read
  // continued at an offset finds the listing that offset came from. At most kMaxListings are
  // kept (most recent first); a listing is dropped when its end has been served.
  static constexpr size_t kMaxListings = 4;
  std::shared_ptr<const DirListing> listing(uint32_t id) const;
  void add_listing(std::shared_ptr<const DirListing> listing);
  void drop_listing(uint32_t id);

 private:
  const uint64_t key_;
  const mode_t type_;
  mutable std::mutex mutex_;  // guards where_, aliases_ and listings_; innermost lock
  Where where_;
  // Further names of a hard-linked object the kernel has looked up; one becomes the location
  // when the current one is removed. Kept out of Where so snapshots stay cheap.
  std::vector<std::pair<std::shared_ptr<Inode>, std::string>> aliases_;
  std::vector<std::shared_ptr<const DirListing>> listings_;
};

// The path of an inode relative to each layer's root ("." for the root, else "a/b/c").
std::string relative_path(const Inode& inode);
// The path of `name` inside the directory `dir` ("name" when dir is the root).
std::string child_path(const Inode& dir, const std::string& name);
std::string child_path(const std::string& dir_path, const std::string& name);

}  // namespace burrow::fuse_overlay
