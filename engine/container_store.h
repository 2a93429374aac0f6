#pragma once
// ContainerStore: the set of containers, in memory and on disk under <root>/containers/<id>/
// (config.json and state.json, each replaced atomically). Lookups accept a full id, a unique id
// prefix, or a name with or without its leading "/". Thread-safe: one mutex guards the map and
// is never held across anything but the disk writes of the record it changes (lock order: this
// mutex is a leaf).

#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "engine/container.h"

namespace burrow::engine {

class ContainerStore {
 public:
  // `containers_dir` is <root>/containers; it is created if missing.
  explicit ContainerStore(std::string containers_dir);

  // Reads every containers/<id>/ record. Records that cannot be read are skipped and their
  // directory names returned, for the caller to log.
  std::vector<std::string> load();

  const std::string& dir() const { return dir_; }
  std::string bundle_dir(const std::string& id) const { return dir_ + "/" + id; }

  // Adds and persists a new container; Conflict ("Conflict, The name /x is already assigned
  // to <id>...") when its name is taken.
  void add(const Container& c);
  // The container for a full id, unique id prefix or name; nullopt when none matches;
  // BadParameter when a prefix matches several ids.
  std::optional<Container> find(const std::string& name_or_id) const;
  // Like find, but NotFound ("No such container: x") when none matches.
  Container get(const std::string& name_or_id) const;
  bool name_taken(const std::string& slash_name) const;
  // All containers, newest first (by Created, then id).
  std::vector<Container> list() const;

  // Applies fn to the stored state of `id` and persists state.json; returns the new record.
  // NotFound when the container is gone.
  Container update_state(const std::string& id, const std::function<void(ContainerState&)>& fn);
  // Replaces config.json's content (everything but the state) of an existing container.
  void update_config(const Container& c);
  // Forgets the container and removes its directory (renamed to containers/.rm-<id> first).
  void remove(const std::string& id);

  // Prefix of a directory being removed; a crash may leave one for the start-up sweep.
  static constexpr const char* kRemovingPrefix = ".rm-";

 private:
  void write_config(const Container& c) const;
  void write_state(const std::string& id, const ContainerState& s) const;

  const std::string dir_;
  mutable std::mutex mutex_;  // guards containers_
  std::map<std::string, Container> containers_;  // by id
};

}  // namespace burrow::engine
