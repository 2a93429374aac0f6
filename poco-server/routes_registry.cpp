// Routes that talk to registries (image/registry): pull (POST /images/create?fromImage=,
// reached through routes_images.cpp), POST /images/(name)/push, GET /images/search and
// POST /auth. Credentials come from X-Registry-Auth (pull, push, search) or the body (auth).
#include <string>
#include <vector>

#include "base/error.h"
#include "engine/engine.h"
#include "image/image_store.h"
#include "image/registry/login.h"
#include "image/registry/pull.h"
#include "image/registry/push.h"
#include "image/registry/search.h"
#include "poco-server/images_json.h"
#include "poco-server/request_context.h"
#include "poco-server/routes.h"

namespace burrow::poco_server {

namespace {

namespace reg = image::registry;

// One progress message as a Docker JSON line; calls from download threads are serialised by
// the registry code.
reg::ProgressFn stream_progress(JsonStream& stream) {
  return [&stream](const reg::ProgressMessage& m) {
    if (m.current >= 0)
      stream.write(progress_json(m.status, static_cast<uint64_t>(m.current), m.total, m.id));
    else
      stream.write(status_json(m.status, m.id));
  };
}

std::string temp_dir(RequestContext& ctx) { return ctx.engine().root() + "/registry-tmp"; }

// Pull's and push's options (reg::PullOptions, reg::PushOptions) with what the two share: the
// repository `name`, tag=, registry=, X-Registry-Auth and the daemon's insecure registries.
template <class TransferOptions>
TransferOptions transfer_options(RequestContext& ctx, const std::string& name) {
  TransferOptions options;
  options.name = name;
  options.tag = ctx.query("tag");
  options.registry = ctx.query("registry");
  options.auth = reg::decode_registry_auth_header(ctx.header("X-Registry-Auth"));
  options.insecure_registries = ctx.engine().options().insecure_registries;
  return options;
}

void push_image(RequestContext& ctx) {
  auto options = transfer_options<reg::PushOptions>(ctx, ctx.param("name"));
  if (!options.tag.empty()) ctx.engine().images().get(options.name + ":" + options.tag);  // 404 before the stream
  ctx.run_json_stream("registry", "push " + options.name, [&](JsonStream& stream) {
    reg::push_image(ctx.engine().images(), options, stream_progress(stream));
  });
}

void search_images(RequestContext& ctx) {
  reg::SearchOptions options;
  options.term = ctx.query("term");
  options.auth = reg::decode_registry_auth_header(ctx.header("X-Registry-Auth"));
  options.insecure_registries = ctx.engine().options().insecure_registries;
  Poco::JSON::Array::Ptr out = new Poco::JSON::Array();
  for (const auto& r : reg::search_images(options)) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object();
    o->set("name", r.name);
    o->set("description", r.description);
    o->set("is_official", r.is_official);
    o->set("is_trusted", r.is_trusted);
    o->set("is_automated", r.is_trusted);
    o->set("star_count", r.star_count);
    out->add(o);
  }
  ctx.send_json(out);
}

void check_auth(RequestContext& ctx) {
  reg::AuthConfig auth = reg::auth_config_from_json(ctx.json_body());
  std::string status = reg::check_login(auth, ctx.engine().options().insecure_registries);
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object();
  o->set("Status", status);
  ctx.send_json(o);
}

}  // namespace

void pull_image_from_registry(RequestContext& ctx) {
  auto options = transfer_options<reg::PullOptions>(ctx, ctx.query("fromImage"));
  options.temp_dir = temp_dir(ctx);
  if (options.name.empty()) throw Error::bad_parameter("Bad parameter: fromImage or fromSrc is required");
  ctx.run_json_stream("registry", "pull " + options.name, [&](JsonStream& stream) {
    reg::pull_image(ctx.engine().images(), options, stream_progress(stream));
  });
}

void add_registry_routes(Router& r) {
  r.add("GET", "/images/search", search_images);
  r.add("POST", "/images/{name:.*}/push", push_image);
  r.add("POST", "/auth", check_auth);
}

}  // namespace burrow::poco_server
