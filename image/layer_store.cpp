#include "image/layer_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>

#include "base/error.h"
#include "base/logger.h"
#include "base/random_id.h"
#include "base/sys.h"

namespace burrow::image {

namespace {
constexpr const char* kStagingPrefix = ".tmp-";

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

LayerStore::LayerStore(std::string images_dir, Logger& logger) : dir_(std::move(images_dir)), logger_(logger) {
  sys::make_dirs(dir_, 0700);
  for (const auto& name : list_dir(dir_)) {
    if (name.rfind(kStagingPrefix, 0) != 0) continue;
    try {
      sys::remove_tree(dir_ + "/" + name);
      logger_.info("image", "removed leftover staging directory " + name);
    } catch (const Error& e) {
      logger_.warn("image", std::string("cannot remove leftover ") + name + ": " + e.what());
    }
  }
}

Staging LayerStore::stage() const {
  std::string path = dir_ + "/" + kStagingPrefix + random_id().substr(0, 16);
  sys::check(::mkdir(path.c_str(), 0700), "mkdir", path);
  Staging staging(path, Fd());
  sys::check(::mkdir(staging.layer_path().c_str(), 0755), "mkdir", staging.layer_path());
  staging.layer_fd_ = sys::open(staging.layer_path(), O_RDONLY | O_DIRECTORY);
  return staging;
}

void LayerStore::commit(Staging& staging, const std::string& id, const std::string& json) const {
  std::string target = image_dir(id);
  if (sys::exists(target)) throw Error::conflict("image " + id + " already exists");
  sys::write_file_atomic(staging.path() + "/json", json, 0600);
  if (::rename(staging.path().c_str(), target.c_str()) < 0) throw sys::error_from_errno(errno, "rename", target);
  staging.path_.clear();
  staging.layer_fd_.reset();
  sys::sync_dir(dir_);
}

void LayerStore::write_json(const std::string& id, const std::string& json) const {
  sys::write_file_atomic(image_dir(id) + "/json", json, 0600);
}

std::optional<std::string> LayerStore::read_json(const std::string& id) const {
  return sys::try_read_file(image_dir(id) + "/json");
}

void LayerStore::remove(const std::string& id) const {
  std::string from = image_dir(id);
  std::string to = dir_ + "/" + kStagingPrefix + "rm-" + id;
  if (::rename(from.c_str(), to.c_str()) < 0) {
    if (errno == ENOENT) return;
    throw sys::error_from_errno(errno, "rename", from);
  }
  sys::remove_tree(to);
}

std::vector<std::string> LayerStore::ids() const {
  std::vector<std::string> out;
  for (auto& name : list_dir(dir_))
    if (is_full_id(name)) out.push_back(std::move(name));
  return out;
}

}  // namespace burrow::image
