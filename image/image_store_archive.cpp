// ImageStore: `docker save` (GET /images/(name)/get, /images/get?names=) and `docker load`.
#include <archive_entry.h>

#include <algorithm>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <cstring>
#include <memory>
#include <set>
#include <sstream>

#include <Poco/JSON/Array.h>

#include "base/error.h"
#include "base/logger.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "image/archive_reader.h"
#include "image/archive_writer.h"
#include "image/fs_at.h"
#include "image/image_store.h"
#include "image/save_load.h"
#include "image/tar_writer.h"
#include "image/tree_copy.h"

namespace burrow::image {

namespace {

constexpr int64_t kSmallFileLimit = 16 << 20;

bool is_id_reference(const std::string& name, const std::string& id) {
  std::string_view n = strip_id_algorithm(name);
  return looks_like_id_prefix(n) && id.compare(0, n.size(), n) == 0;
}

std::string clean_member(std::string p) {
  while (p.rfind("./", 0) == 0) p = p.substr(2);
  while (!p.empty() && p.back() == '/') p.pop_back();
  return p;
}

// A symlink target inside the archive, relative to the link's directory.
std::string resolve_link(const std::string& link, const std::string& target) {
  std::string base = target.size() && target[0] == '/' ? "" : sys::dirname(link);
  if (base == ".") base.clear();
  std::vector<std::string> out;
  std::string joined = base.empty() ? target : base + "/" + target;
  size_t pos = 0;
  while (pos <= joined.size()) {
    size_t slash = joined.find('/', pos);
    if (slash == std::string::npos) slash = joined.size();
    std::string comp = joined.substr(pos, slash - pos);
    if (comp == "..") {
      if (!out.empty()) out.pop_back();
    } else if (!comp.empty() && comp != ".") {
      out.push_back(comp);
    }
    pos = slash + 1;
  }
  return join_path(out, out.size());
}

// Incremental SHA-256 (OpenSSL), for layer diff ids and config digests.
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1) throw Error::internal("sha256 init failed");
  }
  void update(const char* buf, size_t n) { EVP_DigestUpdate(ctx_.get(), buf, n); }
  std::string hex() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_.get(), md, &len);
    static const char* digits = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < len; ++i) {
      out += digits[md[i] >> 4];
      out += digits[md[i] & 15];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> ctx_;
};

// The image config newer Docker keeps next to manifest.json: the top image's metadata plus
// the history and diff ids of its chain (base first).
std::string config_json(const std::vector<Image>& chain_base_first, const std::vector<std::string>& diff_ids) {
  const Image& top = chain_base_first.back();
  Poco::JSON::Object::Ptr c = new Poco::JSON::Object();
  c->set("architecture", top.architecture.empty() ? go_architecture() : top.architecture);
  c->set("os", top.os.empty() ? "linux" : top.os);
  c->set("created", top.created);
  if (top.config) c->set("config", top.config);
  if (top.container_config) c->set("container_config", top.container_config);
  if (!top.container.empty()) c->set("container", top.container);
  if (!top.docker_version.empty()) c->set("docker_version", top.docker_version);
  if (!top.author.empty()) c->set("author", top.author);
  Poco::JSON::Array::Ptr history = new Poco::JSON::Array();
  for (const auto& img : chain_base_first) {
    Poco::JSON::Object::Ptr h = new Poco::JSON::Object();
    h->set("created", img.created);
    if (!img.created_by().empty()) h->set("created_by", img.created_by());
    if (!img.comment.empty()) h->set("comment", img.comment);
    if (!img.author.empty()) h->set("author", img.author);
    history->add(h);
  }
  c->set("history", history);
  Poco::JSON::Object::Ptr rootfs = new Poco::JSON::Object();
  rootfs->set("type", "layers");
  Poco::JSON::Array::Ptr ids = new Poco::JSON::Array();
  for (const auto& d : diff_ids) ids->add("sha256:" + d);
  rootfs->set("diff_ids", ids);
  c->set("rootfs", rootfs);
  return to_json_string(c);
}

}  // namespace

void ImageStore::save(const std::vector<std::string>& names, const WriteFn& sink) const {
  std::map<std::string, Image> chosen;
  std::map<std::string, std::map<std::string, std::string>> repos;
  {
    std::lock_guard lock(index_mutex_);
    auto add_chain = [&](std::string id) {
      while (!id.empty() && !chosen.count(id)) {
        auto it = index_.images.find(id);
        if (it == index_.images.end()) break;
        chosen.emplace(id, it->second);
        id = it->second.parent;
      }
    };
    for (const auto& name : names) {
      auto img = resolve_locked(index_, name);
      if (!img) throw Error::not_found("No such image: " + name);
      add_chain(img->id);
      if (is_id_reference(name, img->id)) continue;
      auto [repo, tag] = split_repository_tag(name);
      std::string familiar = familiar_repository(repo);
      if (tag.empty() && index_.tags.has_repository(familiar)) {
        for (const auto& [t, id] : index_.tags.repositories().at(familiar)) {
          repos[familiar][t] = id;
          add_chain(id);
        }
      } else {
        repos[familiar][tag.empty() ? std::string(kDefaultTag) : tag] = img->id;
      }
    }
  }
  int64_t now = ::time(nullptr);
  std::map<std::string, std::string> diff_ids;  // image id -> sha256 of its layer.tar
  ArchiveWriter out(&sink);
  for (const auto& [id, img] : chosen) {
    auto json = layers_.read_json(id);
    if (!json) throw Error::not_found("No such image: " + id);
    out.add_directory(id + "/", now);
    out.add_file(id + "/VERSION", "1.0", now);
    out.add_file(id + "/json", *json, now);
    Fd dir = sys::open(layers_.layer_dir(id), O_RDONLY | O_DIRECTORY);
    auto members = scan_tree(dir.get());
    uint64_t size = tar_size(members);
    std::string name = id + "/layer.tar";
    out.header(name, S_IFREG | 0644, size, now);
    Sha256 digest;
    uint64_t written = write_tar(dir.get(), members, [&](const char* buf, size_t n) {
      digest.update(buf, n);
      out.data(buf, n, name);
    });
    diff_ids[id] = digest.hex();
    if (written != size) throw Error::internal(name + ": layer tar is " + std::to_string(written) + " bytes, planned " + std::to_string(size));
    out.finish_entry(name);
  }
  if (!repos.empty()) out.add_file("repositories", repositories_json(repos), now);
  // manifest.json and configs as Docker 1.10+ writes them, so newer Docker (and the
  // containerd image store, which reads only this form) loads the archive too.
  std::map<std::string, std::vector<std::string>> tops;  // top id -> RepoTags
  for (const auto& name : names) {
    auto img = resolve(name);
    if (img && is_id_reference(name, img->id)) tops[img->id];
  }
  for (const auto& [repo, tags] : repos)
    for (const auto& [tag, id] : tags) tops[id].push_back(repo + ":" + tag);
  Poco::JSON::Array::Ptr manifest = new Poco::JSON::Array();
  for (const auto& [top, repo_tags] : tops) {
    std::vector<Image> chain;
    for (std::string id = top; !id.empty() && chosen.count(id); id = chosen.at(id).parent) chain.push_back(chosen.at(id));
    std::reverse(chain.begin(), chain.end());
    std::vector<std::string> ids;
    Poco::JSON::Array::Ptr layers = new Poco::JSON::Array();
    for (const auto& img : chain) {
      ids.push_back(diff_ids.at(img.id));
      layers->add(img.id + "/layer.tar");
    }
    std::string config = config_json(chain, ids);
    Sha256 config_digest;
    config_digest.update(config.data(), config.size());
    std::string config_name = config_digest.hex() + ".json";
    out.add_file(config_name, config, now);
    Poco::JSON::Object::Ptr entry = new Poco::JSON::Object();
    entry->set("Config", config_name);
    Poco::JSON::Array::Ptr tag_array = new Poco::JSON::Array();
    for (const auto& t : repo_tags) tag_array->add(t);
    if (repo_tags.empty())
      entry->set("RepoTags", Poco::Dynamic::Var());
    else
      entry->set("RepoTags", tag_array);
    entry->set("Layers", layers);
    manifest->add(entry);
  }
  std::ostringstream manifest_text;
  manifest->stringify(manifest_text);
  out.add_file("manifest.json", manifest_text.str(), now);
  out.close();
}

std::vector<std::string> ImageStore::load(ReadFn source) {
  std::map<std::string, std::string> files;
  std::map<std::string, Staging> layers;
  std::map<std::string, uint64_t> layer_sizes;
  std::map<std::string, std::string> aliases;
  {
    ArchiveReader outer(std::move(source));
    std::vector<char> head(65536);
    while (archive_entry* e = outer.next()) {
      const char* raw = archive_entry_pathname(e);
      if (!raw) continue;
      std::string name = clean_member(raw);
      const char* hardlink = archive_entry_hardlink(e);
      if (hardlink && *hardlink) {
        aliases[name] = clean_member(hardlink);
        continue;
      }
      if (archive_entry_filetype(e) == AE_IFLNK) {
        const char* target = archive_entry_symlink(e);
        if (target) aliases[name] = resolve_link(name, target);
        continue;
      }
      if (archive_entry_filetype(e) != AE_IFREG) continue;
      int64_t size = archive_entry_size(e);
      bool layer = sys::basename(name) == "layer.tar";
      bool blob = name.rfind("blobs/", 0) == 0;
      if (!layer && !blob) {
        if (size > kSmallFileLimit) continue;  // not something a load needs
        std::string content;
        for (size_t n; (n = outer.read(head.data(), head.size())) > 0;) content.append(head.data(), n);
        files[name] = std::move(content);
        continue;
      }
      // Peek at the first bytes: blobs are JSON (config, manifests) or layer tars.
      size_t have = 0;
      while (have < 512) {
        size_t n = outer.read(head.data() + have, head.size() - have);
        if (n == 0) break;
        have += n;
      }
      size_t first = 0;
      while (first < have && std::strchr(" \t\r\n", head[first])) ++first;
      if (blob && size <= kSmallFileLimit && first < have && (head[first] == '{' || head[first] == '[')) {
        std::string content(head.data(), have);
        for (size_t n; (n = outer.read(head.data(), head.size())) > 0;) content.append(head.data(), n);
        files[name] = std::move(content);
        continue;
      }
      Staging staging = layers_.stage();
      size_t served = 0;
      ReadFn inner = [&](char* buf, size_t n) -> size_t {
        if (served < have) {
          size_t k = std::min(n, have - served);
          std::memcpy(buf, head.data() + served, k);
          served += k;
          return k;
        }
        return outer.read(buf, n);
      };
      ExtractStats stats;
      try {
        stats = extract_tar(std::move(inner), staging.layer_fd());
      } catch (const Error& err) {
        throw err.wrap("layer `" + name + "`");
      }
      // Drain what the inner archive did not consume (end-of-archive padding).
      while (outer.read(head.data(), head.size()) > 0) {
      }
      layer_sizes[name] = stats.size;
      layers.emplace(name, std::move(staging));
    }
  }
  auto known = [&](const std::string& id) {
    std::lock_guard lock(index_mutex_);
    return index_.images.count(id) != 0;
  };
  LoadPlan plan = plan_load(files, known);
  auto resolve_member = [&](std::string member) {
    for (int hops = 0; hops < 16 && !layers.count(member) && aliases.count(member); ++hops) member = aliases.at(member);
    return member;
  };
  // Fail before registering anything when a layer is missing.
  for (const auto& li : plan.images)
    if (!layers.count(resolve_member(li.layer_member)))
      throw Error::bad_parameter("layer `" + li.layer_member + "` of image " + short_id(li.image.id) +
                                 " is not in the archive");
  // Until the tags are saved, a crash would leave the images added so far as untagged half
  // chains: journaled (children first) until then, and removed at the next start.
  std::vector<std::string> adding;
  for (auto it = plan.images.rbegin(); it != plan.images.rend(); ++it)
    if (!known(it->image.id)) adding.push_back(it->image.id);
  std::string journal = adding.empty() ? "" : write_removal_journal(adding);
  try {
    register_loaded(plan, layers, layer_sizes, resolve_member);
  } catch (...) {
    if (!journal.empty()) ::unlink(journal.c_str());  // a failed load keeps what it added, as before
    throw;
  }
  if (!journal.empty()) discard_removal_journal(journal);
  std::vector<std::string> lines;
  for (size_t i = 0; i < plan.tags.size(); ++i)
    lines.push_back("Loaded image: " + plan.tags[i].first + ":" + plan.tags[i].second);
  for (const auto& id : plan.untagged_tops) lines.push_back("Loaded image ID: " + id);
  return lines;
}

void ImageStore::register_loaded(LoadPlan& plan, std::map<std::string, Staging>& layers,
                                 std::map<std::string, uint64_t>& layer_sizes,
                                 const std::function<std::string(std::string)>& resolve_member) {
  auto known = [&](const std::string& id) {
    std::lock_guard lock(index_mutex_);
    return index_.images.count(id) != 0;
  };
  std::map<std::string, std::string> used_by;  // member -> image that took its staging dir
  for (auto& li : plan.images) {
    if (known(li.image.id)) continue;
    std::string member = resolve_member(li.layer_member);
    li.image.size = static_cast<int64_t>(layer_sizes[member]);
    if (li.image.docker_version.empty()) li.image.docker_version = std::string(kDockerVersion);
    if (li.image.os.empty()) li.image.os = "linux";
    if (li.image.architecture.empty()) li.image.architecture = go_architecture();
    if (li.image.created.empty()) li.image.created = now_rfc3339_nano();
    if (auto used = used_by.find(member); used != used_by.end()) {
      // Two images share one layer member: copy the layer the first one took.
      Staging copy = layers_.stage();
      Fd src = sys::open(layers_.layer_dir(used->second), O_RDONLY | O_DIRECTORY);
      copy_tree(src.get(), copy.layer_fd());
      add_image(copy, li.image, std::nullopt);
    } else {
      add_image(layers.at(member), li.image, std::nullopt);
      used_by[member] = li.image.id;
    }
    emit("load", li.image.id);
  }
  if (!plan.tags.empty()) {
    std::lock_guard write(write_mutex_);
    TagStore tags;
    {
      std::lock_guard lock(index_mutex_);
      tags = index_.tags;
    }
    for (size_t i = 0; i < plan.tags.size(); ++i) tags.set(plan.tags[i].first, plan.tags[i].second, plan.tag_ids[i]);
    tags.save(repositories_path());
    std::lock_guard lock(index_mutex_);
    index_.tags = std::move(tags);
  }
}

}  // namespace burrow::image
