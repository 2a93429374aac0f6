#pragma once
// EngineOptions: everything the Engine is constructed from. Collaborators come in here (the
// Logger, the state root), never through globals. The Logger must outlive the Engine.

#include <cstddef>
#include <string>
#include <vector>

#include "base/logger.h"

namespace burrow::engine {

struct EngineOptions {
  std::string root;                       // state directory (~/.local/share/burrow), made 0700
  Logger& logger;                         // not owned
  bool debug = false;                     // -D: debug logging, reported as Debug in /info
  std::string program_dir = {};           // where burrow-shim and burrow-overlay live
  std::size_t event_history = 1024;       // events kept in <root>/events.jsonl for since=
  std::vector<std::string> warnings = {};  // announced fallbacks (single-id mapping) for /info
  bool allow_host_loopback = false;       // --allow-host-loopback: 10.0.2.2 reaches host 127.0.0.1
  std::vector<std::string> insecure_registries = {};  // --insecure-registry: plain-http registries (image/registry)
};

}  // namespace burrow::engine
