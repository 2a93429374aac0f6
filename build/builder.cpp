#include "build/builder.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Stringifier.h>

#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <sstream>

#include "base/random_id.h"
#include "base/sys.h"
#include "engine/container.h"
#include "engine/container_config.h"
#include "engine/engine.h"
#include "engine/startup_sweep.h"
#include "image/image_json.h"
#include "image/image_store.h"

namespace burrow::build {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

// The fields of a Config that decide whether a cached step matches (Docker 0.8's
// CompareConfig looks at the same ones), as canonical text.
std::string cache_key(const Object::Ptr& c) {
  if (!c) return {};
  std::string key;
  for (const char* field : {"Cmd", "Entrypoint", "Env", "ExposedPorts", "Volumes", "User", "WorkingDir", "OnBuild"}) {
    key += field;
    key += '=';
    if (c->has(field) && !c->isNull(field)) {
      std::ostringstream s;
      Poco::JSON::Stringifier::condense(c->get(field), s);
      std::string v = s.str();
      if (v != "[]" && v != "{}" && v != "\"\"") key += v;
    }
    key += '\n';
  }
  return key;
}

// Go's %v of a []string: "[/bin/sh -c exit 3]".
std::string go_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (size_t i = 0; i < v.size(); ++i) out += (i ? " " : "") + v[i];
  return out + "]";
}

std::vector<std::string> shell_or_json(const Instruction& ins) {
  if (ins.json) return ins.list;
  return {"/bin/sh", "-c", ins.args};
}

void set_env(Object::Ptr config, const std::string& key, const std::string& value) {
  std::vector<std::string> env = engine::json_strings(config, "Env");
  bool replaced = false;
  for (auto& kv : env)
    if (kv.substr(0, kv.find('=')) == key) {
      kv = key + "=" + value;
      replaced = true;
    }
  if (!replaced) env.push_back(key + "=" + value);
  config->set("Env", engine::to_json_array(env));
}

void add_key(Object::Ptr config, const std::string& field, const std::string& key) {
  Object::Ptr m = engine::json_object(config, field);
  Object::Ptr copy = new Object;
  if (m)
    for (const auto& [k, v] : *m) copy->set(k, v);
  copy->set(key, Object::Ptr(new Object));
  config->set(field, copy);
}

std::string join_path(const std::string& base, const std::string& rel) {
  if (!rel.empty() && rel[0] == '/') return rel;
  std::string b = base.empty() ? "/" : base;
  if (b.back() != '/') b += '/';
  return b + rel;
}

}  // namespace

Builder::Builder(engine::Engine& engine, BuildOptions options, BuildOutput output)
    : engine_(engine), options_(std::move(options)), output_(std::move(output)) {}

Builder::~Builder() {
  if (scratch_.empty()) return;
  try {
    sys::remove_tree(scratch_);
  } catch (...) {
    // Destructors never throw; tmp/ leftovers are harmless.
  }
}

std::string Builder::scratch_dir(const std::string& what) {
  if (scratch_.empty()) {
    std::string tmp = engine_.root() + "/tmp";
    sys::make_dirs(tmp, 0700);
    scratch_ = tmp + "/buildscratch-" + random_id().substr(0, 16);
    sys::make_dirs(scratch_, 0700);
  }
  std::string dir = scratch_ + "/" + what + "-" + std::to_string(++scratch_seq_);
  sys::make_dirs(dir, 0755);
  return dir;
}

std::vector<std::string> Builder::env() const { return engine::json_strings(config_, "Env"); }

Object::Ptr Builder::container_config(const std::vector<std::string>& cmd) const {
  Object::Ptr c = engine::json_clone(config_);
  c->set("Cmd", engine::to_json_array(cmd));
  return c;
}

std::string Builder::build(const BuildContext& context) {
  context_ = &context;
  std::vector<Instruction> steps = parse_dockerfile(context.read_dockerfile(options_.dockerfile));
  int n = 0;
  for (const auto& ins : steps) {
    say("Step " + std::to_string(++n) + " : " + ins.text() + "\n");
    dispatch(ins);
    say(" ---> " + short_id(image_id_) + "\n");
  }
  say("Successfully built " + short_id(image_id_) + "\n");
  if (options_.tag) {
    engine_.images().tag(image_id_, options_.tag->repository, options_.tag->tag, true);
    say("Successfully tagged " + options_.tag->to_string() + "\n");
  }
  return image_id_;
}

void Builder::dispatch(const Instruction& ins) {
  const std::string& k = ins.keyword;
  if (k == "FROM") return from(ins);
  if (image_id_.empty())
    throw BuildError(Error::Kind::BadParameter, "Please provide a source image with `from` prior to " + k);
  if (k == "RUN") return run(ins);
  if (k == "ADD") return add(ins, true);
  if (k == "COPY") return add(ins, false);
  metadata(ins);
}

void Builder::use_image(const std::string& id) { image_id_ = id; }

void Builder::from(const Instruction& ins) {
  const std::string& name = ins.list.at(0);
  auto img = engine_.images().resolve(name);
  if (!img)
    throw BuildError(Error::Kind::NotFound,
                     "No such image: " + name + " (burrow cannot pull from a registry; use docker load or docker import)");
  image_id_ = img->id;
  config_ = img->config ? engine::json_clone(img->config) : image::empty_config();
  if (engine::json_strings(config_, "Env").empty())
    config_->set("Env", engine::to_json_array({"HOME=/", std::string("PATH=") + engine::kDefaultPath}));
  // Docker 0.8: the base image's ONBUILD triggers run now, in order, and go no further.
  std::vector<std::string> triggers = engine::json_strings(config_, "OnBuild");
  config_->set("OnBuild", Poco::Dynamic::Var());
  if (triggers.empty()) return;
  say("# Executing " + std::to_string(triggers.size()) + " build triggers\n");
  for (size_t i = 0; i < triggers.size(); ++i) {
    say("Trigger " + std::to_string(i) + ", " + triggers[i] + "\n");
    Instruction t = parse_instruction(triggers[i], 0);
    if (t.keyword == "FROM" || t.keyword == "MAINTAINER" || t.keyword == "ONBUILD")
      throw BuildError(Error::Kind::BadParameter, t.keyword + " isn't allowed as an ONBUILD trigger");
    dispatch(t);
  }
}

std::optional<std::string> Builder::cached(const Object::Ptr& cc) {
  if (options_.no_cache) return std::nullopt;
  std::string key = cache_key(cc);
  image::ListOptions all;
  all.all = true;
  std::optional<std::string> best;
  std::string best_created;
  for (const auto& s : engine_.images().list(all)) {
    if (s.image.parent != image_id_ || cache_key(s.image.container_config) != key) continue;
    if (!best || s.image.created > best_created) {
      best = s.image.id;
      best_created = s.image.created;
    }
  }
  if (best) say(" ---> Using cache\n");
  return best;
}

void Builder::commit_nop(const std::string& text) {
  Object::Ptr cc = container_config({"/bin/sh", "-c", "#(nop) " + text});
  if (auto hit = cached(cc)) return use_image(*hit);
  std::string empty = scratch_dir("empty");
  image::Image img = engine_.images().commit(image_id_, empty, "", cc, engine::json_clone(config_), "", "", "", author_);
  sys::remove_tree(empty);
  use_image(img.id);
}

void Builder::metadata(const Instruction& ins) {
  const std::string& k = ins.keyword;
  std::string shown = ins.text();
  if (k == "MAINTAINER") {
    author_ = ins.args;
  } else if (k == "CMD" || k == "ENTRYPOINT") {
    std::vector<std::string> argv = shell_or_json(ins);
    config_->set(k == "CMD" ? "Cmd" : "Entrypoint", engine::to_json_array(argv));
    shown = k + " " + go_list(argv);
  } else if (k == "ENV") {
    std::string text;
    for (size_t i = 0; i + 1 < ins.list.size(); i += 2) {
      std::string value = substitute_env(ins.list[i + 1], env());
      set_env(config_, ins.list[i], value);
      text += (text.empty() ? "" : " ") + ins.list[i] + "=" + value;
    }
    shown = "ENV " + text;
  } else if (k == "EXPOSE") {
    for (auto port : ins.list) {
      if (port.find('/') == std::string::npos) port += "/tcp";
      add_key(config_, "ExposedPorts", port);
    }
  } else if (k == "VOLUME") {
    for (const auto& v : ins.list) add_key(config_, "Volumes", v);
  } else if (k == "USER") {
    config_->set("User", ins.args);
  } else if (k == "WORKDIR") {
    config_->set("WorkingDir", join_path(engine::json_string(config_, "WorkingDir"), ins.args));
  } else if (k == "ONBUILD") {
    std::vector<std::string> triggers = engine::json_strings(config_, "OnBuild");
    triggers.push_back(ins.args);
    config_->set("OnBuild", engine::to_json_array(triggers));
  } else {
    throw BuildError(Error::Kind::BadParameter, "unknown instruction " + k);
  }
  commit_nop(shown);
}

void Builder::run(const Instruction& ins) {
  std::vector<std::string> argv = shell_or_json(ins);
  Object::Ptr cc = container_config(argv);
  if (auto hit = cached(cc)) return use_image(*hit);

  auto& containers = engine_.containers();
  Object::Ptr body = engine::json_clone(config_);
  body->remove("Hostname");
  body->set("Image", image_id_);
  // RUN runs its command as given: the image's ENTRYPOINT does not wrap it.
  body->set("Entrypoint", engine::to_json_array(argv));
  body->set("Cmd", Poco::Dynamic::Var());
  body->set("OnBuild", Poco::Dynamic::Var());
  std::string id = containers.create(body, "").id;
  // While the step runs its container is the build's: a burrowd killed meanwhile removes it at
  // its next start (remove_interrupted_build_steps), as this build would have.
  std::string marker = containers.store().bundle_dir(id) + "/" + engine::kBuildStepMarker;
  say(" ---> Running in " + short_id(id) + "\n");
  bool committed = false;
  auto cleanup = [&] {
    if (!(committed ? options_.remove_intermediate : options_.force_remove)) {
      ::unlink(marker.c_str());  // kept on purpose (rm=0, or a failed step without forcerm)
      return;
    }
    try {
      containers.remove(id, false, true);
      say("Removing intermediate container " + short_id(id) + "\n");
    } catch (const Error& e) {
      engine_.logger().warn("build", "removing intermediate container " + short_id(id) + ": " + e.what());
    }
  };
  try {
    sys::open(marker, O_WRONLY | O_CREAT, 0600);
    containers.start(id, nullptr);
    if (!options_.quiet) {
      engine::StreamRequest r;
      r.logs = true;
      r.follow = true;
      containers.stream_output(id, r, [this](int, std::string_view data, const std::string&) { say(std::string(data)); });
    }
    int code = containers.wait(id);
    if (code != 0)
      throw BuildError(Error::Kind::Internal,
                       "The command " + go_list(argv) + " returned a non-zero code: " + std::to_string(code), code);
    std::string upper = containers.store().bundle_dir(id) + "/upper";
    image::Image img = engine_.images().commit(image_id_, upper, id, cc, engine::json_clone(config_), "", "", "", author_);
    committed = true;
    cleanup();
    use_image(img.id);
  } catch (...) {
    if (!committed) {
      // An abandoned build (client gone) leaves no RUN behind still running.
      try {
        if (containers.inspect(id).state.running) containers.kill(id, SIGKILL);
      } catch (const Error&) {
        // It ended on its own meanwhile.
      }
      cleanup();
    }
    throw;
  }
}

}  // namespace burrow::build
