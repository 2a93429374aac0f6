#pragma once
// JSON shapes of the system endpoints (/version, /info, /events), in one place, chosen by the
// request's API version. Keys as the v1.9 spec shows them (sorted, as Docker's Go maps were),
// booleans as JSON booleans, plus the fields a modern docker CLI reads. Pure functions.

#include <Poco/JSON/Object.h>

#include <cstddef>
#include <string>
#include <vector>

#include "engine/build_info.h"
#include "engine/event.h"
#include "engine/system_info.h"
#include "poco-server/api_version.h"

namespace burrow::poco_server {

// A container whose helper (burrow-shim, burrow-overlay) died: its State.Error, for /info.
struct ContainerError {
  std::string id;
  std::string name;   // without the leading slash
  std::string error;  // "burrow-overlay (pid N), the container's root file system, died"
};

// Everything /info reports, gathered by the route from the Engine.
struct InfoFacts {
  engine::SystemInfo system;
  std::size_t containers = 0;
  std::size_t containers_running = 0;
  std::size_t images = 0;
  bool debug = false;
  std::size_t event_listeners = 0;
  std::string root;                   // state directory
  std::string init_path;              // the burrow-shim program
  std::string version;                // server version
  std::vector<std::string> warnings;  // announced fallbacks
  // In ContainerErrors, and as "WARNING: container <id> (<name>): <error>" lines in Warnings
  // (the docker CLI prints those under docker info).
  std::vector<ContainerError> container_errors;
};

Poco::JSON::Object::Ptr version_json(const engine::BuildInfo& build, const engine::SystemInfo& system, ApiVersion v);
Poco::JSON::Object::Ptr info_json(const InfoFacts& facts, ApiVersion v);
// {"status","id","from","time"} plus Type, Action, Actor{ID,Attributes}, scope, timeNano.
Poco::JSON::Object::Ptr event_json(const engine::Event& event, ApiVersion v);

}  // namespace burrow::poco_server
