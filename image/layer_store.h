#pragma once
// LayerStore: the images/ directory of the state root. Each image is images/<id>/json plus
// images/<id>/layer/ (the extracted layer, Docker whiteouts as .wh. files). New layers are
// built in a staging directory images/.tmp-<random>/ and renamed into place only when
// complete, so a failed or interrupted extraction never leaves a half-written image; the
// constructor sweeps what a killed burrowd left (staging directories, directories named by an
// id but without json, json.tmp-* files) and finishes or removes images whose layer was not yet
// known to be on disk (layer_sync.h). Thread-safe: distinct ids and staging directories never
// collide; callers serialise commits of the same id.

#include <optional>
#include <string>
#include <vector>

#include "base/fd.h"
#include "image/layer_sync.h"
#include "image/tar_extractor.h"

namespace burrow {
class Logger;
}

namespace burrow::image {

class LayerStore;

// A staging directory with an empty layer/ inside; removed on destruction unless committed.
class Staging {
 public:
  Staging(Staging&&) noexcept;
  Staging& operator=(Staging&&) = delete;
  Staging(const Staging&) = delete;
  ~Staging();

  const std::string& path() const { return path_; }
  std::string layer_path() const { return path_ + "/layer"; }
  // An O_RDONLY|O_DIRECTORY descriptor of layer/ (owned by the Staging).
  int layer_fd() const { return layer_fd_.get(); }
  bool committed() const { return path_.empty(); }

 private:
  friend class LayerStore;
  Staging(std::string path, Fd layer_fd) : path_(std::move(path)), layer_fd_(std::move(layer_fd)) {}
  std::string path_;
  Fd layer_fd_;
};

class LayerStore {
 public:
  // images_dir is created when missing; leftovers of a crash are removed (each logged at info
  // level). Only while nothing else writes images_dir (burrowd holds the state root's lock).
  // `logger` must outlive the store.
  LayerStore(std::string images_dir, Logger& logger);

  // A new staging directory. Throws Error(Io).
  Staging stage() const;
  // Writes json into the staging directory and renames it to images/<id>, which is then an
  // image at once; it becomes durable in the background (LayerSync), so a killed burrowd keeps
  // it and a power loss before that sync removes it at the next start.
  // Throws Error(Conflict) when <id> exists, Error(Io) otherwise (the staging stays).
  void commit(Staging& staging, const std::string& id, const std::string& json);
  // Waits until every image committed so far is durable.
  void flush() { sync_.flush(); }
  // Replaces images/<id>/json atomically.
  void write_json(const std::string& id, const std::string& json) const;
  std::optional<std::string> read_json(const std::string& id) const;
  // Removes images/<id> (first renamed out of the way, so a crash never leaves a partial
  // image under its id). A missing id is fine.
  void remove(const std::string& id) const;
  // Ids of the directories present (entries not named like an id are ignored).
  std::vector<std::string> ids() const;

  std::string image_dir(const std::string& id) const { return dir_ + "/" + id; }
  std::string layer_dir(const std::string& id) const { return dir_ + "/" + id + "/layer"; }
  const std::string& dir() const { return dir_; }

 private:
  void sweep();

  std::string dir_;
  Logger& logger_;
  LayerSync sync_;  // constructed before sweep() runs
};

}  // namespace burrow::image
