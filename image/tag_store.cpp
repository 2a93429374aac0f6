#include "image/tag_store.h"

#include <Poco/JSON/Object.h>

#include "base/error.h"
#include "base/sys.h"
#include "image/image_json.h"

namespace burrow::image {

TagStore TagStore::load(const std::string& path) {
  TagStore store;
  auto text = sys::try_read_file(path);
  if (!text || text->empty()) return store;
  auto root = parse_json_object(*text, path);
  for (const auto& [repo, tags_var] : *root) {
    Poco::JSON::Object::Ptr tags;
    try {
      tags = tags_var.extract<Poco::JSON::Object::Ptr>();
    } catch (...) {
      throw Error::bad_parameter(path + ": repository `" + repo + "` is not an object");
    }
    for (const auto& [tag, id] : *tags) store.repos_[repo][tag] = id.toString();
  }
  return store;
}

void TagStore::save(const std::string& path) const {
  Poco::JSON::Object::Ptr root = new Poco::JSON::Object();
  for (const auto& [repo, tags] : repos_) {
    Poco::JSON::Object::Ptr t = new Poco::JSON::Object();
    for (const auto& [tag, id] : tags) t->set(tag, id);
    root->set(repo, t);
  }
  sys::write_file_atomic(path, to_json_string(root) + "\n");
}

std::optional<std::string> TagStore::lookup(const std::string& repository, const std::string& tag) const {
  auto r = repos_.find(repository);
  if (r == repos_.end()) return std::nullopt;
  auto t = r->second.find(tag);
  if (t == r->second.end()) return std::nullopt;
  return t->second;
}

void TagStore::set(const std::string& repository, const std::string& tag, const std::string& id) {
  repos_[repository][tag] = id;
}

bool TagStore::remove(const std::string& repository, const std::string& tag) {
  auto r = repos_.find(repository);
  if (r == repos_.end()) return false;
  bool removed = r->second.erase(tag) > 0;
  if (r->second.empty()) repos_.erase(r);
  return removed;
}

size_t TagStore::remove_all(const std::string& id) {
  size_t n = 0;
  for (auto r = repos_.begin(); r != repos_.end();) {
    for (auto t = r->second.begin(); t != r->second.end();) {
      if (t->second == id) {
        t = r->second.erase(t);
        ++n;
      } else {
        ++t;
      }
    }
    r = r->second.empty() ? repos_.erase(r) : std::next(r);
  }
  return n;
}

std::vector<std::string> TagStore::tags_of(const std::string& id) const {
  std::vector<std::string> out;
  for (const auto& [repo, tags] : repos_)
    for (const auto& [tag, tid] : tags)
      if (tid == id) out.push_back(repo + ":" + tag);
  return out;
}

}  // namespace burrow::image
