#include "fuse-overlay/inode.h"

#include <sys/stat.h>

#include <algorithm>

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

std::string child_path(const std::string& dir_path, const std::string& name) {
  if (dir_path == ".") return name;
  return dir_path + "/" + name;
}

std::string child_path(const Inode& dir, const std::string& name) { return child_path(relative_path(dir), name); }

}  // namespace burrow::fuse_overlay
