#include "userns/net/helper_config.h"

#include "base/error.h"

namespace burrow::userns::net {

namespace {

int to_int(const std::string& s, const std::string& what) {
  size_t used = 0;
  int v = -1;
  try {
    v = std::stoi(s, &used);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used != s.size() || v < 0) throw Error::bad_parameter("burrow-net: bad " + what + ": " + s);
  return v;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t p; (p = s.find(sep, start)) != std::string::npos; start = p + 1) out.push_back(s.substr(start, p - start));
  out.push_back(s.substr(start));
  return out;
}

}  // namespace

std::vector<std::string> HelperConfig::to_argv(const std::string& program) const {
  std::vector<std::string> a{program, "--pid", std::to_string(pid)};
  if (ready_fd >= 0) a.insert(a.end(), {"--ready-fd", std::to_string(ready_fd)});
  if (!slirp_program.empty()) a.insert(a.end(), {"--slirp", slirp_program, "--mtu", std::to_string(mtu)});
  if (allow_host_loopback) a.push_back("--allow-host-loopback");
  if (!api_socket.empty()) a.insert(a.end(), {"--api-socket", api_socket});
  if (debug) a.push_back("--debug");
  if (foreground) a.push_back("--foreground");
  for (const auto& b : bind)
    a.insert(a.end(), {"--bind", b.host_ip + ":" + std::to_string(b.host_port) + "," + to_string(b.container)});
  for (const auto& p : publish) a.insert(a.end(), {"--publish", std::to_string(p.fd) + "," + to_string(p.container)});
  for (const auto& l : links)
    a.insert(a.end(), {"--link", l.address + "," + to_string(l.port) + "," + std::to_string(l.pid)});
  return a;
}

HelperConfig HelperConfig::parse(const std::vector<std::string>& args) {
  HelperConfig c;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw Error::bad_parameter("burrow-net: " + a + " needs a value");
      return args[++i];
    };
    if (a == "--pid") {
      c.pid = to_int(value(), "pid");
    } else if (a == "--ready-fd") {
      c.ready_fd = to_int(value(), "descriptor");
    } else if (a == "--slirp") {
      c.slirp_program = value();
    } else if (a == "--mtu") {
      c.mtu = to_int(value(), "mtu");
    } else if (a == "--allow-host-loopback") {
      c.allow_host_loopback = true;
    } else if (a == "--api-socket") {
      c.api_socket = value();
    } else if (a == "--debug") {
      c.debug = true;
    } else if (a == "--foreground") {
      c.foreground = true;
    } else if (a == "--bind") {
      auto parts = split(value(), ',');
      auto colon = parts[0].rfind(':');
      if (parts.size() != 2 || colon == std::string::npos || !is_ipv4_address(parts[0].substr(0, colon)))
        throw Error::bad_parameter("burrow-net: --bind wants IP:HOSTPORT,PORT/PROTO: " + args[i]);
      c.bind.push_back({parts[0].substr(0, colon), to_int(parts[0].substr(colon + 1), "host port"), parse_port_key(parts[1])});
    } else if (a == "--publish") {
      auto parts = split(value(), ',');
      if (parts.size() != 2) throw Error::bad_parameter("burrow-net: --publish wants FD,PORT/PROTO: " + args[i]);
      c.publish.push_back({to_int(parts[0], "descriptor"), parse_port_key(parts[1])});
    } else if (a == "--link") {
      auto parts = split(value(), ',');
      if (parts.size() != 3 || !is_ipv4_address(parts[0]))
        throw Error::bad_parameter("burrow-net: --link wants ADDRESS,PORT/PROTO,PID: " + args[i]);
      c.links.push_back({parts[0], parse_port_key(parts[1]), to_int(parts[2], "pid")});
    } else {
      throw Error::bad_parameter("burrow-net: unknown argument " + a);
    }
  }
  if (c.pid <= 0) throw Error::bad_parameter("burrow-net: --pid is required");
  return c;
}

}  // namespace burrow::userns::net
