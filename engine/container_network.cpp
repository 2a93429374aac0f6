#include "engine/container_network.h"

#include <algorithm>

#include "base/error.h"
#include "base/sys.h"
#include "engine/container_store.h"
#include "userns/net/port_spec.h"
#include "userns/net/slirp.h"

namespace burrow::engine {

namespace net = burrow::userns::net;
using Poco::JSON::Array;
using Poco::JSON::Object;

namespace {

// Keys of ExposedPorts plus those of PortBindings (a bound port is exposed too).
std::vector<net::PortKey> exposed_ports(const Container& c) {
  std::vector<net::PortKey> out;
  auto add = [&](const std::string& key) {
    net::PortKey k = net::parse_port_key(key);
    if (std::find(out.begin(), out.end(), k) == out.end()) out.push_back(k);
  };
  if (auto e = json_object(c.config, "ExposedPorts"))
    for (const auto& [k, v] : *e) add(k);
  if (auto b = json_object(c.host_config, "PortBindings"))
    for (const auto& [k, v] : *b) add(k);
  return out;
}

std::vector<std::pair<net::PortKey, net::HostBinding>> port_bindings(const Container& c) {
  std::vector<std::pair<net::PortKey, net::HostBinding>> out;
  auto bindings = json_object(c.host_config, "PortBindings");
  if (!bindings) return out;
  for (const auto& [key, value] : *bindings) {
    net::PortKey k = net::parse_port_key(key);
    if (value.isEmpty() || value.type() != typeid(Array::Ptr)) {
      out.push_back({k, {}});  // {"80/tcp": null}: a random port
      continue;
    }
    auto list = value.extract<Array::Ptr>();
    for (size_t i = 0; i < list->size(); ++i) {
      auto b = list->getObject(static_cast<unsigned>(i));
      out.push_back({k, {json_string(b, "HostIp"), json_string(b, "HostPort")}});
    }
  }
  return out;
}

}  // namespace

std::string network_bundle_dir(const Container& c) { return sys::dirname(c.hosts_path); }

void migrate_port_specs(Container& c) {
  std::vector<std::string> specs = json_strings(c.config, "PortSpecs");
  if (specs.empty()) return;
  net::ParsedPortSpecs parsed = net::parse_port_specs(specs);
  c.config = json_clone(c.config);
  Object::Ptr exposed = json_clone(json_object(c.config, "ExposedPorts"));
  for (const auto& k : parsed.exposed)
    if (!exposed->has(net::to_string(k))) exposed->set(net::to_string(k), Object::Ptr(new Object));
  c.config->set("ExposedPorts", exposed);
  c.config->set("PortSpecs", Poco::Dynamic::Var());
  c.host_config = c.host_config ? json_clone(c.host_config) : Object::Ptr(new Object);
  Object::Ptr bindings = json_clone(json_object(c.host_config, "PortBindings"));
  for (const auto& [k, b] : parsed.bindings) {
    std::string key = net::to_string(k);
    Array::Ptr list = bindings->has(key) && bindings->get(key).type() == typeid(Array::Ptr) ? bindings->getArray(key)
                                                                                           : Array::Ptr(new Array);
    Object::Ptr o = new Object;
    o->set("HostIp", b.host_ip);
    o->set("HostPort", b.host_port);
    list->add(o);
    bindings->set(key, list);
  }
  c.host_config->set("PortBindings", bindings);
}

NetworkPlan plan_network(const Container& c, const ContainerStore& store) {
  NetworkPlan plan;
  plan.outbound = !json_bool(c.config, "NetworkDisabled");
  plan.ports = net::plan_port_requests(exposed_ports(c), port_bindings(c), json_bool(c.host_config, "PublishAllPorts"));
  std::vector<std::string> links = json_strings(c.host_config, "Links");
  for (size_t i = 0; i < links.size(); ++i) {
    const std::string& spec = links[i];
    auto colon = spec.find(':');
    std::string name = spec.substr(0, colon);
    std::string alias = colon == std::string::npos ? name : spec.substr(colon + 1);
    if (!name.empty() && name[0] == '/') name.erase(0, 1);
    if (name.empty() || alias.empty() || alias.find('/') != std::string::npos)
      throw Error::bad_parameter("Invalid link: " + spec + " (want name:alias)");
    auto target = store.find(name);
    if (!target) throw Error::not_found("Could not get container for " + name);
    if (!target->state.running || target->state.pid <= 0)
      throw Error::conflict("Cannot link to a non running container: " + target->name + " AS " + c.name + "/" + alias);
    net::LinkInfo info;
    info.alias = alias;
    info.name = c.name + "/" + alias;
    info.ip = net::link_address(i);
    info.ports = exposed_ports(*target);
    info.env = json_strings(target->config, "Env");
    for (auto& e : net::link_env(info)) plan.env.push_back(std::move(e));
    std::vector<std::string> names{alias};
    if (target->bare_name() != alias) names.push_back(target->bare_name());
    plan.hosts.push_back({info.ip, names});
    plan.links.push_back({info.ip, target->state.pid, info.ports});
  }
  return plan;
}

void write_network_files(const Container& c, const NetworkPlan& plan, bool outbound_available) {
  bool slirp = plan.outbound && outbound_available;
  std::string ip = slirp ? net::kSlirpAddress : "";
  sys::write_file_atomic(c.hosts_path,
                         net::hosts_file(ip, json_string(c.config, "Hostname"), json_string(c.config, "Domainname"),
                                         plan.hosts),
                         0644);
  std::vector<std::string> dns = json_strings(c.config, "Dns");
  for (const auto& d : json_strings(c.host_config, "Dns")) dns.push_back(d);
  std::string host_resolv = sys::try_read_file("/etc/resolv.conf").value_or("");
  sys::write_file_atomic(c.resolv_conf_path, net::resolv_conf(dns, host_resolv, slirp ? net::kSlirpDns : ""), 0644);
}

std::optional<net::NetworkRecord> network_record(const Container& c) {
  if (!c.state.running || c.hosts_path.empty()) return std::nullopt;
  return net::ContainerNetwork::load(network_bundle_dir(c));
}

}  // namespace burrow::engine
