#include "fuse-overlay/inode.h"

#include <sys/stat.h>

#include <algorithm>

#include "fuse-overlay/dir_merge.h"

namespace burrow::fuse_overlay {

std::string relative_path(const Inode& inode) {
  std::vector<std::string> parts;
  Inode::Where w = inode.where();
  while (w.parent) {
    parts.push_back(std::move(w.name));
    w = w.parent->where();
  }
  if (parts.empty()) return ".";
  std::string out;
  for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
    if (!out.empty()) out += '/';
    out += *it;
  }
  return out;
}

void Inode::add_alias(const std::shared_ptr<Inode>& parent, const std::string& name) {
  std::lock_guard lock(mutex_);
  if (where_.parent == parent && where_.name == name) return;
  for (const auto& a : aliases_)
    if (a.first == parent && a.second == name) return;
  aliases_.emplace_back(parent, name);
}

void Inode::remove_name(const Inode* parent, const std::string& name) {
  std::lock_guard lock(mutex_);
  if (where_.parent.get() == parent && where_.name == name) {
    if (aliases_.empty()) {
      where_.unlinked = true;
    } else {
      where_.parent = std::move(aliases_.back().first);
      where_.name = std::move(aliases_.back().second);
      aliases_.pop_back();
    }
    return;
  }
  auto& a = aliases_;
  a.erase(std::remove_if(a.begin(), a.end(), [&](const auto& x) { return x.first.get() == parent && x.second == name; }),
          a.end());
}

void Inode::rename_name(const Inode* old_parent, const std::string& old_name, std::shared_ptr<Inode> new_parent,
                        std::string new_name) {
  std::lock_guard lock(mutex_);
  for (auto& a : aliases_) {
    if (a.first.get() == old_parent && a.second == old_name) {
      a.first = std::move(new_parent);
      a.second = std::move(new_name);
      return;
    }
  }
  where_.parent = std::move(new_parent);
  where_.name = std::move(new_name);
  where_.unlinked = false;
}

std::shared_ptr<const DirListing> Inode::listing(uint32_t id) const {
  std::lock_guard lock(mutex_);
  for (const auto& l : listings_)
    if (l->id == id) return l;
  return nullptr;
}

void Inode::add_listing(std::shared_ptr<const DirListing> listing) {
  std::lock_guard lock(mutex_);
  listings_.insert(listings_.begin(), std::move(listing));
  if (listings_.size() > kMaxListings) listings_.resize(kMaxListings);
}

void Inode::drop_listing(uint32_t id) {
  std::lock_guard lock(mutex_);
  auto& ls = listings_;
  ls.erase(std::remove_if(ls.begin(), ls.end(), [&](const auto& l) { return l->id == id; }), ls.end());
}

std::string child_path(const std::string& dir_path, const std::string& name) {
  if (dir_path == ".") return name;
  return dir_path + "/" + name;
}

std::string child_path(const Inode& dir, const std::string& name) { return child_path(relative_path(dir), name); }

}  // namespace burrow::fuse_overlay
