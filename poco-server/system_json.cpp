#include "poco-server/system_json.h"

#include <Poco/JSON/Array.h>

namespace burrow::poco_server {

namespace {

Poco::JSON::Array::Ptr pair(const std::string& a, const std::string& b) {
  Poco::JSON::Array::Ptr p = new Poco::JSON::Array;
  p->add(a);
  p->add(b);
  return p;
}

}  // namespace

Poco::JSON::Object::Ptr version_json(const engine::BuildInfo& build, const engine::SystemInfo& system, ApiVersion) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("Version", build.version);
  o->set("GitCommit", build.git_commit);
  o->set("GoVersion", build.compiler);
  o->set("ApiVersion", kServedApiVersion.to_string());
  o->set("MinAPIVersion", kServedApiVersion.to_string());
  o->set("Os", "linux");
  o->set("Arch", system.arch);
  o->set("KernelVersion", system.kernel_version);
  return o;
}

Poco::JSON::Object::Ptr info_json(const InfoFacts& f, ApiVersion) {
  const engine::SystemInfo& s = f.system;
  const bool single_id = s.uid_map.single_id();
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  // The v1.9 spec's fields.
  o->set("Containers", static_cast<Poco::UInt64>(f.containers));
  o->set("Images", static_cast<Poco::UInt64>(f.images));
  o->set("Debug", f.debug);
  o->set("NFd", s.open_fds);
  o->set("NGoroutines", s.threads);
  o->set("MemoryLimit", s.memory_limit);
  o->set("SwapLimit", s.swap_limit);
  o->set("IPv4Forwarding", s.ipv4_forwarding);
  // What Docker 0.8 added beyond the spec example.
  o->set("Driver", "burrow-overlay");
  Poco::JSON::Array::Ptr status = new Poco::JSON::Array;
  status->add(pair("Root Dir", f.root));
  status->add(pair("Id Mapping", s.uid_map.to_text()));
  status->add(pair("Single-Id Mapping", single_id ? "true" : "false"));
  o->set("DriverStatus", status);
  o->set("ExecutionDriver", "burrow-shim");
  o->set("KernelVersion", s.kernel_version);
  o->set("NEventsListener", static_cast<Poco::UInt64>(f.event_listeners));
  o->set("IndexServerAddress", "https://index.docker.io/v1/");
  o->set("InitPath", f.init_path);
  o->set("InitSha1", "");
  // The id mapping in use (uid and gid maps of the engine's user namespace).
  Poco::JSON::Object::Ptr mapping = new Poco::JSON::Object;
  mapping->set("UidMap", s.uid_map.to_text());
  mapping->set("GidMap", s.gid_map.to_text());
  mapping->set("SingleId", single_id);
  o->set("IdMapping", mapping);
  // Fields a modern docker CLI prints.
  o->set("ContainersRunning", static_cast<Poco::UInt64>(f.containers_running));
  o->set("ContainersPaused", 0);
  o->set("ContainersStopped", static_cast<Poco::UInt64>(f.containers - f.containers_running));
  o->set("ServerVersion", f.version);
  o->set("Name", s.hostname);
  o->set("OperatingSystem", s.operating_system);
  o->set("OSType", "linux");
  o->set("Architecture", s.machine);
  o->set("NCPU", s.ncpu);
  o->set("MemTotal", static_cast<Poco::Int64>(s.mem_total));
  o->set("DockerRootDir", f.root);
  o->set("CgroupVersion", s.cgroup_version);
  o->set("CgroupDriver", s.memory_limit ? "cgroupfs" : "none");
  Poco::JSON::Array::Ptr security = new Poco::JSON::Array;
  security->add("name=rootless");
  security->add("name=userns");
  o->set("SecurityOptions", security);
  Poco::JSON::Object::Ptr swarm = new Poco::JSON::Object;
  swarm->set("LocalNodeState", "inactive");
  o->set("Swarm", swarm);
  Poco::JSON::Array::Ptr warnings = new Poco::JSON::Array;
  for (const auto& w : f.warnings) warnings->add(w);
  Poco::JSON::Array::Ptr errors = new Poco::JSON::Array;
  for (const auto& e : f.container_errors) {
    Poco::JSON::Object::Ptr entry = new Poco::JSON::Object;
    entry->set("Id", e.id);
    entry->set("Name", e.name);
    entry->set("Error", e.error);
    errors->add(entry);
    warnings->add("WARNING: container " + e.id.substr(0, 12) + " (" + e.name + "): " + e.error);
  }
  o->set("ContainerErrors", errors);
  o->set("Warnings", warnings);
  return o;
}

Poco::JSON::Object::Ptr event_json(const engine::Event& e, ApiVersion) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("status", e.status);
  o->set("id", e.id);
  if (!e.from.empty()) o->set("from", e.from);
  o->set("time", static_cast<Poco::Int64>(e.time()));
  o->set("timeNano", static_cast<Poco::Int64>(e.time_nano));
  o->set("Type", e.type);
  o->set("Action", e.status);
  Poco::JSON::Object::Ptr actor = new Poco::JSON::Object;
  actor->set("ID", e.id);
  Poco::JSON::Object::Ptr attributes = new Poco::JSON::Object;
  for (const auto& [k, v] : e.attributes) attributes->set(k, v);
  actor->set("Attributes", attributes);
  o->set("Actor", actor);
  o->set("scope", "local");
  return o;
}

}  // namespace burrow::poco_server
