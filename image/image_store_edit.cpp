// ImageStore: rmi with Docker 0.8's untag/delete rules, and POST /images/(name)/insert.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>

#include "base/error.h"
#include "base/logger.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "image/fs_at.h"
#include "image/image_store.h"

namespace burrow::image {

namespace {

bool is_id_reference(const std::string& name, const std::string& id) {
  std::string_view n = strip_id_algorithm(name);
  return looks_like_id_prefix(n) && id.compare(0, n.size(), n) == 0;
}

// The deletion plan of Docker 0.8's deleteImageAndChildren/deleteImageParents, worked out on
// copies of the index: which images go, children first.
class DeletePlan {
 public:
  DeletePlan(const std::map<std::string, Image>& images, const TagStore& tags,
             const std::function<bool(const std::string&)>& in_use)
      : images_(images), tags_(tags), in_use_(in_use) {
    for (const auto& [id, img] : images_)
      if (!img.parent.empty()) children_[img.parent].insert(id);
  }

  // Deletes id and its unreferenced descendants; false when something keeps it.
  bool delete_with_children(const std::string& id) {
    if (!tags_.tags_of(id).empty() || (in_use_ && in_use_(id))) return false;
    bool referenced = false;
    for (const auto& child : std::set<std::string>(children_[id]))
      if (!delete_with_children(child)) referenced = true;
    if (referenced) return false;
    deleted_.push_back(id);
    auto it = images_.find(id);
    if (it != images_.end() && !it->second.parent.empty()) children_[it->second.parent].erase(id);
    return true;
  }

  void delete_parents(const std::string& id) {
    auto it = images_.find(id);
    while (it != images_.end() && !it->second.parent.empty()) {
      std::string parent = it->second.parent;
      if (!delete_with_children(parent)) return;
      it = images_.find(parent);
    }
  }

  const std::vector<std::string>& deleted() const { return deleted_; }

 private:
  const std::map<std::string, Image>& images_;
  const TagStore& tags_;
  const std::function<bool(const std::string&)>& in_use_;
  std::map<std::string, std::set<std::string>> children_;
  std::vector<std::string> deleted_;
};

}  // namespace

std::vector<RemovedImage> ImageStore::remove(const std::string& name, bool force) {
  std::lock_guard write(write_mutex_);
  Image img = get(name);
  std::map<std::string, Image> images;
  TagStore tags;
  std::function<bool(const std::string&)> in_use;
  {
    std::lock_guard lock(index_mutex_);
    images = index_.images;
    tags = index_.tags;
    in_use = in_use_;
  }
  // Which tags go: the named one, or for an id every tag (refused across repositories).
  std::vector<std::pair<std::string, std::string>> untag;
  if (!is_id_reference(name, img.id)) {
    auto [repo, tag] = split_repository_tag(name);
    untag.emplace_back(familiar_repository(repo), tag.empty() ? std::string(kDefaultTag) : tag);
  } else {
    std::set<std::string> repos;
    for (const auto& rt : tags.tags_of(img.id)) {
      auto [repo, tag] = split_repository_tag(rt);
      repos.insert(repo);
      untag.emplace_back(repo, tag);
    }
    if (repos.size() > 1 && !force)
      throw Error::conflict("Conflict, cannot delete image " + short_id(img.id) +
                            " because it is tagged in multiple repositories, use -f to force");
  }
  bool deletes = tags.tags_of(img.id).size() <= untag.size();
  if (deletes && in_use) {
    // The image or a descendant that would go with it must not back a container.
    std::vector<std::string> check{img.id};
    for (size_t i = 0; i < check.size(); ++i) {
      if (in_use(check[i]))
        throw Error::conflict("Conflict, cannot delete " + short_id(img.id) + " because it is in use by a container" +
                              (check[i] == img.id ? "" : " (through its child " + short_id(check[i]) + ")"));
      for (const auto& [id, other] : images)
        if (other.parent == check[i]) check.push_back(id);
    }
  }
  std::vector<RemovedImage> result;
  for (const auto& [repo, tag] : untag)
    if (tags.remove(repo, tag)) result.push_back({true, img.id});
  std::vector<std::string> deleted;
  if (tags.tags_of(img.id).empty()) {
    DeletePlan plan(images, tags, in_use);
    if (plan.delete_with_children(img.id)) plan.delete_parents(img.id);
    deleted = plan.deleted();
  }
  // The deletion is journaled before the untag reaches the disk: a crash part-way through
  // leaves the journal, and the next start finishes it (finish_pending_removals).
  std::string journal = deleted.empty() ? "" : write_removal_journal(deleted);
  if (!result.empty()) tags.save(repositories_path());
  for (const auto& id : deleted) {
    layers_.remove(id);
    result.push_back({false, id});
  }
  if (!journal.empty()) discard_removal_journal(journal);
  {
    std::lock_guard lock(index_mutex_);
    index_.tags = tags;
    for (const auto& id : deleted) index_.images.erase(id);
  }
  for (const auto& r : result) emit(r.untagged ? "untag" : "delete", r.id);
  return result;
}

namespace {
constexpr const char* kJournalPrefix = "pending-removal-";
}

std::string ImageStore::write_removal_journal(const std::vector<std::string>& ids) const {
  std::string path = options_.root + "/" + kJournalPrefix + random_id().substr(0, 16);
  std::string text;
  for (const auto& id : ids) text += id + "\n";
  sys::write_file_atomic(path, text, 0600);
  return path;
}

void ImageStore::discard_removal_journal(const std::string& path) const {
  // No directory fsync: a journal brought back by a power loss only removes images that are
  // still untagged and childless, and any later durable write (tags.save) commits the unlink.
  if (::unlink(path.c_str()) < 0 && errno != ENOENT) throw sys::error_from_errno(errno, "unlink", path);
}

void ImageStore::finish_pending_removals() {
  DIR* d = ::opendir(options_.root.c_str());
  if (!d) throw sys::error_from_errno(errno, "opendir", options_.root);
  std::vector<std::string> journals;
  while (struct dirent* e = ::readdir(d))
    if (std::string_view(e->d_name).rfind(kJournalPrefix, 0) == 0) journals.push_back(options_.root + "/" + e->d_name);
  ::closedir(d);
  for (const auto& path : journals) {
    auto text = sys::try_read_file(path);
    if (!text) continue;
    // Children come before their parents in a journal, so one pass sees each child go first.
    // A tagged image stays (an rmi whose untag never reached the disk did not happen; a load
    // whose tags did was complete), and so does every image that still has a child.
    size_t removed = 0;
    for (size_t pos = 0; pos < text->size();) {
      size_t end = text->find('\n', pos);
      if (end == std::string::npos) end = text->size();
      std::string id = text->substr(pos, end - pos);
      pos = end + 1;
      if (!is_full_id(id) || !index_.images.count(id) || !index_.tags.tags_of(id).empty()) continue;
      bool has_child = false;
      for (const auto& [other, img] : index_.images) has_child = has_child || img.parent == id;
      if (has_child) continue;
      layers_.remove(id);
      index_.images.erase(id);
      logger_.info("image", "removed image " + id + " of an interrupted rmi, load or import (" + sys::basename(path) + ")");
      ++removed;
    }
    discard_removal_journal(path);
    logger_.info("image", "removed " + sys::basename(path) + " (journal of an interrupted rmi, load or import; " +
                              std::to_string(removed) + " images removed)");
  }
}

void ImageStore::drop_dangling_tags() {
  std::vector<std::pair<std::string, std::string>> dangling;
  for (const auto& [repo, tags] : index_.tags.repositories())
    for (const auto& [tag, id] : tags)
      if (!sys::exists(layers_.image_dir(id))) dangling.emplace_back(repo, tag);
  if (dangling.empty()) return;
  for (const auto& [repo, tag] : dangling) {
    logger_.warn("image", "tag " + repo + ":" + tag + " removed: its image is gone");
    index_.tags.remove(repo, tag);
  }
  index_.tags.save(repositories_path());
}

Image ImageStore::insert(const std::string& name, const std::string& path, ReadFn content, const std::string& url) {
  Image base = get(name);
  std::vector<std::string> parts = split_relative_path(path.empty() || path[0] != '/' ? path : path.substr(1), path);
  if (parts.empty()) throw Error::bad_parameter("Bad parameter: insert needs a file path, got `" + path + "`");
  std::vector<std::string> lowers = layer_dirs(base.id);
  Staging staging = layers_.stage();
  // Parent directories take their metadata from the image, so the new layer does not change
  // them in the merged view.
  Fd dir(sys::check(::fcntl(staging.layer_fd(), F_DUPFD_CLOEXEC, 3), "dup"));
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    sys::check(::mkdirat(dir.get(), parts[i].c_str(), 0755), "mkdir", join_path(parts, i + 1));
    Fd sub = sys::open_at(dir.get(), parts[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    for (const auto& lower : lowers) {
      auto st = sys::try_lstat(lower + "/" + join_path(parts, i + 1));
      if (!st) continue;
      if (S_ISDIR(st->st_mode)) {
        ::fchown(sub.get(), st->st_uid, st->st_gid);
        ::fchmod(sub.get(), st->st_mode & 07777);
        struct timespec times[2] = {st->st_atim, st->st_mtim};
        ::futimens(sub.get(), times);
      }
      break;
    }
    dir = std::move(sub);
  }
  int64_t size = 0;
  {
    Fd file = sys::open_at(dir.get(), parts.back(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0755);
    std::vector<char> buf(1 << 20);
    for (;;) {
      size_t n = content(buf.data(), buf.size());
      if (n == 0) break;
      sys::write_all(file.get(), buf.data(), n);
      size += static_cast<int64_t>(n);
    }
    sys::check(::fchmod(file.get(), 0755), "chmod", path);
  }
  Image img;
  img.id = random_id();
  img.parent = base.id;
  img.created = now_rfc3339_nano();
  img.comment = base.comment;
  img.author = base.author;
  img.docker_version = std::string(kDockerVersion);
  img.architecture = go_architecture();
  img.os = "linux";
  img.size = size;
  img.container_config = empty_config();
  Poco::JSON::Array::Ptr cmd = new Poco::JSON::Array();
  for (const char* s : {"echo", "insert"}) cmd->add(std::string(s));
  cmd->add(url);
  cmd->add(path);
  img.container_config->set("Cmd", cmd);
  img.container_config->set("Image", base.id);
  img.config = base.config;
  Image result = img;
  add_image(staging, std::move(img), std::nullopt);
  return clone_image(result);
}

}  // namespace burrow::image
