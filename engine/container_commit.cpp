#include "engine/container_commit.h"

#include <set>

#include "engine/container.h"
#include "engine/container_manager.h"
#include "engine/engine.h"
#include "engine/event_bus.h"

namespace burrow::engine {

namespace {

using Poco::Dynamic::Var;
using Poco::JSON::Array;
using Poco::JSON::Object;

bool is_empty(const Var& v) {
  if (v.isEmpty()) return true;
  if (v.type() == typeid(Array::Ptr)) {
    auto a = v.extract<Array::Ptr>();
    return !a || a->size() == 0;
  }
  if (v.type() == typeid(Object::Ptr)) {
    auto o = v.extract<Object::Ptr>();
    return !o || o->size() == 0;
  }
  if (v.isString()) return v.toString().empty();
  if (v.isBoolean()) return !v.convert<bool>();
  if (v.isNumeric()) return v.convert<double>() == 0;
  return false;
}

std::string env_key(const std::string& entry) { return entry.substr(0, entry.find('=')); }

}  // namespace

Object::Ptr merge_config(const Object::Ptr& user, const Object::Ptr& base) {
  Object::Ptr out = json_clone(user ? user : Object::Ptr(new Object));
  if (!base) return out;
  for (const auto& [key, value] : *base) {
    Var mine = out->has(key) ? out->get(key) : Var();
    if (is_empty(mine)) {
      out->set(key, value);
      continue;
    }
    if (key == "Env") {
      std::vector<std::string> env = json_strings(out, "Env");
      std::set<std::string> keys;
      for (const auto& e : env) keys.insert(env_key(e));
      for (const auto& e : json_strings(base, "Env"))
        if (!keys.count(env_key(e))) env.push_back(e);
      out->set("Env", to_json_array(env));
    } else if (key == "ExposedPorts" || key == "Volumes") {
      Object::Ptr merged = json_object(out, key);
      Object::Ptr theirs = json_object(base, key);
      if (merged && theirs)
        for (const auto& [k, v] : *theirs)
          if (!merged->has(k)) merged->set(k, v);
    }
  }
  return out;
}

image::Image commit_container(Engine& engine, const CommitRequest& r) {
  ContainerManager& containers = engine.containers();
  Container c = containers.inspect(r.container);
  Object::Ptr config = r.run_config ? merge_config(r.run_config, c.config) : json_clone(c.config);
  std::string upper = containers.store().bundle_dir(c.id) + "/upper";
  image::Image img = engine.images().commit(c.image_id, upper, c.id, json_clone(c.config), config, r.repo, r.tag,
                                            r.comment, r.author);
  engine.events().publish("commit", c.id, c.image_name());
  return img;
}

}  // namespace burrow::engine
