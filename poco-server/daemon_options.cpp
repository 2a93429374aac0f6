#include "poco-server/daemon_options.h"

#include <pwd.h>
#include <unistd.h>

#include <cctype>
#include <cstdlib>

#include "base/error.h"

namespace burrow::poco_server {

namespace {

constexpr std::size_t kMinSizeLimit = 1024;
constexpr std::size_t kMaxSizeLimit = std::size_t{1} << 40;
constexpr int kMaxConnections = 4096;

// "4194304", "4096k", "4m" (binary units): a size limit in bytes.
std::size_t parse_size(const std::string& option, const std::string& text) {
  std::size_t used = 0;
  unsigned long long n = 0;
  try {
    if (!text.empty() && std::isdigit(static_cast<unsigned char>(text[0]))) n = std::stoull(text, &used, 10);
  } catch (const std::exception&) {
    used = 0;
  }
  std::string unit = text.substr(used);
  int shift = unit.empty() ? 0 : unit == "k" || unit == "K" ? 10 : unit == "m" || unit == "M" ? 20
                                                               : unit == "g" || unit == "G" ? 30 : -1;
  if (used == 0 || shift < 0 || n > (kMaxSizeLimit >> shift) || (n << shift) < kMinSizeLimit) {
    throw Error::bad_parameter("option " + option + " takes a size from 1k to 1024g (bytes, or with k, m, g), not '" +
                               text + "'");
  }
  return static_cast<std::size_t>(n << shift);
}

int parse_count(const std::string& option, const std::string& text, int max) {
  std::size_t used = 0;
  long n = 0;
  try {
    n = std::stol(text, &used, 10);
  } catch (const std::exception&) {
    used = 0;
  }
  if (used == 0 || used != text.size() || n < 1 || n > max) {
    throw Error::bad_parameter("option " + option + " takes a number from 1 to " + std::to_string(max) + ", not '" +
                               text + "'");
  }
  return static_cast<int>(n);
}

}  // namespace

DaemonOptions DaemonOptions::parse(const std::vector<std::string>& args, const std::string& home) {
  DaemonOptions o;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    // --name=value or -H=value
    std::string name = arg, value;
    bool has_value = false;
    if (arg.rfind("--", 0) == 0 || arg.rfind("-H=", 0) == 0) {
      auto eq = arg.find('=');
      if (eq != std::string::npos) {
        name = arg.substr(0, eq);
        value = arg.substr(eq + 1);
        has_value = true;
      }
    }
    auto take_value = [&]() -> std::string {
      if (has_value) return value;
      if (i + 1 >= args.size()) throw Error::bad_parameter("option " + name + " needs a value");
      return args[++i];
    };
    if (name == "-H" || name == "--host") {
      o.hosts.push_back(take_value());
    } else if (name.size() > 2 && name.rfind("-H", 0) == 0 && name[2] != '=') {
      o.hosts.push_back(name.substr(2));  // -Hunix:///path
    } else if (name == "--root" || name == "-g" || name == "--graph") {
      o.root = take_value();
    } else if (name == "-D" || name == "--debug") {
      o.debug = true;
    } else if (name == "--api-enable-cors") {
      o.cors = true;
    } else if (name == "--allow-host-loopback") {
      o.allow_host_loopback = true;
    } else if (name == "--insecure-registry") {
      o.insecure_registries.push_back(take_value());  // registry: plain http allowed
    } else if (name == "--stop-containers-on-exit") {
      o.stop_containers_on_exit = true;
    } else if (name == "--max-json-body") {
      o.limits.max_json_body = parse_size(name, take_value());
    } else if (name == "--max-header-bytes") {
      o.limits.max_header_bytes = parse_size(name, take_value());
    } else if (name == "--max-connections") {
      o.max_connections = parse_count(name, take_value(), kMaxConnections);
    } else if (name == "-h" || name == "--help") {
      o.help = true;
    } else if (name == "-v" || name == "--version") {
      o.version = true;
    } else {
      throw Error::bad_parameter("unknown option '" + arg + "'");
    }
  }
  if (o.hosts.empty()) o.hosts.push_back("unix://" + home + "/.local/run/docker.sock");
  if (o.root.empty()) o.root = home + "/.local/share/burrow";
  return o;
}

std::string daemon_usage() {
  return "Usage: burrowd [OPTIONS]\n"
         "\n"
         "A rootless container engine for one user, serving the Docker Remote API v1.9.\n"
         "\n"
         "Options:\n"
         "  -H, --host ADDRESS     where to listen (repeatable): unix:///path, tcp://127.0.0.1:PORT,\n"
         "                         fd:// (sockets passed by systemd) or fd://N\n"
         "                         (default unix://$HOME/.local/run/docker.sock)\n"
         "  --root DIR             state directory (default $HOME/.local/share/burrow)\n"
         "  -D, --debug            debug logging\n"
         "  --api-enable-cors      answer with CORS headers (exposes the API to web pages)\n"
         "  --allow-host-loopback  let containers reach the host's 127.0.0.1 as 10.0.2.2 (slirp4netns)\n"
         "  --insecure-registry HOST[:PORT]  talk plain http to this registry (loopback always may)\n"
         "  --stop-containers-on-exit  on SIGTERM/SIGINT stop running containers (SIGTERM, SIGKILL after\n"
         "                         10 s) as Docker 0.8 did; by default they keep running for the next burrowd\n"
         "  --max-json-body SIZE   largest JSON request body (create, start, auth), else 400 (default 4m;\n"
         "                         SIZE in bytes or with k, m, g)\n"
         "  --max-header-bytes SIZE  largest request line plus headers, else 431 (default 1m; POCO also\n"
         "                         caps 100 fields, 8k per value, 16k for the URI)\n"
         "  --max-connections N    connections served at once, attach/events/logs streams included; as many\n"
         "                         more wait, further ones are closed (default 256)\n"
         "  -h, --help             print this help and exit\n"
         "  -v, --version          print the version and exit\n"
         "\n"
         "Clients: export DOCKER_HOST=unix://$HOME/.local/run/docker.sock\n";
}

std::string user_home() {
  if (const char* home = std::getenv("HOME"); home && *home) return home;
  if (struct passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_dir) return pw->pw_dir;
  throw Error::bad_parameter("cannot tell the home directory: HOME is unset and the user has no passwd entry; pass --root and -H");
}

}  // namespace burrow::poco_server
