#pragma once
// A container's network as the engine sees it: the glue between Docker's Config/HostConfig
// fields (ExposedPorts, PortSpecs, PortBindings, PublishAllPorts, Links, Dns, NetworkDisabled)
// and userns/net (host port binding, burrow-net, hosts/resolv.conf, link variables). Written by
// helper "network"; ContainerManager calls it at create, start, exit and adoption, and the JSON
// shaping reads network_record() for NetworkSettings and Ports. Pure functions except where a
// file is written or read; thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "engine/container.h"
#include "userns/net/container_network.h"
#include "userns/net/net_files.h"

namespace burrow::engine {

class ContainerStore;

struct NetworkPlan {
  std::vector<userns::net::PortRequest> ports;     // host ports to bind at start
  std::vector<userns::net::LinkTarget> links;      // forwarded into this container
  std::vector<std::string> env;                    // Docker 0.8 link variables
  std::vector<userns::net::HostsEntry> hosts;      // /etc/hosts lines for the links
  bool outbound = true;                            // false with Config.NetworkDisabled
};

// create: Config.PortSpecs become ExposedPorts and HostConfig.PortBindings, as Docker 0.8's
// migratePortMappings did; PortSpecs is then cleared. BadParameter for a bad spec.
void migrate_port_specs(Container& c);

// start: the ports to publish and the links, from c's Config and HostConfig. Links are
// "name:alias" of running containers (NotFound for an unknown one, Conflict when it is not
// running); BadParameter for bad ports or links.
NetworkPlan plan_network(const Container& c, const ContainerStore& store);

// start: rewrites c.hosts_path and c.resolv_conf_path for the container's network (its own
// address, the links, Dns or the host's resolvers with slirp4netns's DNS for loopback ones).
void write_network_files(const Container& c, const NetworkPlan& plan, bool outbound_available);

// The network of a started container (its bound ports, slirp4netns address); nullopt when it
// is not running (or never was).
std::optional<userns::net::NetworkRecord> network_record(const Container& c);

// The container's bundle directory (where the network record lives).
std::string network_bundle_dir(const Container& c);

}  // namespace burrow::engine
