#pragma once
// The Status column of /containers/json as Docker 0.8 wrote it: "Up <HumanDuration>" for a
// running container, "Ghost" for one adopted from an earlier daemon, "Exit <code>" otherwise.
// Pure functions; thread-safe.

#include <chrono>
#include <string>

#include "engine/container.h"
#include "engine/container_time.h"

namespace burrow::engine {

// Docker 0.8's utils.HumanDuration: "Less than a second", "3 seconds", "About a minute", ...
std::string human_duration(std::chrono::nanoseconds d);

// The Status string of `state` at time `now`.
std::string status_string(const ContainerState& state, TimePoint now);

}  // namespace burrow::engine
