#include "image/image_store.h"

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "base/error.h"
#include "base/logger.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "image/tar_writer.h"
#include "image/tree_copy.h"

namespace burrow::image {

std::string go_architecture() {
  struct utsname u;
  if (::uname(&u) < 0) return "amd64";
  std::string m = u.machine;
  if (m == "x86_64") return "amd64";
  if (m == "aarch64") return "arm64";
  if (m == "i686" || m == "i386") return "386";
  if (m.rfind("arm", 0) == 0) return "arm";
  return m;
}

ImageStore::ImageStore(ImageStoreOptions options)
    : options_(std::move(options)),
      logger_(*options_.logger),
      layers_((sys::make_dirs(options_.root, 0700), options_.root + "/images"), *options_.logger) {
  for (const auto& id : layers_.ids()) {
    auto json = layers_.read_json(id);
    if (!json) {
      logger_.warn("image", "images/" + id + " has no json; ignored");
      continue;
    }
    try {
      Image img = parse_image_json(*json);
      if (img.id != id) throw Error::bad_parameter("id in json is " + img.id);
      index_.images.emplace(id, std::move(img));
    } catch (const Error& e) {
      logger_.warn("image", "images/" + id + "/json: " + e.what() + "; ignored");
    }
  }
  index_.tags = TagStore::load(repositories_path());
  finish_pending_removals();
  drop_dangling_tags();
}

ImageStore::~ImageStore() = default;

std::string ImageStore::repositories_path() const { return options_.root + "/repositories.json"; }

void ImageStore::emit(const std::string& status, const std::string& id) const {
  if (options_.on_event) options_.on_event(status, id);
}

std::optional<Image> ImageStore::resolve_locked(const Index& index, const std::string& name) const {
  if (name.empty()) return std::nullopt;
  auto [repo, tag] = split_repository_tag(name);
  std::string familiar = familiar_repository(repo);
  if (auto id = index.tags.lookup(familiar, tag.empty() ? std::string(kDefaultTag) : tag)) {
    auto it = index.images.find(*id);
    if (it != index.images.end()) return it->second;
  }
  if (!looks_like_id_prefix(name)) return std::nullopt;
  std::string prefix(strip_id_algorithm(name));
  auto it = index.images.lower_bound(prefix);
  if (it == index.images.end() || it->first.compare(0, prefix.size(), prefix) != 0) return std::nullopt;
  auto next = std::next(it);
  if (next != index.images.end() && next->first.compare(0, prefix.size(), prefix) == 0 && it->first != prefix)
    throw Error::conflict("Conflict, multiple images found with the id prefix " + prefix);
  return it->second;
}

std::optional<Image> ImageStore::resolve(const std::string& name) const {
  std::optional<Image> found;
  {
    std::lock_guard lock(index_mutex_);
    found = resolve_locked(index_, name);
  }
  if (found) return clone_image(*found);
  return std::nullopt;
}

Image ImageStore::get(const std::string& name) const {
  auto img = resolve(name);
  if (!img) throw Error::not_found("No such image: " + name);
  return std::move(*img);
}

std::vector<Image> ImageStore::history(const std::string& name) const {
  std::vector<Image> chain;
  {
    std::lock_guard lock(index_mutex_);
    auto img = resolve_locked(index_, name);
    if (!img) throw Error::not_found("No such image: " + name);
    for (std::string id = img->id; !id.empty();) {
      auto it = index_.images.find(id);
      if (it == index_.images.end()) break;
      chain.push_back(it->second);
      id = it->second.parent;
      if (chain.size() > 10000) throw Error::internal("image parent chain loops at " + id);
    }
  }
  for (auto& i : chain) i = clone_image(i);
  return chain;
}

std::vector<std::string> ImageStore::layer_dirs(const std::string& image_id) const {
  std::vector<std::string> dirs;
  std::lock_guard lock(index_mutex_);
  auto it = index_.images.find(image_id);
  if (it == index_.images.end()) throw Error::not_found("No such image: " + image_id);
  while (it != index_.images.end()) {
    dirs.push_back(layers_.layer_dir(it->first));
    if (it->second.parent.empty()) break;
    it = index_.images.find(it->second.parent);
    if (it == index_.images.end()) throw Error::internal("image " + dirs.back() + ": parent missing from the store");
    if (dirs.size() > 10000) throw Error::internal("image parent chain loops at " + image_id);
  }
  return dirs;
}

std::vector<std::string> ImageStore::tags_of(const std::string& image_id) const {
  std::lock_guard lock(index_mutex_);
  return index_.tags.tags_of(image_id);
}

std::vector<ImageSummary> ImageStore::list(const ListOptions& options) const {
  std::vector<ImageSummary> out;
  {
    std::lock_guard lock(index_mutex_);
    std::set<std::string> has_children;
    for (const auto& [id, img] : index_.images)
      if (!img.parent.empty()) has_children.insert(img.parent);
    auto virtual_size = [&](const Image& img) {
      int64_t total = 0;
      size_t guard = 0;
      for (auto it = index_.images.find(img.id); it != index_.images.end() && guard++ < 10000;
           it = index_.images.find(it->second.parent)) {
        total += it->second.size;
        if (it->second.parent.empty()) break;
      }
      return total;
    };
    auto matches = [&](const std::string& repo, const std::string& tag) {
      if (options.reference.empty()) return true;
      const std::string& pat = options.reference;
      size_t slash = pat.rfind('/');
      bool with_tag = pat.find(':', slash == std::string::npos ? 0 : slash) != std::string::npos;
      std::string subject = with_tag ? repo + ":" + tag : repo;
      return ::fnmatch(pat.c_str(), subject.c_str(), 0) == 0 ||
             ::fnmatch(familiar_repository(pat).c_str(), subject.c_str(), 0) == 0;
    };
    std::map<std::string, ImageSummary> tagged;
    if (!options.dangling.value_or(false)) {
      for (const auto& [repo, tags] : index_.tags.repositories()) {
        for (const auto& [tag, id] : tags) {
          if (!matches(repo, tag)) continue;
          auto it = index_.images.find(id);
          if (it == index_.images.end()) continue;
          auto [row, fresh] = tagged.try_emplace(id);
          if (fresh) {
            row->second.image = it->second;
            row->second.virtual_size = virtual_size(it->second);
          }
          row->second.repo_tags.push_back(repo + ":" + tag);
        }
      }
    }
    for (auto& [id, row] : tagged) out.push_back(std::move(row));
    if (options.reference.empty() && options.dangling.value_or(true)) {
      for (const auto& [id, img] : index_.images) {
        if (!index_.tags.tags_of(id).empty()) continue;
        if (!options.all && has_children.count(id)) continue;
        out.push_back(ImageSummary{img, {"<none>:<none>"}, virtual_size(img)});
      }
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const ImageSummary& a, const ImageSummary& b) {
    return a.image.created > b.image.created;
  });
  for (auto& row : out) row.image = clone_image(row.image);
  return out;
}

void ImageStore::set_in_use_check(std::function<bool(const std::string&)> check) {
  std::lock_guard lock(index_mutex_);
  in_use_ = std::move(check);
}

void ImageStore::add_image(Staging& staging, Image image, const std::optional<Reference>& tag_as) {
  std::lock_guard write(write_mutex_);
  if (!image.parent.empty()) {
    std::lock_guard lock(index_mutex_);
    if (!index_.images.count(image.parent)) throw Error::not_found("No such image: " + image.parent);
  }
  // A crash between the image and its tag would leave it untagged: journaled until tagged.
  std::string journal = tag_as ? write_removal_journal({image.id}) : "";
  try {
    layers_.commit(staging, image.id, image_json_string(image));
  } catch (...) {
    if (!journal.empty()) ::unlink(journal.c_str());  // nothing was added
    throw;
  }
  TagStore tags;
  {
    std::lock_guard lock(index_mutex_);
    tags = index_.tags;
  }
  if (tag_as) {
    tags.set(tag_as->repository, tag_as->tag, image.id);
    tags.save(repositories_path());
    discard_removal_journal(journal);
  }
  std::lock_guard lock(index_mutex_);
  index_.images[image.id] = clone_image(image);
  index_.tags = std::move(tags);
}

Image ImageStore::import(ReadFn source, const std::string& source_name, const std::optional<Reference>& as) {
  Staging staging = layers_.stage();
  ExtractStats stats = extract_tar(std::move(source), staging.layer_fd());
  if (stats.chown_fallbacks)
    logger_.warn("image", std::to_string(stats.chown_fallbacks) +
                              " files keep owner 0: their owners are not mapped in this user namespace");
  if (stats.skipped_devices)
    logger_.warn("image", std::to_string(stats.skipped_devices) + " device nodes skipped (mknod not permitted)");
  Image img;
  img.id = random_id();
  img.created = now_rfc3339_nano();
  img.comment = "Imported from " + source_name;
  img.docker_version = std::string(kDockerVersion);
  img.architecture = go_architecture();
  img.os = "linux";
  img.size = static_cast<int64_t>(stats.size);
  img.container_config = empty_config();
  Image result = img;
  add_image(staging, std::move(img), as);
  emit("import", result.id);
  if (as) emit("tag", result.id);
  return clone_image(result);
}

Image ImageStore::commit(const std::string& parent_image_id, const std::string& upper_dir,
                         const std::string& container_id, Poco::JSON::Object::Ptr container_config,
                         Poco::JSON::Object::Ptr config, const std::string& repo, const std::string& tag,
                         const std::string& comment, const std::string& author) {
  std::optional<Reference> as;
  if (!repo.empty()) as = parse_reference(tag.empty() ? repo : repo + ":" + tag);
  Image parent = get(parent_image_id);
  Staging staging = layers_.stage();
  ExtractStats stats;
  {
    Fd src = sys::open(upper_dir, O_RDONLY | O_DIRECTORY);
    stats = copy_tree(src.get(), staging.layer_fd());
  }
  Image img;
  img.id = random_id();
  img.parent = parent.id;
  img.created = now_rfc3339_nano();
  img.container = container_id;
  img.comment = comment;
  img.author = author;
  img.docker_version = std::string(kDockerVersion);
  img.architecture = go_architecture();
  img.os = "linux";
  img.size = static_cast<int64_t>(stats.size);
  img.container_config = container_config ? container_config : empty_config();
  img.config = config ? config : img.container_config;
  Image result = img;
  add_image(staging, std::move(img), as);
  if (as) emit("tag", result.id);
  return clone_image(result);
}

void ImageStore::tag(const std::string& name, const std::string& repo, const std::string& tag, bool force) {
  if (repo.empty()) throw Error::bad_parameter("Bad parameter: repository name is empty");
  auto [r, t] = split_repository_tag(repo);
  std::string tag_name = tag.empty() ? (t.empty() ? std::string(kDefaultTag) : t) : tag;
  if (!tag.empty() && !t.empty()) r = repo;  // "repo:x" with an explicit tag: x was part of the name
  Reference ref = parse_reference(r + ":" + tag_name);
  std::lock_guard write(write_mutex_);
  Image img = get(name);
  TagStore tags;
  {
    std::lock_guard lock(index_mutex_);
    tags = index_.tags;
  }
  if (auto old = tags.lookup(ref.repository, ref.tag); old && *old != img.id && !force)
    throw Error::conflict("Conflict: Tag " + ref.tag + " is already set to image " + short_id(*old) +
                          ", if you want to replace it, please use -f option");
  tags.set(ref.repository, ref.tag, img.id);
  tags.save(repositories_path());
  {
    std::lock_guard lock(index_mutex_);
    index_.tags = std::move(tags);
  }
  emit("tag", img.id);
}

uint64_t ImageStore::write_layer_tar(const std::string& image_id, const WriteFn& sink) const {
  {
    std::lock_guard lock(index_mutex_);
    if (!index_.images.count(image_id)) throw Error::not_found("No such image: " + image_id);
  }
  Fd dir = sys::open(layers_.layer_dir(image_id), O_RDONLY | O_DIRECTORY);
  return write_tree_tar(dir.get(), sink);
}

}  // namespace burrow::image
