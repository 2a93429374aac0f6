#include "userns/net/net_files.h"

#include <algorithm>
#include <cctype>
#include <sstream>

#include "base/error.h"

namespace burrow::userns::net {

namespace {

bool is_loopback_nameserver(const std::string& addr) {
  return addr.rfind("127.", 0) == 0 || addr == "::1" || addr == "0:0:0:0:0:0:0:1";
}

std::string env_alias(const std::string& alias) {
  std::string out;
  for (char c : alias) out += (c == '-' || c == '.') ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string hosts_file(const std::string& ip, const std::string& hostname, const std::string& domainname,
                       const std::vector<HostsEntry>& extra) {
  std::ostringstream out;
  std::string own = ip.empty() ? "127.0.1.1" : ip;
  if (!hostname.empty()) {
    if (!domainname.empty())
      out << own << "\t" << hostname << "." << domainname << " " << hostname << "\n";
    else
      out << own << "\t" << hostname << "\n";
  }
  out << "127.0.0.1\tlocalhost\n"
         "::1\t\tlocalhost ip6-localhost ip6-loopback\n"
         "fe00::0\t\tip6-localnet\n"
         "ff00::0\t\tip6-mcastprefix\n"
         "ff02::1\t\tip6-allnodes\n"
         "ff02::2\t\tip6-allrouters\n";
  for (const auto& e : extra) {
    out << e.ip << "\t";
    for (size_t i = 0; i < e.names.size(); ++i) out << (i ? " " : "") << e.names[i];
    out << "\n";
  }
  return out.str();
}

std::string resolv_conf(const std::vector<std::string>& dns, const std::string& host_resolv_conf,
                        const std::string& slirp_dns) {
  std::ostringstream out;
  std::istringstream in(host_resolv_conf);
  bool slirp_added = false;
  int nameservers = 0;
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string keyword, addr;
    words >> keyword >> addr;
    if (keyword != "nameserver") {
      out << line << "\n";
      continue;
    }
    if (!dns.empty()) continue;  // replaced below
    if (is_loopback_nameserver(addr)) {
      if (!slirp_dns.empty() && !slirp_added) {
        out << "nameserver " << slirp_dns << "\n";
        slirp_added = true;
        ++nameservers;
      }
      continue;
    }
    out << line << "\n";
    ++nameservers;
  }
  for (const auto& d : dns) {
    out << "nameserver " << d << "\n";
    ++nameservers;
  }
  if (nameservers == 0 && !slirp_dns.empty()) out << "nameserver " << slirp_dns << "\n";
  return out.str();
}

std::vector<std::string> link_env(const LinkInfo& link) {
  std::vector<std::string> env;
  std::string alias = env_alias(link.alias);
  std::vector<PortKey> ports = link.ports;
  // The default port: the lowest number, tcp before udp on a tie (Docker 0.8 getDefaultPort).
  std::sort(ports.begin(), ports.end(), [](const PortKey& a, const PortKey& b) {
    if (a.port != b.port) return a.port < b.port;
    return a.proto == Proto::Tcp && b.proto != Proto::Tcp;
  });
  if (!ports.empty())
    env.push_back(alias + "_PORT=" + proto_name(ports[0].proto) + "://" + link.ip + ":" + std::to_string(ports[0].port));
  for (const auto& p : link.ports) {
    std::string proto = proto_name(p.proto);
    std::string upper = p.proto == Proto::Udp ? "UDP" : "TCP";
    std::string prefix = alias + "_PORT_" + std::to_string(p.port) + "_" + upper;
    env.push_back(prefix + "=" + proto + "://" + link.ip + ":" + std::to_string(p.port));
    env.push_back(prefix + "_ADDR=" + link.ip);
    env.push_back(prefix + "_PORT=" + std::to_string(p.port));
    env.push_back(prefix + "_PROTO=" + proto);
  }
  env.push_back(alias + "_NAME=" + link.name);
  for (const auto& kv : link.env) {
    auto eq = kv.find('=');
    if (eq == std::string::npos) continue;
    std::string key = kv.substr(0, eq);
    if (key == "HOME" || key == "PATH") continue;
    env.push_back(alias + "_ENV_" + key + "=" + kv.substr(eq + 1));
  }
  return env;
}

std::string link_address(size_t index) {
  if (index > 252) throw Error::bad_parameter("too many links (at most 253)");
  return "127.17.0." + std::to_string(index + 2);
}

}  // namespace burrow::userns::net
