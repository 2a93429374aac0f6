#include "engine/container_config.h"

#include <Poco/JSON/Array.h>

#include "base/error.h"
#include "engine/container.h"

namespace burrow::engine {

using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

bool is_empty_field(const Object::Ptr& o, const std::string& key) {
  if (!o->has(key) || o->isNull(key)) return true;
  Poco::Dynamic::Var v = o->get(key);
  if (v.isString()) return v.extract<std::string>().empty();
  if (v.type() == typeid(Array::Ptr)) return v.extract<Array::Ptr>()->size() == 0;
  if (v.type() == typeid(Object::Ptr)) return v.extract<Object::Ptr>()->size() == 0;
  return false;
}

std::string env_key(const std::string& kv) { return kv.substr(0, kv.find('=')); }

// Object keys of `from` that `into` lacks are added (ExposedPorts, Volumes).
void merge_keys(Object::Ptr into, const std::string& key, const Object::Ptr& from) {
  Object::Ptr src = json_object(from, key);
  if (!src || src->size() == 0) return;
  Object::Ptr dst = json_object(into, key);
  Object::Ptr merged = new Object;
  if (dst)
    for (const auto& [k, v] : *dst) merged->set(k, v);
  for (const auto& [k, v] : *src)
    if (!merged->has(k)) merged->set(k, v);
  into->set(key, merged);
}

void check_types(const Object::Ptr& body) {
  for (const char* key : {"Cmd", "Entrypoint", "Env", "Dns", "PortSpecs"}) (void)json_strings(body, key);
  for (const char* key : {"Memory", "MemorySwap", "CpuShares"}) (void)json_int(body, key);
  for (const char* key : {"Volumes", "ExposedPorts", "HostConfig"}) {
    if (body->has(key) && !body->isNull(key) && body->get(key).type() != typeid(Object::Ptr))
      throw Error::bad_parameter(std::string("Bad parameter: ") + key + " must be an object");
  }
}

}  // namespace

PreparedConfig prepare_config(const Object::Ptr& body, const Object::Ptr& image_config, const std::string& id,
                              bool limits_enforced) {
  check_types(body);
  PreparedConfig out;
  Object::Ptr c = new Object;
  for (const auto& [k, v] : *body)
    if (k != "HostConfig" && k != "NetworkingConfig") c->set(k, v);
  out.host_config = json_clone(json_object(body, "HostConfig"));

  if (image_config) {
    for (const char* key : {"User", "WorkingDir", "Hostname", "Domainname"})
      if (is_empty_field(c, key) && !is_empty_field(image_config, key)) c->set(key, image_config->get(key));
    if (is_empty_field(c, "Cmd") && is_empty_field(c, "Entrypoint") && !is_empty_field(image_config, "Cmd"))
      c->set("Cmd", image_config->get("Cmd"));
    if (is_empty_field(c, "Entrypoint") && !is_empty_field(image_config, "Entrypoint"))
      c->set("Entrypoint", image_config->get("Entrypoint"));
    merge_keys(c, "ExposedPorts", image_config);
    merge_keys(c, "Volumes", image_config);
    std::vector<std::string> env = json_strings(c, "Env");
    for (const auto& kv : json_strings(image_config, "Env")) {
      bool present = false;
      for (const auto& e : env) present = present || env_key(e) == env_key(kv);
      if (!present) env.push_back(kv);
    }
    c->set("Env", to_json_array(env));
  }

  std::string hostname = json_string(c, "Hostname");
  if (hostname.empty()) {
    hostname = id.substr(0, 12);
    c->set("Hostname", hostname);
  }
  std::vector<std::string> env = json_strings(c, "Env");
  bool has_path = false, has_hostname = false;
  for (const auto& e : env) {
    has_path = has_path || env_key(e) == "PATH";
    has_hostname = has_hostname || env_key(e) == "HOSTNAME";
  }
  if (!has_path) env.insert(env.begin(), std::string("PATH=") + kDefaultPath);
  if (!has_hostname) env.push_back("HOSTNAME=" + hostname);
  c->set("Env", to_json_array(env));

  // Defaults for the v1.9 fields inspect shows, when the client left them out.
  for (const char* key : {"Domainname", "User", "WorkingDir", "VolumesFrom"})
    if (!c->has(key) || c->isNull(key)) c->set(key, std::string());
  for (const char* key : {"Memory", "MemorySwap", "CpuShares"})
    if (!c->has(key) || c->isNull(key)) c->set(key, 0);
  for (const char* key : {"AttachStdin", "AttachStdout", "AttachStderr", "Tty", "OpenStdin", "StdinOnce",
                          "NetworkDisabled"})
    if (!c->has(key) || c->isNull(key)) c->set(key, false);
  for (const char* key : {"Volumes", "ExposedPorts"})
    if (!c->has(key) || c->isNull(key)) c->set(key, Object::Ptr(new Object));

  // Entrypoint [""] clears the entrypoint (`docker run --entrypoint ""` sends it), as Docker's
  // mergeAndVerifyConfig does after the image merge; the image's Cmd is not inherited then.
  std::vector<std::string> argv = json_strings(c, "Entrypoint");
  if (argv.size() == 1 && argv[0].empty()) {
    c->set("Entrypoint", Poco::Dynamic::Var());
    argv.clear();
  }
  for (const auto& a : json_strings(c, "Cmd")) argv.push_back(a);
  if (argv.empty()) throw Error::internal("No command specified");
  // An empty program name (Cmd [""]) could only fail at start, with a misleading exec error.
  if (argv[0].empty()) throw Error::internal("No command specified (the program name is empty)");
  out.path = argv[0];
  out.args.assign(argv.begin() + 1, argv.end());

  if (!limits_enforced) {
    auto limit = [&](const char* key) {
      return json_int(c, key) > 0 || json_int(out.host_config, key) > 0;
    };
    if (limit("Memory"))
      out.warnings.push_back(
          "Your kernel does not support memory limit capabilities (no delegated cgroup v2 subtree for this "
          "user). Limitation discarded.");
    if (limit("MemorySwap") && json_int(c, "MemorySwap") != -1)
      out.warnings.push_back(
          "Your kernel does not support swap limit capabilities (no delegated cgroup v2 subtree for this "
          "user). Limitation discarded.");
    if (limit("CpuShares"))
      out.warnings.push_back(
          "Your kernel does not support CPU shares (no delegated cgroup v2 subtree for this user). Limitation "
          "discarded.");
  }
  out.config = c;
  return out;
}

Object::Ptr merge_start_host_config(const Object::Ptr& host_config, const Object::Ptr& start_body,
                                    std::vector<std::string>& warnings) {
  Object::Ptr hc = json_clone(host_config);
  if (!start_body) return hc;
  for (const auto& [k, v] : *start_body) {
    if (v.isEmpty()) continue;
    if (k == "LxcConf") {
      bool empty = (v.type() == typeid(Object::Ptr) && v.extract<Object::Ptr>()->size() == 0) ||
                   (v.type() == typeid(Array::Ptr) && v.extract<Array::Ptr>()->size() == 0);
      if (!empty) warnings.push_back("LxcConf is not supported by burrow and was ignored");
      continue;
    }
    hc->set(k, v);
  }
  return hc;
}

BindSpec parse_bind(const std::string& bind) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t colon = bind.find(':', start);
    parts.push_back(bind.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  BindSpec b;
  if (parts.size() == 3) {
    if (parts[2] == "ro")
      b.writable = false;
    else if (parts[2] != "rw")
      throw Error::bad_parameter("Invalid bind mount mode " + parts[2] + " in " + bind + " (want ro or rw)");
  } else if (parts.size() != 2) {
    throw Error::bad_parameter("Invalid bind specification: " + bind + " (want host:container[:ro|rw])");
  }
  b.host = parts[0];
  b.container = parts[1];
  if (b.host.empty() || b.host[0] != '/')
    throw Error::bad_parameter("Invalid bind specification: " + bind + " (the host path must be absolute)");
  if (b.container.empty() || b.container[0] != '/')
    throw Error::bad_parameter("Invalid bind specification: " + bind + " (the container path must be absolute)");
  return b;
}

VolumesFromSpec parse_volumes_from(const std::string& entry) {
  VolumesFromSpec v;
  auto colon = entry.find(':');
  v.container = entry.substr(0, colon);
  if (colon != std::string::npos) {
    std::string mode = entry.substr(colon + 1);
    if (mode == "ro")
      v.writable = false;
    else if (mode == "rw")
      v.writable = true;
    else
      throw Error::bad_parameter("Invalid mode for VolumesFrom " + entry + " (want ro or rw)");
  }
  if (v.container.empty()) throw Error::bad_parameter("Invalid VolumesFrom entry: " + entry);
  return v;
}

std::vector<std::string> volumes_from_entries(const Object::Ptr& config, const Object::Ptr& host_config) {
  std::vector<std::string> out;
  for (const auto& s : json_strings(config, "VolumesFrom")) {
    size_t start = 0;
    for (;;) {
      size_t comma = s.find(',', start);
      std::string item = s.substr(start, comma - start);
      if (!item.empty()) out.push_back(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  for (const auto& s : json_strings(host_config, "VolumesFrom")) out.push_back(s);
  return out;
}

std::vector<std::string> bind_entries(const Object::Ptr& host_config) { return json_strings(host_config, "Binds"); }

}  // namespace burrow::engine
