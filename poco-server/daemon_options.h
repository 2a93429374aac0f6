#pragma once
// DaemonOptions: burrowd's command line (-H, --root, -D, --api-enable-cors, --stop-containers-on-exit,
// --max-json-body, --max-header-bytes, --max-connections, --help, --version)
// and the defaults that depend on the user: ~/.local/run/docker.sock and ~/.local/share/burrow.
// Plain values; parsing has no side effects.

#include <string>
#include <vector>

#include "poco-server/request_limits.h"

namespace burrow::poco_server {

struct DaemonOptions {
  std::vector<std::string> hosts;  // -H values in order; default unix://$HOME/.local/run/docker.sock
  std::string root;                // --root; default $HOME/.local/share/burrow
  bool debug = false;              // -D
  bool cors = false;               // --api-enable-cors
  bool allow_host_loopback = false;  // --allow-host-loopback (containers reach 127.0.0.1 as 10.0.2.2)
  std::vector<std::string> insecure_registries;  // --insecure-registry host[:port] (repeatable; registry)
  bool stop_containers_on_exit = false;  // --stop-containers-on-exit: stop running containers on SIGTERM
  RequestLimits limits;            // --max-json-body BYTES, --max-header-bytes BYTES
  int max_connections = 256;       // --max-connections N: connections served at once (streams too)
  bool help = false;               // --help
  bool version = false;            // --version

  // Parses argv. Throws Error(BadParameter) for an unknown option, a missing value or a limit out
  // of range (sizes: an integer, optionally with k, m or g for KiB, MiB, GiB; at least 1k).
  // Defaults are filled in from `home` (the user's home directory) when the options leave them empty.
  static DaemonOptions parse(const std::vector<std::string>& args, const std::string& home);
};

// The --help text.
std::string daemon_usage();

// $HOME, or the passwd entry's home directory when HOME is unset.
std::string user_home();

}  // namespace burrow::poco_server
