#include "poco-server/images_json.h"

#include <cstdio>

#include <Poco/Dynamic/Var.h>

namespace burrow::poco_server {

namespace {

Poco::JSON::Array::Ptr string_array(const std::vector<std::string>& items) {
  Poco::JSON::Array::Ptr a = new Poco::JSON::Array();
  for (const auto& s : items) a->add(s);
  return a;
}

// Docker's units.HumanSize: "1.2 MB" with decimal units.
std::string human_size(double bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int i = 0;
  while (bytes >= 1000 && i < 4) {
    bytes /= 1000;
    ++i;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g %s", bytes, units[i]);
  return buf;
}

}  // namespace

Poco::JSON::Array::Ptr image_list_json(const std::vector<image::ImageSummary>& rows, ApiVersion) {
  Poco::JSON::Array::Ptr out = new Poco::JSON::Array();
  for (const auto& row : rows) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object();
    o->set("RepoTags", string_array(row.repo_tags));
    o->set("Id", row.image.id);
    if (!row.image.parent.empty()) o->set("ParentId", row.image.parent);
    o->set("Created", row.image.created_unix());
    o->set("Size", row.image.size);
    o->set("VirtualSize", row.virtual_size);
    out->add(o);
  }
  return out;
}

Poco::JSON::Object::Ptr image_inspect_json(const image::Image& img, const std::vector<std::string>& tags,
                                           int64_t virtual_size, ApiVersion) {
  Poco::JSON::Object::Ptr o = image::image_to_json(img);
  // The v1.9 keys come from image_to_json; the capitalised ones serve modern clients.
  o->set("Id", img.id);
  o->set("RepoTags", string_array(tags));
  o->set("Parent", img.parent);
  o->set("Comment", img.comment);
  o->set("Created", img.created);
  o->set("Container", img.container);
  o->set("ContainerConfig", img.container_config);
  o->set("DockerVersion", img.docker_version);
  o->set("Author", img.author);
  if (img.config)
    o->set("Config", img.config);
  else
    o->set("Config", Poco::Dynamic::Var());
  o->set("Architecture", img.architecture);
  o->set("Os", img.os);
  o->set("VirtualSize", virtual_size);
  return o;
}

Poco::JSON::Array::Ptr image_history_json(const std::vector<image::Image>& chain, const image::ImageStore& store,
                                          ApiVersion) {
  Poco::JSON::Array::Ptr out = new Poco::JSON::Array();
  for (const auto& img : chain) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object();
    o->set("Id", img.id);
    o->set("Created", img.created_unix());
    o->set("CreatedBy", img.created_by());
    auto tags = store.tags_of(img.id);
    if (tags.empty())
      o->set("Tags", Poco::Dynamic::Var());
    else
      o->set("Tags", string_array(tags));
    o->set("Size", img.size);
    o->set("Comment", img.comment);
    out->add(o);
  }
  return out;
}

Poco::JSON::Array::Ptr image_delete_json(const std::vector<image::RemovedImage>& removed) {
  Poco::JSON::Array::Ptr out = new Poco::JSON::Array();
  for (const auto& r : removed) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object();
    o->set(r.untagged ? "Untagged" : "Deleted", r.id);
    out->add(o);
  }
  return out;
}

Poco::JSON::Object::Ptr progress_json(const std::string& status, uint64_t current, int64_t total,
                                      const std::string& id) {
  Poco::JSON::Object::Ptr detail = new Poco::JSON::Object();
  detail->set("current", current);
  std::string bar;
  if (total > 0) {
    detail->set("total", total);
    int width = 50;
    int filled = static_cast<int>(width * std::min<double>(1.0, static_cast<double>(current) / total));
    bar = "[" + std::string(filled > 0 ? filled - 1 : 0, '=') + (filled > 0 ? ">" : "") +
          std::string(width - filled, ' ') + "] " + human_size(current) + "/" + human_size(total);
  } else {
    bar = human_size(current);
  }
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object();
  o->set("status", status);
  o->set("progressDetail", detail);
  o->set("progress", bar);
  if (!id.empty()) o->set("id", id);
  return o;
}

Poco::JSON::Object::Ptr status_json(const std::string& text, const std::string& id) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object();
  o->set("status", text);
  if (!id.empty()) o->set("id", id);
  return o;
}

}  // namespace burrow::poco_server
