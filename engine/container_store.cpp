#include "engine/container_store.h"

#include <dirent.h>
#include <stdio.h>

#include <algorithm>

#include "base/error.h"
#include "base/random_id.h"
#include "base/sys.h"

namespace burrow::engine {

ContainerStore::ContainerStore(std::string containers_dir) : dir_(std::move(containers_dir)) {
  sys::make_dirs(dir_, 0700);
}

std::vector<std::string> ContainerStore::load() {
  std::vector<std::string> bad;
  std::vector<std::string> ids;
  if (DIR* d = ::opendir(dir_.c_str())) {
    while (struct dirent* e = ::readdir(d)) {
      if (is_full_id(e->d_name)) ids.emplace_back(e->d_name);
    }
    ::closedir(d);
  }
  std::map<std::string, Container> loaded;
  for (const auto& id : ids) {
    try {
      auto cfg = sys::try_read_file(bundle_dir(id) + "/config.json");
      if (!cfg) continue;  // a create that never finished
      Container c = Container::from_config_json(parse_json_object(*cfg));
      if (c.id != id) throw Error::internal("config.json names another id");
      if (auto st = sys::try_read_file(bundle_dir(id) + "/state.json"))
        c.state = ContainerState::from_json(parse_json_object(*st));
      loaded[id] = std::move(c);
    } catch (const std::exception& e) {
      bad.push_back(id + ": " + e.what());
    }
  }
  std::lock_guard lock(mutex_);
  containers_ = std::move(loaded);
  return bad;
}

void ContainerStore::write_config(const Container& c) const {
  sys::write_file_atomic(bundle_dir(c.id) + "/config.json", json_stringify(c.to_config_json()), 0600);
}

void ContainerStore::write_state(const std::string& id, const ContainerState& s) const {
  sys::write_file_atomic(bundle_dir(id) + "/state.json", json_stringify(s.to_json()), 0600);
}

void ContainerStore::add(const Container& c) {
  std::lock_guard lock(mutex_);
  for (const auto& [id, other] : containers_) {
    if (other.name == c.name)
      throw Error::conflict("Conflict, The name " + c.name + " is already assigned to " + short_id(id) +
                            ". You have to delete (or rename) that container to be able to assign " + c.name +
                            " to a container again.");
  }
  sys::make_dirs(bundle_dir(c.id), 0700);
  // No state.json yet: a container without one has never started (load() gives the default
  // state), which saves a durable write on every create.
  write_config(c);
  containers_[c.id] = c;
}

std::optional<Container> ContainerStore::find(const std::string& key) const {
  if (key.empty()) return std::nullopt;
  std::lock_guard lock(mutex_);
  if (auto it = containers_.find(key); it != containers_.end()) return it->second;
  std::string slash = key[0] == '/' ? key : "/" + key;
  for (const auto& [id, c] : containers_)
    if (c.name == slash) return c;
  const Container* match = nullptr;
  for (auto it = containers_.lower_bound(key); it != containers_.end() && it->first.compare(0, key.size(), key) == 0;
       ++it) {
    if (match) throw Error::bad_parameter("Bad parameter: multiple containers match the id prefix " + key);
    match = &it->second;
  }
  if (match) return *match;
  return std::nullopt;
}

Container ContainerStore::get(const std::string& key) const {
  auto c = find(key);
  if (!c) throw Error::not_found("No such container: " + key);
  return *c;
}

bool ContainerStore::name_taken(const std::string& slash_name) const {
  std::lock_guard lock(mutex_);
  for (const auto& [id, c] : containers_)
    if (c.name == slash_name) return true;
  return false;
}

std::vector<Container> ContainerStore::list() const {
  std::vector<Container> out;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [id, c] : containers_) out.push_back(c);
  }
  std::sort(out.begin(), out.end(), [](const Container& a, const Container& b) {
    if (a.created != b.created) return a.created > b.created;
    return a.id > b.id;
  });
  return out;
}

Container ContainerStore::update_state(const std::string& id, const std::function<void(ContainerState&)>& fn) {
  std::lock_guard lock(mutex_);
  auto it = containers_.find(id);
  if (it == containers_.end()) throw Error::not_found("No such container: " + id);
  ContainerState s = it->second.state;
  fn(s);
  write_state(id, s);
  it->second.state = s;
  return it->second;
}

void ContainerStore::update_config(const Container& c) {
  std::lock_guard lock(mutex_);
  auto it = containers_.find(c.id);
  if (it == containers_.end()) throw Error::not_found("No such container: " + c.id);
  write_config(c);
  ContainerState s = it->second.state;
  it->second = c;
  it->second.state = s;
}

void ContainerStore::remove(const std::string& id) {
  {
    std::lock_guard lock(mutex_);
    containers_.erase(id);
  }
  // Renamed out of the way first, so a crash during the removal leaves containers/.rm-<id>
  // (finished by the start-up sweep), never a half-removed record under the id.
  std::string from = bundle_dir(id);
  std::string doomed = dir_ + "/" + kRemovingPrefix + id;
  if (::rename(from.c_str(), doomed.c_str()) < 0) {
    if (errno == ENOENT) return;
    throw sys::error_from_errno(errno, "rename", from);
  }
  sys::remove_tree(doomed);
}

}  // namespace burrow::engine
