#include "engine/startup_sweep.h"

#include <dirent.h>
#include <stdlib.h>
#include <sys/mount.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "base/error.h"
#include "base/logger.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "engine/container_manager.h"
#include "engine/container_store.h"

namespace burrow::engine {

namespace {

constexpr const char* kComponent = "sweep";

std::vector<std::string> entries_of(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) {
    if (errno == ENOENT || errno == ENOTDIR) return names;
    throw sys::error_from_errno(errno, "opendir", dir);
  }
  while (struct dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  ::closedir(d);
  return names;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_mountinfo(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    auto octal = [&](size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '7'; };
    if (s[i] == '\\' && octal(i + 1) && octal(i + 2) && octal(i + 3)) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// The temporary of the exit record a container's shim writes (userns/shim_main.cpp).
constexpr const char* kShimExitTempPrefix = "exit.json.tmp-";

// The name of a file that sys::write_file_atomic was writing: "<name>.tmp-<digits>".
bool is_atomic_write_temp(const std::string& name) {
  size_t pos = name.rfind(".tmp-");
  if (pos == std::string::npos || pos == 0 || pos + 5 == name.size()) return false;
  return std::all_of(name.begin() + pos + 5, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool under(const std::string& path, const std::string& dir) {
  return path == dir || (path.size() > dir.size() && path.compare(0, dir.size(), dir) == 0 && path[dir.size()] == '/');
}

class Sweep {
 public:
  Sweep(std::string root, Logger& logger) : root_(std::move(root)), logger_(logger) {}

  // Detaches every mount at or below root/rel (the FUSE daemon behind it then exits).
  void unmount_below(const std::string& rel) {
    for (const auto& m : mount_points_below(root_ + "/" + rel)) {
      if (::umount2(m.c_str(), MNT_DETACH) == 0) {
        logger_.info(kComponent, "unmounted " + m.substr(root_.size() + 1) + " (left mounted by a killed burrowd)");
      } else {
        logger_.warn(kComponent, sys::error_from_errno(errno, "umount2", m).what());
      }
    }
  }

  // Removes root/rel (a tree or a file) unless something is still mounted below it.
  void remove(const std::string& rel, const std::string& why) {
    std::string path = root_ + "/" + rel;
    try {
      if (!mount_points_below(path).empty()) {
        logger_.warn(kComponent, "left " + rel + " (" + why + "): still mounted");
        return;
      }
      sys::remove_tree(path);
      logger_.info(kComponent, "removed " + rel + " (" + why + ")");
      removed_.push_back(rel);
    } catch (const std::exception& e) {
      logger_.warn(kComponent, "cannot remove " + rel + " (" + why + "): " + e.what());
    }
  }

  // Every entry of a directory that holds only temporaries (root/tmp, root/registry-tmp).
  void temp_dir(const std::string& rel, const std::string& why) {
    unmount_below(rel);
    for (const auto& name : entries_of(root_ + "/" + rel)) remove(rel + "/" + name, why);
  }

  // rel "" is the root itself. Temporaries whose name starts with keep_prefix are left alone.
  void atomic_write_temps(const std::string& rel, const std::string& keep_prefix = "") {
    for (const auto& name : entries_of(rel.empty() ? root_ : root_ + "/" + rel))
      if (is_atomic_write_temp(name) && (keep_prefix.empty() || name.rfind(keep_prefix, 0) != 0))
        remove(rel.empty() ? name : rel + "/" + name, "temporary file of an interrupted write");
  }

  void containers() {
    for (const auto& name : entries_of(root_ + "/containers")) {
      std::string rel = "containers/" + name;
      if (name.rfind(ContainerStore::kRemovingPrefix, 0) == 0) {
        unmount_below(rel);
        remove(rel, "container removal cut short");
        continue;
      }
      if (!is_full_id(name)) continue;
      if (!sys::exists(root_ + "/" + rel + "/config.json")) {
        // A create writes config.json last: without it nothing ever ran from this directory.
        remove(rel, "container creation cut short");
        continue;
      }
      // exit.json is written by the container's burrow-shim, which outlives burrowd and may be
      // writing it right now (a container ending as burrowd starts): its temporary stays.
      atomic_write_temps(rel, kShimExitTempPrefix);
      // docker cp / export of a stopped container mounts a view-* beside rootfs/ for the call.
      for (const auto& entry : entries_of(root_ + "/" + rel)) {
        if (entry.rfind("view-", 0) != 0) continue;
        unmount_below(rel + "/" + entry);
        remove(rel + "/" + entry, "rootfs view of an interrupted docker cp or export");
      }
    }
  }

  std::vector<std::string> run() {
    temp_dir("tmp", "temporary of an interrupted build");
    temp_dir("registry-tmp", "download of an interrupted pull");
    containers();
    atomic_write_temps("");
    return std::move(removed_);
  }

 private:
  std::string root_;
  Logger& logger_;
  std::vector<std::string> removed_;
};

}  // namespace

std::vector<std::string> remove_interrupted_build_steps(ContainerManager& containers, Logger& logger) {
  std::vector<std::string> removed;
  for (const auto& c : containers.list()) {
    if (!sys::exists(containers.store().bundle_dir(c.id) + "/" + kBuildStepMarker)) continue;
    try {
      containers.remove(c.id, false, true);
      logger.info(kComponent, "removed container " + c.short_id() + " of a build step that a killed burrowd cut short");
      removed.push_back(c.id);
    } catch (const std::exception& e) {
      logger.warn(kComponent, "cannot remove container " + c.short_id() + " of an interrupted build step: " + e.what());
    }
  }
  return removed;
}

std::vector<std::string> mount_points_below(const std::string& dir) {
  std::vector<std::string> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, mount_point;
    if (!(fields >> id >> parent >> dev >> root >> mount_point)) continue;
    mount_point = unescape_mountinfo(mount_point);
    if (under(mount_point, dir)) out.push_back(std::move(mount_point));
  }
  std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return out;
}

std::vector<std::string> sweep_state_root(const std::string& root, Logger& logger) {
  // mountinfo names canonical paths; the root may come as a relative or symlinked path.
  std::string canonical = root;
  if (char* real = ::realpath(root.c_str(), nullptr)) {
    canonical = real;
    ::free(real);
  }
  if (!sys::exists(canonical)) throw Error::io("state root " + root + " is missing");
  return Sweep(canonical, logger).run();
}

}  // namespace burrow::engine
