#include "image/save_load.h"

#include <Poco/DigestEngine.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/SHA2Engine.h>

#include <functional>
#include <set>

#include "base/error.h"
#include "base/random_id.h"
#include "image/reference.h"

namespace burrow::image {

namespace {

std::string sha256_hex(const std::string& text) {
  Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
  engine.update(text);
  return Poco::DigestEngine::digestToHex(engine.digest());
}

std::string str(const Poco::JSON::Object::Ptr& o, const std::string& key) {
  if (!o || !o->has(key) || o->isNull(key)) return "";
  return o->get(key).toString();
}

Poco::JSON::Array::Ptr parse_array(const std::string& text, const std::string& what) {
  try {
    Poco::JSON::Parser parser;
    auto v = parser.parse(text);
    if (v.type() != typeid(Poco::JSON::Array::Ptr)) throw Error::bad_parameter(what + ": not a JSON array");
    auto arr = v.extract<Poco::JSON::Array::Ptr>();
    if (!arr) throw Error::bad_parameter(what + ": not a JSON array");
    return arr;
  } catch (const Poco::Exception& e) {
    throw Error::bad_parameter(what + ": " + e.displayText());
  }
}

// Member paths in a manifest are relative to the archive root; "./x" and "x" are the same.
std::string clean(std::string p) {
  while (p.rfind("./", 0) == 0) p = p.substr(2);
  return p;
}

void add_tag(LoadPlan& plan, const std::string& repo_tag, const std::string& id) {
  auto [repo, tag] = split_repository_tag(repo_tag);
  Reference ref = parse_reference(tag.empty() ? repo : repo + ":" + tag);
  plan.tags.emplace_back(ref.repository, ref.tag);
  plan.tag_ids.push_back(id);
}

LoadPlan plan_from_manifest(const std::map<std::string, std::string>& files,
                            const std::function<bool(const std::string&)>& known) {
  LoadPlan plan;
  auto manifest = parse_array(files.at("manifest.json"), "manifest.json");
  std::set<std::string> planned;
  for (size_t i = 0; i < manifest->size(); ++i) {
    auto entry = manifest->getObject(i);
    if (!entry) throw Error::bad_parameter("manifest.json: entry " + std::to_string(i) + " is not an object");
    std::string config_path = clean(str(entry, "Config"));
    auto cf = files.find(config_path);
    if (cf == files.end()) throw Error::bad_parameter("manifest.json: config `" + config_path + "` is not in the archive");
    auto config = parse_json_object(cf->second, config_path);
    auto layers = entry->getArray("Layers");
    if (!layers || layers->size() == 0) throw Error::bad_parameter("manifest.json: image without layers");
    // History entries that made a layer, in order: they describe the layers one by one.
    std::vector<Poco::JSON::Object::Ptr> layer_history;
    if (auto hist = config->getArray("history")) {
      for (size_t h = 0; h < hist->size(); ++h) {
        auto he = hist->getObject(h);
        if (he && !(he->has("empty_layer") && he->get("empty_layer").convert<bool>())) layer_history.push_back(he);
      }
    }
    std::string parent;
    for (size_t l = 0; l < layers->size(); ++l) {
      std::string member = clean(layers->get(l).toString());
      bool top = l + 1 == layers->size();
      std::string id = sha256_hex(parent + "\n" + member + (top ? "\n" + config_path : ""));
      if (!known(id) && !planned.count(id)) {
        Image img;
        img.id = id;
        img.parent = parent;
        auto hist = l < layer_history.size() ? layer_history[l] : Poco::JSON::Object::Ptr();
        img.created = str(hist, "created").empty() ? str(config, "created") : str(hist, "created");
        img.container_config = empty_config();
        if (!str(hist, "created_by").empty()) {
          Poco::JSON::Array::Ptr cmd = new Poco::JSON::Array();
          cmd->add(str(hist, "created_by"));
          img.container_config->set("Cmd", cmd);
        }
        img.comment = str(hist, "comment");
        img.author = str(hist, "author");
        img.architecture = str(config, "architecture");
        img.os = str(config, "os");
        img.docker_version = str(config, "docker_version");
        if (top) {
          if (config->has("config") && !config->isNull("config")) img.config = config->getObject("config");
          if (config->has("container_config") && !config->isNull("container_config"))
            img.container_config = config->getObject("container_config");
          if (!str(config, "container").empty()) img.container = str(config, "container");
          if (img.author.empty()) img.author = str(config, "author");
        }
        plan.images.push_back({img, member});
        planned.insert(id);
      }
      parent = id;
    }
    auto repo_tags = entry->getArray("RepoTags");
    if (repo_tags && repo_tags->size() > 0) {
      for (size_t t = 0; t < repo_tags->size(); ++t) add_tag(plan, repo_tags->get(t).toString(), parent);
    } else {
      plan.untagged_tops.push_back(parent);
    }
  }
  return plan;
}

LoadPlan plan_from_v1(const std::map<std::string, std::string>& files,
                      const std::function<bool(const std::string&)>& known) {
  std::map<std::string, Image> in_archive;
  for (const auto& [path, content] : files) {
    size_t slash = path.find('/');
    if (slash == std::string::npos || path.substr(slash) != "/json") continue;
    Image img = parse_image_json(content);
    if (img.id != path.substr(0, slash))
      throw Error::bad_parameter("`" + path + "` holds image " + img.id + ", not " + path.substr(0, slash));
    in_archive.emplace(img.id, std::move(img));
  }
  LoadPlan plan;
  std::set<std::string> done;
  std::set<std::string> parents;
  for (const auto& [id, img] : in_archive) parents.insert(img.parent);
  std::function<void(const std::string&, int)> visit = [&](const std::string& id, int depth) {
    if (done.count(id) || known(id)) return;
    // Docker caps a chain at 127 layers; 10000 recursions overflowed a request thread's stack
    // under ASan (a parent loop in a hostile archive killed burrowd).
    if (depth > 1000) throw Error::bad_parameter("image parent chain loops at " + id);
    const Image& img = in_archive.at(id);
    if (!img.parent.empty()) {
      if (in_archive.count(img.parent))
        visit(img.parent, depth + 1);
      else if (!known(img.parent))
        throw Error::bad_parameter("Cannot load image " + short_id(id) + ": its parent " + short_id(img.parent) +
                                   " is neither in the archive nor in the store");
    }
    plan.images.push_back({img, id + "/layer.tar"});
    done.insert(id);
  };
  for (const auto& [id, img] : in_archive) visit(id, 0);
  std::set<std::string> tagged;
  if (auto repos = files.find("repositories"); repos != files.end()) {
    auto root = parse_json_object(repos->second, "repositories");
    for (const auto& [repo, tags_var] : *root) {
      Poco::JSON::Object::Ptr tags;
      try {
        tags = tags_var.extract<Poco::JSON::Object::Ptr>();
      } catch (...) {
        throw Error::bad_parameter("repositories: `" + repo + "` is not an object");
      }
      for (const auto& [tag, id_var] : *tags) {
        std::string id = id_var.toString();
        if (!in_archive.count(id) && !known(id))
          throw Error::bad_parameter("repositories: " + repo + ":" + tag + " names image " + id + ", which is missing");
        add_tag(plan, repo + ":" + tag, id);
        tagged.insert(id);
      }
    }
  }
  for (const auto& [id, img] : in_archive)
    if (!parents.count(id) && !tagged.count(id)) plan.untagged_tops.push_back(id);
  return plan;
}

}  // namespace

LoadPlan plan_load(const std::map<std::string, std::string>& files,
                   const std::function<bool(const std::string&)>& known) {
  // v1 image JSON (<id>/json) keeps the archive's own ids and parent chains, so it wins when
  // present (Docker 0.8 to 24 and burrow write it); manifest.json alone is newer Docker's form.
  for (const auto& [path, content] : files) {
    size_t slash = path.find('/');
    if (slash != std::string::npos && path.substr(slash) == "/json" && is_full_id(path.substr(0, slash)))
      return plan_from_v1(files, known);
  }
  if (files.count("manifest.json")) return plan_from_manifest(files, known);
  return plan_from_v1(files, known);
}

std::string repositories_json(const std::map<std::string, std::map<std::string, std::string>>& repos) {
  Poco::JSON::Object::Ptr root = new Poco::JSON::Object();
  for (const auto& [repo, tags] : repos) {
    Poco::JSON::Object::Ptr t = new Poco::JSON::Object();
    for (const auto& [tag, id] : tags) t->set(tag, id);
    root->set(repo, t);
  }
  return to_json_string(root);
}

}  // namespace burrow::image
