#include "userns/net/port_spec.h"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <optional>

#include "base/error.h"

namespace burrow::userns::net {

namespace {

// A decimal number in [lo, hi], or -1.
int parse_number(const std::string& s, int lo, int hi) {
  if (s.empty() || s.size() > 5) return -1;
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || v < lo || v > hi) return -1;
  return v;
}

std::optional<Proto> parse_proto(const std::string& s) {
  if (s == "tcp") return Proto::Tcp;
  if (s == "udp") return Proto::Udp;
  return std::nullopt;
}

}  // namespace

const char* proto_name(Proto p) { return p == Proto::Udp ? "udp" : "tcp"; }

PortKey parse_port_key(const std::string& text) {
  auto slash = text.find('/');
  std::string port = text.substr(0, slash);
  std::string proto = slash == std::string::npos ? "tcp" : text.substr(slash + 1);
  int n = parse_number(port, 1, 65535);
  auto p = parse_proto(proto);
  if (n < 0 || !p) throw Error::bad_parameter("Invalid port specification: " + text);
  return PortKey{n, *p};
}

std::string to_string(const PortKey& key) { return std::to_string(key.port) + "/" + proto_name(key.proto); }

bool is_ipv4_address(const std::string& ip) {
  in_addr a{};
  return ::inet_pton(AF_INET, ip.c_str(), &a) == 1;
}

ParsedPortSpecs parse_port_specs(const std::vector<std::string>& specs) {
  ParsedPortSpecs out;
  for (const auto& raw : specs) {
    std::string spec = raw, proto = "tcp";
    if (auto slash = spec.rfind('/'); slash != std::string::npos) {
      proto = spec.substr(slash + 1);
      spec = spec.substr(0, slash);
    }
    // ip:hostPort:containerPort, with the missing leading parts empty (Docker's template).
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t colon; (colon = spec.find(':', start)) != std::string::npos; start = colon + 1)
      parts.push_back(spec.substr(start, colon - start));
    parts.push_back(spec.substr(start));
    while (parts.size() < 3) parts.insert(parts.begin(), "");
    if (parts.size() > 3) throw Error::bad_parameter("Invalid port specification: " + raw);
    const std::string &ip = parts[0], &host_port = parts[1], &container_port = parts[2];
    if (container_port.empty()) throw Error::bad_parameter("No port specified: " + raw);
    int cport = parse_number(container_port, 1, 65535);
    if (cport < 0) throw Error::bad_parameter("Invalid containerPort: " + container_port);
    if (!host_port.empty() && parse_number(host_port, 0, 65535) < 0)
      throw Error::bad_parameter("Invalid hostPort: " + host_port);
    if (!ip.empty() && !is_ipv4_address(ip)) throw Error::bad_parameter("Invalid ip address: " + ip);
    auto p = parse_proto(proto);
    if (!p) throw Error::bad_parameter("Invalid proto: " + proto);
    PortKey key{cport, *p};
    if (std::find(out.exposed.begin(), out.exposed.end(), key) == out.exposed.end()) out.exposed.push_back(key);
    out.bindings.push_back({key, HostBinding{ip, host_port}});
  }
  return out;
}

std::vector<PortRequest> plan_port_requests(const std::vector<PortKey>& exposed,
                                            const std::vector<std::pair<PortKey, HostBinding>>& bindings,
                                            bool publish_all) {
  std::vector<PortRequest> out;
  for (const auto& [key, b] : bindings) {
    int host_port = 0;
    if (!b.host_port.empty()) {
      host_port = parse_number(b.host_port, 0, 65535);
      if (host_port < 0) throw Error::bad_parameter("Invalid hostPort: " + b.host_port);
    }
    if (!b.host_ip.empty() && !is_ipv4_address(b.host_ip))
      throw Error::bad_parameter("Invalid HostIp for " + to_string(key) + ": " + b.host_ip +
                                 " (burrow publishes IPv4 addresses only)");
    out.push_back({b.host_ip.empty() ? "0.0.0.0" : b.host_ip, host_port, key});
  }
  if (publish_all) {
    for (const auto& key : exposed) {
      bool bound = std::any_of(bindings.begin(), bindings.end(), [&](const auto& b) { return b.first == key; });
      if (!bound) out.push_back({"0.0.0.0", 0, key});
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const PortRequest& a, const PortRequest& b) { return a.container < b.container; });
  // The same fixed binding twice is one binding; random ones stay distinct requests.
  std::vector<PortRequest> unique;
  for (const auto& r : out) {
    bool dup = r.host_port != 0 && std::find(unique.begin(), unique.end(), r) != unique.end();
    if (!dup) unique.push_back(r);
  }
  return unique;
}

}  // namespace burrow::userns::net
