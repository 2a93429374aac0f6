#include "engine/container.h"

#include <sstream>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>
#include <Poco/JSON/Stringifier.h>

#include "base/error.h"
#include "engine/container_time.h"

namespace burrow::engine {

using Poco::JSON::Array;
using Poco::JSON::Object;

std::string json_string(const Object::Ptr& obj, const std::string& key, const std::string& def) {
  if (!obj || !obj->has(key) || obj->isNull(key)) return def;
  Poco::Dynamic::Var v = obj->get(key);
  if (v.isString()) return v.extract<std::string>();
  return v.toString();
}

bool json_bool(const Object::Ptr& obj, const std::string& key, bool def) {
  if (!obj || !obj->has(key) || obj->isNull(key)) return def;
  Poco::Dynamic::Var v = obj->get(key);
  if (v.isBoolean()) return v.extract<bool>();
  if (v.isNumeric()) return v.convert<double>() != 0;
  if (v.isString()) {
    std::string s = v.extract<std::string>();
    return s == "1" || s == "true" || s == "True";
  }
  return def;
}

long long json_int(const Object::Ptr& obj, const std::string& key, long long def) {
  if (!obj || !obj->has(key) || obj->isNull(key)) return def;
  Poco::Dynamic::Var v = obj->get(key);
  try {
    if (v.isNumeric()) return static_cast<long long>(v.convert<double>());
    if (v.isString()) return std::stoll(v.extract<std::string>());
  } catch (const std::exception&) {
  }
  throw Error::bad_parameter("Bad parameter: " + key + " must be a number");
}

std::vector<std::string> json_strings(const Object::Ptr& obj, const std::string& key) {
  std::vector<std::string> out;
  if (!obj || !obj->has(key) || obj->isNull(key)) return out;
  Poco::Dynamic::Var v = obj->get(key);
  if (v.isString()) {
    std::string s = v.extract<std::string>();
    if (!s.empty()) out.push_back(s);
    return out;
  }
  Array::Ptr arr = obj->getArray(key);
  if (!arr) throw Error::bad_parameter("Bad parameter: " + key + " must be a list of strings");
  for (size_t i = 0; i < arr->size(); ++i) out.push_back(arr->get(i).toString());
  return out;
}

Object::Ptr json_object(const Object::Ptr& obj, const std::string& key) {
  if (!obj || !obj->has(key) || obj->isNull(key)) return nullptr;
  return obj->getObject(key);
}

Array::Ptr to_json_array(const std::vector<std::string>& v) {
  Array::Ptr arr = new Array;
  for (const auto& s : v) arr->add(s);
  return arr;
}

std::string json_stringify(const Poco::Dynamic::Var& v) {
  std::ostringstream out;
  Poco::JSON::Stringifier::stringify(v, out, 0, -1, Poco::JSON_PRESERVE_KEY_ORDER);
  return out.str();
}

Object::Ptr parse_json_object(const std::string& text) {
  Poco::Dynamic::Var v;
  try {
    Poco::JSON::Parser parser;
    v = parser.parse(text);
  } catch (const Poco::Exception& e) {
    throw Error::bad_parameter(e.displayText());
  }
  if (v.type() != typeid(Object::Ptr)) throw Error::bad_parameter("json: expected an object");
  return v.extract<Object::Ptr>();
}

Object::Ptr json_clone(const Object::Ptr& obj) {
  if (!obj) return new Object;
  return parse_json_object(json_stringify(obj));
}

Object::Ptr ContainerState::to_json() const {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("Running", running);
  o->set("Pid", static_cast<int>(pid));
  o->set("ExitCode", exit_code);
  o->set("StartedAt", started_at.empty() ? std::string(kZeroTime) : started_at);
  o->set("FinishedAt", finished_at.empty() ? std::string(kZeroTime) : finished_at);
  o->set("Ghost", ghost);
  o->set("ShimPid", static_cast<int>(shim_pid));
  o->set("ShimStartTime", static_cast<Poco::UInt64>(shim_start_time));
  o->set("OverlayPid", static_cast<int>(overlay_pid));
  o->set("Restarting", restarting);
  o->set("Error", error);
  return o;
}

ContainerState ContainerState::from_json(const Object::Ptr& o) {
  ContainerState s;
  s.running = json_bool(o, "Running");
  s.pid = static_cast<pid_t>(json_int(o, "Pid"));
  s.exit_code = static_cast<int>(json_int(o, "ExitCode"));
  s.started_at = json_string(o, "StartedAt", kZeroTime);
  s.finished_at = json_string(o, "FinishedAt", kZeroTime);
  s.ghost = json_bool(o, "Ghost");
  s.shim_pid = static_cast<pid_t>(json_int(o, "ShimPid"));
  s.shim_start_time = static_cast<unsigned long long>(json_int(o, "ShimStartTime"));
  s.overlay_pid = static_cast<pid_t>(json_int(o, "OverlayPid"));
  s.restarting = json_bool(o, "Restarting");
  s.error = json_string(o, "Error", "");
  return s;
}

Object::Ptr Container::to_config_json() const {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("Id", id);
  o->set("Name", name);
  o->set("Created", created);
  o->set("Path", path);
  o->set("Args", to_json_array(args));
  o->set("Image", image_id);
  o->set("Config", config ? config : Object::Ptr(new Object));
  o->set("HostConfig", host_config ? host_config : Object::Ptr(new Object));
  Object::Ptr vols = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [k, v] : volumes) vols->set(k, v);
  o->set("Volumes", vols);
  Object::Ptr rw = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const auto& [k, v] : volumes_rw) rw->set(k, v);
  o->set("VolumesRW", rw);
  o->set("HostnamePath", hostname_path);
  o->set("HostsPath", hosts_path);
  o->set("ResolvConfPath", resolv_conf_path);
  return o;
}

Container Container::from_config_json(const Object::Ptr& o) {
  Container c;
  c.id = json_string(o, "Id");
  c.name = json_string(o, "Name");
  c.created = json_string(o, "Created", kZeroTime);
  c.path = json_string(o, "Path");
  c.args = json_strings(o, "Args");
  c.image_id = json_string(o, "Image");
  c.config = json_object(o, "Config");
  if (!c.config) c.config = new Object;
  c.host_config = json_object(o, "HostConfig");
  if (!c.host_config) c.host_config = new Object;
  if (auto vols = json_object(o, "Volumes"))
    for (const auto& [k, v] : *vols) c.volumes[k] = v.toString();
  if (auto rw = json_object(o, "VolumesRW"))
    for (const auto& [k, v] : *rw) c.volumes_rw[k] = v.isBoolean() ? v.extract<bool>() : true;
  c.hostname_path = json_string(o, "HostnamePath");
  c.hosts_path = json_string(o, "HostsPath");
  c.resolv_conf_path = json_string(o, "ResolvConfPath");
  return c;
}

std::string Container::image_name() const {
  std::string n = json_string(config, "Image");
  return n.empty() ? image_id : n;
}

std::string Container::command_line() const {
  std::string s = path;
  for (const auto& a : args) s += " " + a;
  return s;
}

}  // namespace burrow::engine
