#pragma once
// ImageStore: the engine's images (the contract in contracts.md). It owns the layer store
// (images/<id>/{json,layer/}) and the tag store (repositories.json) under the state root,
// resolves names ("repo", "repo:tag", "host:port/repo:tag", ids and unique id prefixes),
// imports tars, commits container upper directories, tags, untags and deletes with Docker
// 0.8's rules, and reads and writes `docker save` archives.
// Thread-safe. Lock order: write_mutex_ (serialises mutations; held across file writes)
// before index_mutex_ (guards the in-memory index; never held across a syscall or callback).
// Long work (extraction, archive writing) runs outside both locks.

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>

#include "image/byte_stream.h"
#include "image/image_json.h"
#include "image/layer_store.h"
#include "image/reference.h"
#include "image/tag_store.h"

namespace burrow {
class Logger;
}

namespace burrow::image {

struct LoadPlan;

struct ImageStoreOptions {
  std::string root;                  // state root: images/ and repositories.json go below it
  Logger* logger = nullptr;          // required; must outlive the store
  // Called (outside the store's locks) for "untag", "delete", "import", "tag", "load" events
  // (commit's container event is the caller's to publish).
  std::function<void(const std::string& status, const std::string& id)> on_event;
};

// One row of GET /images/json.
struct ImageSummary {
  Image image;
  std::vector<std::string> repo_tags;  // "<none>:<none>" for untagged images
  int64_t virtual_size = 0;
};

// One element of the DELETE /images/(name) answer.
struct RemovedImage {
  bool untagged;  // true: {"Untagged": id}; false: {"Deleted": id}
  std::string id;
};

struct ListOptions {
  bool all = false;            // include intermediate (parent) images
  std::string reference;       // glob on "repo" or "repo:tag" (filter= / filters reference)
  std::optional<bool> dangling;
};

class ImageStore {
 public:
  // Opens (creating) the store under options.root and loads the index. Throws Error(Io) or
  // Error(BadParameter) for an unreadable repositories.json. Images whose json is unreadable
  // are skipped with a warning.
  explicit ImageStore(ImageStoreOptions options);
  ~ImageStore();

  // The image a name means, or nullopt. Tags win over ids; a hex name is an id or unique id
  // prefix. Throws Error(Conflict) for an ambiguous prefix, BadParameter for invalid names.
  std::optional<Image> resolve(const std::string& name) const;
  // resolve() or Error(NotFound) "No such image: <name>".
  Image get(const std::string& name) const;
  // The image and its ancestors, the image first.
  std::vector<Image> history(const std::string& name) const;
  // Extracted layer directories of the image and its ancestors, top first (overlay lowerdir
  // order). Throws Error(NotFound).
  std::vector<std::string> layer_dirs(const std::string& image_id) const;
  std::vector<std::string> tags_of(const std::string& image_id) const;
  std::vector<ImageSummary> list(const ListOptions& options) const;

  // delete refuses with Error(Conflict) while check(id) is true for the image or a child
  // that would go with it. check is called without the store's locks held.
  void set_in_use_check(std::function<bool(const std::string& image_id)> check);

  // Imports a (possibly compressed) root file system tar as a new image with a random id
  // and comment "Imported from <source>"; tags it when `as` is set. Throws Error(BadParameter)
  // for a bad archive (the store is unchanged).
  Image import(ReadFn source, const std::string& source_name, const std::optional<Reference>& as);
  // A new image whose layer is a copy of upper_dir (Docker whiteouts inside), parent
  // `parent_image_id`, created by `container_id`. config null: container_config is used.
  // repo may be "" (no tag) or fully qualified; tag "" means latest.
  Image commit(const std::string& parent_image_id, const std::string& upper_dir, const std::string& container_id,
               Poco::JSON::Object::Ptr container_config, Poco::JSON::Object::Ptr config, const std::string& repo,
               const std::string& tag, const std::string& comment, const std::string& author);
  // A new image on top of `name` whose layer holds one file at `path` (mode 0755, owner 0)
  // with the bytes of `content` (POST /images/(name)/insert).
  Image insert(const std::string& name, const std::string& path, ReadFn content, const std::string& url);

  // Tags image `name` as repo:tag (tag "" = latest). Throws NotFound, BadParameter for an
  // invalid repo/tag, Conflict "Conflict: Tag x is already set to image y" unless force.
  void tag(const std::string& name, const std::string& repo, const std::string& tag, bool force);
  // Docker 0.8's rmi: untags the named tag (or every tag, for an id), then deletes the image,
  // its untagged children and untagged parents that nothing else needs. Throws NotFound,
  // Conflict (in use by a container; tagged in several repositories without force).
  std::vector<RemovedImage> remove(const std::string& name, bool force);

  // Writes a `docker save` archive (repositories, <id>/VERSION, <id>/json, <id>/layer.tar)
  // of the named images and their parents. A repository name carries all its tags, repo:tag
  // that tag, an id none. Throws NotFound before the first byte is written.
  void save(const std::vector<std::string>& names, const WriteFn& sink) const;
  // Loads a `docker save` archive (the v1 layout, or one with manifest.json as newer Docker
  // writes) and applies its tags. Returns one line per loaded name ("busybox:latest") or id.
  // Throws BadParameter for a bad archive (the store is unchanged).
  std::vector<std::string> load(ReadFn source);

  // The image's own layer as a tar (what goes into layer.tar); returns bytes written.
  uint64_t write_layer_tar(const std::string& image_id, const WriteFn& sink) const;

 private:
  struct Index {
    std::map<std::string, Image> images;
    TagStore tags;
  };
  std::optional<Image> resolve_locked(const Index& index, const std::string& name) const;
  // load(): registers the planned images (parents first) from their staged layers, then the tags.
  void register_loaded(LoadPlan& plan, std::map<std::string, Staging>& layers,
                       std::map<std::string, uint64_t>& layer_sizes,
                       const std::function<std::string(std::string)>& resolve_member);
  // Registers a committed staging directory as `image` and optionally tags it.
  void add_image(Staging& staging, Image image, const std::optional<Reference>& tag_as);
  std::string repositories_path() const;
  // A removal journal, <root>/pending-removal-<random>, lists image ids (children first) that an
  // operation may leave half done: an rmi the ids it deletes, a load or a tagged import the ids
  // it adds. Written durably before the operation's first change, discarded after its last.
  // Returns the journal's path.
  std::string write_removal_journal(const std::vector<std::string>& ids) const;
  void discard_removal_journal(const std::string& path) const;
  // At open: each journal a crash left removes its images that are untagged and childless, so
  // an rmi cut short is finished and a load or import cut short leaves no untagged half image.
  void finish_pending_removals();
  // Removes the tags of images whose directory is gone (a power loss took them: layer_sync.h).
  void drop_dangling_tags();
  void emit(const std::string& status, const std::string& id) const;
  Index snapshot() const;

  ImageStoreOptions options_;
  Logger& logger_;
  LayerStore layers_;
  mutable std::mutex write_mutex_;  // serialises mutations; lock order: first
  mutable std::mutex index_mutex_;  // guards index_ and in_use_; lock order: second
  Index index_;
  std::function<bool(const std::string&)> in_use_;
};

// "amd64"/"arm64"/... for this machine, as Go's GOARCH names it.
std::string go_architecture();

}  // namespace burrow::image
