#include "poco-server/container_json.h"

#include <algorithm>

#include "engine/container_network.h"
#include "engine/container_status.h"

namespace burrow::poco_server {

using Poco::JSON::Array;
using Poco::JSON::Object;
using namespace burrow::engine;

namespace {

Object::Ptr ordered() { return new Object(Poco::JSON_PRESERVE_KEY_ORDER); }

// "80/tcp" -> (80, "tcp")
std::pair<int, std::string> split_port(const std::string& spec) {
  auto slash = spec.find('/');
  std::string proto = slash == std::string::npos ? "tcp" : spec.substr(slash + 1);
  int port = 0;
  try {
    port = std::stoi(spec.substr(0, slash));
  } catch (const std::exception&) {
  }
  return {port, proto};
}

std::string state_status(const ContainerState& s) {
  if (s.running) return "running";
  if (s.started_at.empty() || s.started_at == kZeroTime) return "created";
  return "exited";
}

struct Port {
  std::string ip;  // "" when the port is not published
  int priv, pub;   // pub 0: not published
  std::string type;
};

// The "Ports" array of a container list item.
Array::Ptr ports_json(const std::vector<Port>& ports) {
  Array::Ptr out = new Array;
  for (const auto& p : ports) {
    Object::Ptr o = ordered();
    if (!p.ip.empty()) o->set("IP", p.ip);
    o->set("PrivatePort", p.priv);
    if (p.pub) o->set("PublicPort", p.pub);
    o->set("Type", p.type);
    out->add(o);
  }
  return out;
}

}  // namespace

Array::Ptr container_ports(const Container& c) {
  std::vector<Port> ports;
  // A running container shows the host ports burrow-net actually serves (network helper's
  // record: random ones resolved); every other exposed port is listed without a public side.
  if (auto rec = network_record(c)) {
    std::vector<std::string> exposed;
    if (auto e = json_object(c.config, "ExposedPorts"))
      for (const auto& [k, v] : *e) exposed.push_back(k);
    for (const auto& p : rec->ports) {
      std::string key = std::to_string(p.container.port) + "/" + userns::net::proto_name(p.container.proto);
      ports.push_back({p.host_ip, p.container.port, p.host_port, userns::net::proto_name(p.container.proto)});
      exposed.erase(std::remove(exposed.begin(), exposed.end(), key), exposed.end());
    }
    for (const auto& spec : exposed) {
      auto [priv, proto] = split_port(spec);
      ports.push_back({"", priv, 0, proto});
    }
    return ports_json(ports);
  }
  Object::Ptr bindings = json_object(c.host_config, "PortBindings");
  std::vector<std::string> specs;
  if (auto exposed = json_object(c.config, "ExposedPorts"))
    for (const auto& [k, v] : *exposed) specs.push_back(k);
  if (bindings)
    for (const auto& [k, v] : *bindings)
      if (std::find(specs.begin(), specs.end(), k) == specs.end()) specs.push_back(k);
  for (const auto& spec : specs) {
    auto [priv, proto] = split_port(spec);
    bool bound = false;
    if (bindings && bindings->has(spec) && !bindings->isNull(spec)) {
      if (auto list = bindings->getArray(spec)) {
        for (size_t i = 0; i < list->size(); ++i) {
          auto b = list->getObject(static_cast<unsigned>(i));
          std::string hp = json_string(b, "HostPort");
          if (hp.empty()) continue;
          std::string ip = json_string(b, "HostIp");
          ports.push_back({ip.empty() ? "0.0.0.0" : ip, priv, std::atoi(hp.c_str()), proto});
          bound = true;
        }
      }
    }
    if (!bound) ports.push_back({"", priv, 0, proto});
  }
  return ports_json(ports);
}

Object::Ptr container_list_item(const Container& c, ApiVersion, TimePoint now, const ContainerSizes* sizes) {
  Object::Ptr o = ordered();
  o->set("Id", c.id);
  Array::Ptr names = new Array;
  names->add(c.name);
  o->set("Names", names);
  o->set("Image", c.image_name());
  o->set("Command", c.command_line());
  o->set("Created", unix_seconds(c.created));
  o->set("Status", status_string(c.state, now));
  o->set("State", state_status(c.state));
  o->set("Ports", container_ports(c));
  if (sizes) {
    o->set("SizeRw", sizes->rw);
    o->set("SizeRootFs", sizes->root_fs);
  }
  return o;
}

Object::Ptr container_inspect(const Container& c, ApiVersion) {
  Object::Ptr o = ordered();
  o->set("Id", c.id);
  o->set("Created", c.created);
  o->set("Path", c.path);
  o->set("Args", to_json_array(c.args));
  o->set("Config", c.config ? c.config : Object::Ptr(new Object));
  Object::Ptr st = ordered();
  st->set("Status", state_status(c.state));
  st->set("Running", c.state.running);
  st->set("Paused", false);
  st->set("Restarting", false);
  st->set("OOMKilled", false);
  st->set("Dead", false);
  st->set("Pid", static_cast<int>(c.state.pid));
  st->set("ExitCode", c.state.exit_code);
  st->set("Error", std::string());
  st->set("StartedAt", c.state.started_at.empty() ? std::string(kZeroTime) : c.state.started_at);
  st->set("FinishedAt", c.state.finished_at.empty() ? std::string(kZeroTime) : c.state.finished_at);
  st->set("Ghost", c.state.ghost);
  st->set("Error", c.state.error);  // as later Docker versions: why it ended abnormally
  o->set("State", st);
  o->set("Image", c.image_id);
  Object::Ptr net = ordered();
  auto rec = network_record(c);  // slirp4netns's tap0 address while running (helper "network")
  net->set("IPAddress", rec ? rec->ip_address() : std::string());
  net->set("IPPrefixLen", rec ? rec->prefix_len() : 0);
  net->set("Gateway", rec ? rec->gateway() : std::string());
  net->set("Bridge", rec ? rec->bridge() : std::string());
  net->set("PortMapping", Poco::Dynamic::Var());
  Object::Ptr ports = ordered();
  Array::Ptr port_list = container_ports(c);
  for (const auto& p : *port_list) {
    auto po = p.extract<Object::Ptr>();
    std::string key = std::to_string(json_int(po, "PrivatePort")) + "/" + json_string(po, "Type");
    if (!po->has("PublicPort")) {
      if (!ports->has(key)) ports->set(key, Poco::Dynamic::Var());
      continue;
    }
    Array::Ptr list = ports->has(key) && !ports->isNull(key) ? ports->getArray(key) : Array::Ptr(new Array);
    Object::Ptr b = ordered();
    b->set("HostIp", json_string(po, "IP"));
    b->set("HostPort", std::to_string(json_int(po, "PublicPort")));
    list->add(b);
    ports->set(key, list);
  }
  net->set("Ports", ports);
  o->set("NetworkSettings", net);
  o->set("SysInitPath", std::string());
  o->set("ResolvConfPath", c.resolv_conf_path);
  o->set("HostnamePath", c.hostname_path);
  o->set("HostsPath", c.hosts_path);
  o->set("Name", c.name);
  o->set("Driver", std::string("burrow-overlay"));
  o->set("ExecDriver", std::string("burrow-shim"));
  Object::Ptr vols = ordered();
  for (const auto& [k, v] : c.volumes) vols->set(k, v);
  o->set("Volumes", vols);
  Object::Ptr rw = ordered();
  for (const auto& [k, v] : c.volumes_rw) rw->set(k, v);
  o->set("VolumesRW", rw);
  Object::Ptr hc = json_clone(c.host_config);
  if (!hc->has("Binds")) hc->set("Binds", Poco::Dynamic::Var());
  if (!hc->has("ContainerIDFile")) hc->set("ContainerIDFile", std::string());
  if (!hc->has("LxcConf") || !hc->get("LxcConf").isArray()) hc->set("LxcConf", Array::Ptr(new Array));
  if (!hc->has("Privileged")) hc->set("Privileged", false);
  if (!hc->has("PortBindings")) hc->set("PortBindings", Object::Ptr(new Object));
  if (!hc->has("Links")) hc->set("Links", Poco::Dynamic::Var());
  if (!hc->has("PublishAllPorts")) hc->set("PublishAllPorts", false);
  o->set("HostConfig", hc);
  return o;
}

Object::Ptr container_top_json(const TopResult& top) {
  Object::Ptr o = ordered();
  o->set("Titles", to_json_array(top.titles));
  Array::Ptr rows = new Array;
  for (const auto& r : top.processes) rows->add(to_json_array(r));
  o->set("Processes", rows);
  return o;
}

Array::Ptr container_changes_json(const std::vector<ContainerChange>& changes) {
  Array::Ptr out = new Array;
  for (const auto& ch : changes) {
    Object::Ptr o = ordered();
    o->set("Path", ch.path);
    o->set("Kind", ch.kind);
    out->add(o);
  }
  return out;
}

}  // namespace burrow::poco_server
