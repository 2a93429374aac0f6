#pragma once
// Port specifications as Docker 0.8 takes them: "80/tcp" keys of ExposedPorts and
// PortBindings, the PortSpecs strings of create ("[ip:][hostPort:]containerPort[/proto]"), and
// the list of host ports a container asks to publish (PortRequest) worked out from ExposedPorts,
// PortBindings and PublishAllPorts. Plain values and pure functions; thread-safe.

#include <string>
#include <vector>

namespace burrow::userns::net {

enum class Proto { Tcp, Udp };

// "tcp" / "udp".
const char* proto_name(Proto p);

// A container port: 80/tcp.
struct PortKey {
  int port = 0;
  Proto proto = Proto::Tcp;
  auto operator<=>(const PortKey&) const = default;
};

// "80/tcp"; "80" means tcp. Throws Error(BadParameter) "Invalid port specification: x" for a
// port outside 1-65535 or an unknown protocol.
PortKey parse_port_key(const std::string& text);
// "80/tcp".
std::string to_string(const PortKey& key);

// One host port to publish for a container port. host_port 0 asks for a free port from
// Docker 0.8's range 49153-65535; host_ip "" means 0.0.0.0, as Docker did.
struct PortRequest {
  std::string host_ip;
  int host_port = 0;
  PortKey container;
  auto operator<=>(const PortRequest&) const = default;
};

// The bindings of one container port as PortBindings carries them: {"HostIp","HostPort"}.
struct HostBinding {
  std::string host_ip;
  std::string host_port;  // "" or a number, as the client sent it
};

// Result of parsing create's PortSpecs (Docker 0.8 nat.ParsePortSpecs).
struct ParsedPortSpecs {
  std::vector<PortKey> exposed;                                 // every container port named
  std::vector<std::pair<PortKey, HostBinding>> bindings;        // those with a host part
};

// Parses "[ip:][hostPort:]containerPort[/proto]" entries: "8080", "80:8080", "127.0.0.1:80:8080",
// "127.0.0.1::8080/udp". Throws Error(BadParameter) naming the bad entry.
ParsedPortSpecs parse_port_specs(const std::vector<std::string>& specs);

// The host ports to publish: every binding in `bindings` (an empty HostPort asks for a random
// port), plus, with `publish_all`, one random 0.0.0.0 port for each exposed port that has no
// binding. Sorted by container port; duplicates removed. Throws Error(BadParameter) for a
// HostPort that is not a port number or a HostIp that is not an IPv4 address.
std::vector<PortRequest> plan_port_requests(const std::vector<PortKey>& exposed,
                                            const std::vector<std::pair<PortKey, HostBinding>>& bindings,
                                            bool publish_all);

// True when `ip` is a dotted IPv4 address.
bool is_ipv4_address(const std::string& ip);

}  // namespace burrow::userns::net
