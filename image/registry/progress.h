#pragma once
// Progress of a pull or push, one message per call, in the shape of Docker's JSON lines:
// {"status","id","progressDetail":{"current","total"}}. The callback may be called from
// several threads; pull and push serialise their calls.

#include <cstdint>
#include <functional>
#include <string>

namespace burrow::image::registry {

struct ProgressMessage {
  std::string status;     // "Pulling fs layer", "Downloading", "Pull complete", ...
  std::string id;         // short layer id, tag, or "" for a plain status line
  int64_t current = -1;   // < 0: no progressDetail
  int64_t total = -1;
};

using ProgressFn = std::function<void(const ProgressMessage&)>;

}  // namespace burrow::image::registry
