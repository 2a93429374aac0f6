#pragma once
// What a container's network looks like from inside, as text: /etc/hosts (its own name and its
// links), /etc/resolv.conf (the Dns list, or the host's resolvers with loopback ones replaced
// by slirp4netns's DNS forwarder), and the environment variables Docker 0.8 set for a link.
// Pure functions; thread-safe.

#include <string>
#include <vector>

#include "userns/net/port_spec.h"

namespace burrow::userns::net {

struct HostsEntry {
  std::string ip;
  std::vector<std::string> names;
};

// Docker 0.8's hosts file: "<ip>\t<hostname>[.<domain> <hostname>]" first, then localhost and
// the IPv6 names, then one line per entry in `extra` (links). `ip` empty: 127.0.1.1.
std::string hosts_file(const std::string& ip, const std::string& hostname, const std::string& domainname,
                       const std::vector<HostsEntry>& extra);

// resolv.conf for a container. With `dns` non-empty, its entries replace every nameserver of
// `host_resolv_conf` (search and options lines stay). Otherwise the host's file is kept, with
// loopback nameservers (127.x, ::1) replaced by `slirp_dns` once, or dropped when `slirp_dns` is
// empty (a container without slirp4netns cannot reach the host's loopback); when no nameserver
// is left, `slirp_dns` is added.
std::string resolv_conf(const std::vector<std::string>& dns, const std::string& host_resolv_conf,
                        const std::string& slirp_dns);

// One link as the linking container sees it.
struct LinkInfo {
  std::string alias;                  // "db"
  std::string name;                   // Docker 0.8's link name: "/web/db"
  std::string ip;                     // where the linked container is reached from this one
  std::vector<PortKey> ports;         // the linked container's exposed ports
  std::vector<std::string> env;       // the linked container's Config.Env ("K=V")
};

// Docker 0.8's link variables: ALIAS_PORT (the lowest port, tcp first), ALIAS_PORT_80_TCP,
// _ADDR, _PORT, _PROTO per port, ALIAS_NAME, and ALIAS_ENV_K for the linked container's
// variables except HOME and PATH. ALIAS is the alias upper-cased with '-' and '.' as '_'.
std::vector<std::string> link_env(const LinkInfo& link);

// The address the forwarder serves link number `index` (0-based) on inside the linking
// container: 127.17.0.<index+2>, all in 127.0.0.0/8, which lo answers without configuration.
std::string link_address(size_t index);

}  // namespace burrow::userns::net
