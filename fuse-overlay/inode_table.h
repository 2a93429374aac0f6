#pragma once
// InodeTable: the FUSE node ids handed to the kernel and the Inode behind each. A node id is
// slot index + generation, so a stale or forged id is rejected instead of dereferenced; the
// kernel's lookup count is kept per slot and the slot is freed when forget() brings it to 0.
// Inodes are found by key (the reported st_ino), so every name of one object maps to one node.
// Thread-safe: one mutex guards the slots and the key map (lock order: before Inode::mutex_);
// it is never held across a system call.

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <utility>
#include <vector>

#include "fuse-overlay/inode.h"

namespace burrow::fuse_overlay {

class InodeTable {
 public:
  static constexpr uint64_t kRootId = 1;  // FUSE_ROOT_ID

  // The root inode gets node id 1 and is never forgotten.
  explicit InodeTable(std::shared_ptr<Inode> root);

  // The node for `key`, adding one kernel reference. When no live node has that key (or the
  // one there has another file type), `make()` builds the inode and it is inserted.
  // Returns the node id and the inode.
  std::pair<uint64_t, std::shared_ptr<Inode>> acquire(uint64_t key, mode_t type,
                                                      const std::function<std::shared_ptr<Inode>()>& make);
  // The inode behind a node id, or null when the id is unknown or stale.
  std::shared_ptr<Inode> get(uint64_t nodeid) const;
  // The live inode with this key, or null.
  std::shared_ptr<Inode> find_key(uint64_t key) const;
  // Stops finding `node` by its key (its object is gone, so the number may be reused by a new
  // object, which must get a new node). The node itself lives on until forgotten.
  void unhash(uint64_t key, const Inode* node);
  // Drops n kernel references; the slot is freed at zero. Unknown ids are ignored.
  void forget(uint64_t nodeid, uint64_t n);
  // Every live inode (for re-rooting descendants after a directory rename).
  std::vector<std::shared_ptr<Inode>> all() const;
  size_t size() const;

 private:
  struct Slot {
    std::shared_ptr<Inode> inode;  // null when free
    uint32_t generation = 0;
    uint64_t nlookup = 0;
  };
  static uint32_t index_of(uint64_t nodeid) { return static_cast<uint32_t>(nodeid & 0xffffffffu); }
  static uint32_t generation_of(uint64_t nodeid) { return static_cast<uint32_t>(nodeid >> 32); }

  mutable std::mutex mutex_;  // guards slots_, free_, by_key_; outermost lock of the FS
  std::vector<Slot> slots_;   // slot 0 unused, slot 1 the root
  std::vector<uint32_t> free_;
  std::unordered_map<uint64_t, uint32_t> by_key_;  // key -> slot index
};

}  // namespace burrow::fuse_overlay
