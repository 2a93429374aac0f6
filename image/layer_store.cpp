#include "image/layer_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/error.h"
#include "base/logger.h"
#include "base/random_id.h"
#include "base/sys.h"

namespace burrow::image {

namespace {
constexpr const char* kStagingPrefix = ".tmp-";
constexpr const char* kRemovingPrefix = ".tmp-rm-";  // a staging name too, so older sweeps remove it

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = ::opendir(dir.c_str());
  if (!d) throw sys::error_from_errno(errno, "opendir", dir);
  while (struct dirent* de = ::readdir(d)) {
    std::string n = de->d_name;
    if (n != "." && n != "..") names.push_back(std::move(n));
  }
  ::closedir(d);
  return names;
}
}  // namespace

Staging::Staging(Staging&& other) noexcept : path_(std::move(other.path_)), layer_fd_(std::move(other.layer_fd_)) {
  other.path_.clear();
}

Staging::~Staging() {
  layer_fd_.reset();
  if (path_.empty()) return;
  try {
    sys::remove_tree(path_);
  } catch (...) {
    // A destructor never throws; the next start-up sweep removes what is left.
  }
}

LayerStore::LayerStore(std::string images_dir, Logger& logger)
    : dir_(std::move(images_dir)), logger_(logger), sync_(dir_, logger) {
  sys::make_dirs(dir_, 0700);
  sweep();
}

void LayerStore::sweep() {
  // Nothing else writes here while the store opens (burrowd holds the state root's lock), so
  // every temporary is a leftover of a killed burrowd.
  auto remove = [&](const std::string& name, const char* what) {
    try {
      sys::remove_tree(dir_ + "/" + name);
      logger_.info("image", "removed images/" + name + " (" + what + ")");
    } catch (const Error& e) {
      logger_.warn("image", std::string("cannot remove leftover images/") + name + ": " + e.what());
    }
  };
  std::vector<std::string> images;
  for (const auto& name : list_dir(dir_)) {
    if (name.rfind(kRemovingPrefix, 0) == 0) {
      remove(name, "rest of an interrupted image deletion");
      continue;
    }
    if (name.rfind(kStagingPrefix, 0) == 0) {
      remove(name, "staging directory of an interrupted import, commit or load");
      continue;
    }
    if (!is_full_id(name)) continue;
    std::vector<std::string> entries;
    try {
      entries = list_dir(image_dir(name));
    } catch (const Error&) {
      continue;  // not a directory: ImageStore skips it with a warning
    }
    bool has_json = false;
    for (const auto& entry : entries) {
      if (entry == "json") has_json = true;
      if (entry.rfind("json.tmp-", 0) == 0) remove(name + "/" + entry, "temporary file of an interrupted write");
    }
    // commit() renames a complete staging directory, json included: an id without one is no image.
    if (!has_json)
      remove(name, "image directory without json");
    else
      images.push_back(name);
  }
  sync_.recover(images, [this](const std::string& id) { LayerStore::remove(id); });
}

Staging LayerStore::stage() const {
  std::string path = dir_ + "/" + kStagingPrefix + random_id().substr(0, 16);
  sys::check(::mkdir(path.c_str(), 0700), "mkdir", path);
  Staging staging(path, Fd());
  sys::check(::mkdir(staging.layer_path().c_str(), 0755), "mkdir", staging.layer_path());
  staging.layer_fd_ = sys::open(staging.layer_path(), O_RDONLY | O_DIRECTORY);
  return staging;
}

void LayerStore::commit(Staging& staging, const std::string& id, const std::string& json) {
  std::string target = image_dir(id);
  if (sys::exists(target)) throw Error::conflict("image " + id + " already exists");
  // No fsync here: the marker, renamed into place together with the json, says the layer is not
  // yet known to be on disk until LayerSync's syncfs (one for the whole tree) has run.
  sys::write_new_file(staging.path() + "/" + LayerSync::kMarker, sync_.boot_id(), 0600);
  sys::write_new_file(staging.path() + "/json", json, 0600);
  if (::rename(staging.path().c_str(), target.c_str()) < 0) throw sys::error_from_errno(errno, "rename", target);
  staging.path_.clear();
  staging.layer_fd_.reset();
  sync_.add(id);
}

void LayerStore::write_json(const std::string& id, const std::string& json) const {
  sys::write_file_atomic(image_dir(id) + "/json", json, 0600);
}

std::optional<std::string> LayerStore::read_json(const std::string& id) const {
  return sys::try_read_file(image_dir(id) + "/json");
}

void LayerStore::remove(const std::string& id) const {
  std::string from = image_dir(id);
  std::string to = dir_ + "/" + kRemovingPrefix + id;
  if (::rename(from.c_str(), to.c_str()) < 0) {
    if (errno == ENOENT) return;
    throw sys::error_from_errno(errno, "rename", from);
  }
  sys::sync_dir(dir_);  // the image is gone for good before its files go
  sys::remove_tree(to);
}

std::vector<std::string> LayerStore::ids() const {
  std::vector<std::string> out;
  for (auto& name : list_dir(dir_))
    if (is_full_id(name)) out.push_back(std::move(name));
  return out;
}

}  // namespace burrow::image
