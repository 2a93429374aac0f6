#pragma once
// TagStore: repository -> tag -> image id, persisted as <root>/repositories.json
// ({"busybox": {"latest": "<id>"}}) and written atomically (temp file, fsync, rename).
// A plain value: not synchronised; ImageStore guards it.

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace burrow::image {

class TagStore {
 public:
  using Repositories = std::map<std::string, std::map<std::string, std::string>>;

  TagStore() = default;
  // Reads `path`; a missing file is an empty store. Throws Error(BadParameter) when the file
  // is not the expected JSON, Error(Io) when it cannot be read.
  static TagStore load(const std::string& path);
  // Writes the store to `path` durably. Throws Error(Io).
  void save(const std::string& path) const;

  std::optional<std::string> lookup(const std::string& repository, const std::string& tag) const;
  bool has_repository(const std::string& repository) const { return repos_.count(repository) != 0; }
  // Sets repository:tag to id (replacing any earlier id).
  void set(const std::string& repository, const std::string& tag, const std::string& id);
  // Removes repository:tag; true when it existed. An emptied repository disappears.
  bool remove(const std::string& repository, const std::string& tag);
  // Removes every tag pointing at id; returns how many.
  size_t remove_all(const std::string& id);
  // "repo:tag" for every tag of id, sorted.
  std::vector<std::string> tags_of(const std::string& id) const;
  const Repositories& repositories() const { return repos_; }

 private:
  Repositories repos_;
};

}  // namespace burrow::image
