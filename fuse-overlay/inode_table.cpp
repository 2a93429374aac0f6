#include "fuse-overlay/inode_table.h"

namespace burrow::fuse_overlay {

InodeTable::InodeTable(std::shared_ptr<Inode> root) {
  slots_.resize(2);
  slots_[1].inode = std::move(root);
  slots_[1].generation = 0;
  slots_[1].nlookup = 1;
  by_key_[slots_[1].inode->key()] = 1;
}

std::pair<uint64_t, std::shared_ptr<Inode>> InodeTable::acquire(uint64_t key, mode_t type,
                                                                const std::function<std::shared_ptr<Inode>()>& make) {
  std::shared_ptr<Inode> fresh;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      auto it = by_key_.find(key);
      if (it != by_key_.end()) {
        Slot& s = slots_[it->second];
        if ((s.inode->type() & S_IFMT) == (type & S_IFMT)) {
          if (it->second != 1) ++s.nlookup;
          return {(static_cast<uint64_t>(s.generation) << 32) | it->second, s.inode};
        }
        // Same number, other type: the old object is gone; it keeps its slot until forgotten.
        by_key_.erase(it);
      }
      if (fresh) {
        uint32_t index;
        if (!free_.empty()) {
          index = free_.back();
          free_.pop_back();
        } else {
          index = static_cast<uint32_t>(slots_.size());
          slots_.emplace_back();
        }
        Slot& s = slots_[index];
        ++s.generation;
        if (s.generation == 0) s.generation = 1;
        s.inode = std::move(fresh);
        s.nlookup = 1;
        by_key_[key] = index;
        return {(static_cast<uint64_t>(s.generation) << 32) | index, s.inode};
      }
    }
    // Built outside the lock; the loop re-checks in case another thread inserted meanwhile.
    fresh = make();
  }
}

std::shared_ptr<Inode> InodeTable::get(uint64_t nodeid) const {
  uint32_t index = index_of(nodeid);
  std::lock_guard lock(mutex_);
  if (nodeid == kRootId) return slots_[1].inode;
  if (index <= 1 || index >= slots_.size()) return nullptr;
  const Slot& s = slots_[index];
  if (!s.inode || s.generation != generation_of(nodeid)) return nullptr;
  return s.inode;
}

std::shared_ptr<Inode> InodeTable::find_key(uint64_t key) const {
  std::lock_guard lock(mutex_);
  auto it = by_key_.find(key);
  if (it == by_key_.end()) return nullptr;
  return slots_[it->second].inode;
}

void InodeTable::unhash(uint64_t key, const Inode* node) {
  std::lock_guard lock(mutex_);
  auto it = by_key_.find(key);
  if (it != by_key_.end() && it->second != 1 && slots_[it->second].inode.get() == node) by_key_.erase(it);
}

void InodeTable::forget(uint64_t nodeid, uint64_t n) {
  uint32_t index = index_of(nodeid);
  std::shared_ptr<Inode> dropped;  // released after the lock, so a parent chain frees outside it
  std::lock_guard lock(mutex_);
  if (index <= 1 || index >= slots_.size()) return;
  Slot& s = slots_[index];
  if (!s.inode || s.generation != generation_of(nodeid)) return;
  s.nlookup = n >= s.nlookup ? 0 : s.nlookup - n;
  if (s.nlookup > 0) return;
  auto it = by_key_.find(s.inode->key());
  if (it != by_key_.end() && it->second == index) by_key_.erase(it);
  dropped = std::move(s.inode);
  free_.push_back(index);
}

std::vector<std::shared_ptr<Inode>> InodeTable::all() const {
  std::lock_guard lock(mutex_);
  std::vector<std::shared_ptr<Inode>> out;
  for (const auto& s : slots_)
    if (s.inode) out.push_back(s.inode);
  return out;
}

size_t InodeTable::size() const {
  std::lock_guard lock(mutex_);
  return slots_.size() - 1 - free_.size();
}

}  // namespace burrow::fuse_overlay
