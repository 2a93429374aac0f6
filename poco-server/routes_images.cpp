// Routes of the image endpoints: list, inspect, history, create (import from the body or a
// URL), insert, tag, delete, get (docker save) and load. Shapes live in images_json.cpp; the
// work in image::ImageStore.
#include <chrono>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/random_id.h"
#include "engine/engine.h"
#include "image/byte_stream.h"
#include "image/http_fetch.h"
#include "image/image_store.h"
#include "image/reference.h"
#include "poco-server/connection_writer.h"
#include "poco-server/images_json.h"
#include "poco-server/request_context.h"
#include "poco-server/routes.h"

namespace burrow::poco_server {

namespace {

using Clock = std::chrono::steady_clock;

// Sends progress messages at most every 200 ms (and always the last one).
class ProgressThrottle {
 public:
  ProgressThrottle(JsonStream& stream, std::string status, int64_t total, std::string id = "")
      : stream_(stream), status_(std::move(status)), total_(total), id_(std::move(id)) {}
  void operator()(uint64_t current) {
    last_value_ = current;
    auto now = Clock::now();
    if (now - last_ < std::chrono::milliseconds(200)) return;
    last_ = now;
    stream_.write(progress_json(status_, current, total_, id_));
  }
  void finish() { stream_.write(progress_json(status_, last_value_, total_, id_)); }

 private:
  JsonStream& stream_;
  std::string status_;
  int64_t total_;
  std::string id_;
  Clock::time_point last_{};
  uint64_t last_value_ = 0;
};

// A ReadFn over the request body that reports its progress.
image::ReadFn counting(image::ReadFn inner, std::function<void(uint64_t)> progress) {
  auto total = std::make_shared<uint64_t>(0);
  return [inner = std::move(inner), progress = std::move(progress), total](char* buf, size_t n) -> size_t {
    size_t got = inner(buf, n);
    *total += got;
    progress(*total);
    return got;
  };
}

// repo (maybe "name:tag", as docker import sends it) plus tag -> the reference to tag as.
std::optional<image::Reference> import_reference(const std::string& repo, const std::string& tag) {
  if (repo.empty()) return std::nullopt;
  if (tag.empty()) return image::parse_reference(repo);
  return image::parse_reference(repo + ":" + tag);
}

void list_images(RequestContext& ctx) {
  image::ListOptions options;
  options.all = ctx.query_bool("all");
  options.reference = ctx.query("filter");
  std::string filters = ctx.query("filters");
  if (!filters.empty()) {
    Poco::JSON::Object::Ptr f;
    try {
      f = image::parse_json_object(filters, "filters");
    } catch (const Error& e) {
      throw Error::bad_parameter(std::string("Bad parameter: ") + e.what());
    }
    auto first_key = [&](const std::string& key) -> std::string {
      if (!f->has(key)) return "";
      if (auto obj = f->getObject(key); obj && obj->size() > 0) return obj->begin()->first;
      if (auto arr = f->getArray(key); arr && arr->size() > 0) return arr->get(0).toString();
      return "";
    };
    if (std::string ref = first_key("reference"); !ref.empty()) options.reference = ref;
    if (std::string d = first_key("dangling"); !d.empty()) options.dangling = (d == "true" || d == "1");
  }
  ctx.send_json(image_list_json(ctx.engine().images().list(options), ctx.api_version()));
}

void inspect_image(RequestContext& ctx) {
  auto& store = ctx.engine().images();
  auto chain = store.history(ctx.param("name"));
  int64_t virtual_size = 0;
  for (const auto& i : chain) virtual_size += i.size;
  ctx.send_json(image_inspect_json(chain.front(), store.tags_of(chain.front().id), virtual_size, ctx.api_version()));
}

void image_history(RequestContext& ctx) {
  auto& store = ctx.engine().images();
  ctx.send_json(image_history_json(store.history(ctx.param("name")), store, ctx.api_version()));
}

void create_image(RequestContext& ctx) {
  std::string src = ctx.query("fromSrc");
  if (src.empty()) {
    pull_image_from_registry(ctx);  // fromImage: a registry pull (routes_registry.cpp)
    return;
  }
  auto as = import_reference(ctx.query("repo"), ctx.query("tag"));
  auto& store = ctx.engine().images();
  ctx.run_json_stream("image", "import from " + src, [&](JsonStream& stream) {
    image::Image img;
    if (src == "-") {
      ProgressThrottle progress(stream, "Importing", -1);
      img = store.import(counting(image::read_from(ctx.body_stream()), std::ref(progress)), src, as);
      progress.finish();
    } else {
      std::string url = image::normalize_source_url(src);
      stream.write(status_json("Downloading from " + url));
      image::HttpFetch fetch(url);
      ProgressThrottle progress(stream, "Importing", fetch.content_length());
      img = store.import(fetch.reader(std::ref(progress)), src, as);
      progress.finish();
    }
    stream.write(status_json(img.id));
  });
}

void insert_file(RequestContext& ctx) {
  std::string name = ctx.param("name");
  std::string path = ctx.query("path");
  std::string url = ctx.query("url");
  if (path.empty() || url.empty()) throw Error::bad_parameter("Bad parameter: insert needs path and url");
  auto& store = ctx.engine().images();
  image::Image base = store.get(name);
  ctx.run_json_stream("image", "insert into " + name, [&](JsonStream& stream) {
    stream.write(status_json("Inserting " + url + " at " + path, short_id(base.id)));
    image::HttpFetch fetch(image::normalize_source_url(url));
    ProgressThrottle progress(stream, "Downloading", fetch.content_length(), short_id(base.id));
    image::Image img = store.insert(base.id, path, fetch.reader(std::ref(progress)), url);
    progress.finish();
    stream.write(status_json(img.id));
  });
}

void tag_image(RequestContext& ctx) {
  ctx.engine().images().tag(ctx.param("name"), ctx.query("repo"), ctx.query("tag"), ctx.query_bool("force"));
  ctx.send_status(201);
}

void delete_image(RequestContext& ctx) {
  auto removed = ctx.engine().images().remove(ctx.param("name"), ctx.query_bool("force"));
  ctx.send_json(image_delete_json(removed));
}

void save_images(RequestContext& ctx, std::vector<std::string> names) {
  if (names.empty()) throw Error::bad_parameter("Bad parameter: no image names given");
  auto& store = ctx.engine().images();
  for (const auto& n : names) store.get(n);  // 404 before the first byte
  send_raw_body(ctx, "application/x-tar", "image", "save", [&](const ByteSink& sink) { store.save(names, sink); });
}

void load_images(RequestContext& ctx) {
  auto lines = ctx.engine().images().load(image::read_from(ctx.body_stream()));
  JsonStream stream = ctx.start_stream();
  for (const auto& line : lines) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object();
    o->set("stream", line + "\n");
    stream.write(o);
  }
}

}  // namespace

void add_image_routes(Router& r) {
  r.add("GET", "/images/json", list_images);
  r.add("POST", "/images/create", create_image);
  r.add("POST", "/images/load", load_images);
  r.add("GET", "/images/get", [](RequestContext& ctx) { save_images(ctx, ctx.query_all("names")); });
  r.add("GET", "/images/{name:.*}/get", [](RequestContext& ctx) { save_images(ctx, {ctx.param("name")}); });
  r.add("GET", "/images/{name:.*}/json", inspect_image);
  r.add("GET", "/images/{name:.*}/history", image_history);
  r.add("POST", "/images/{name:.*}/insert", insert_file);
  r.add("POST", "/images/{name:.*}/tag", tag_image);
  r.add("DELETE", "/images/{name:.*}", delete_image);
}

}  // namespace burrow::poco_server
