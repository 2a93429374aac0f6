#pragma once
// Event: one entry of the engine's event stream (container create/start/die/..., image
// untag/delete/...). A plain value; the HTTP layer shapes it as JSON per API version.

#include <cstdint>
#include <map>
#include <string>

namespace burrow::engine {

struct Event {
  std::uint64_t seq = 0;  // position in the bus, strictly increasing, kept across restarts
  std::string status;     // Docker 0.8 "status": create, start, die, stop, kill, destroy, untag, ...
  std::string id;         // container or image id
  std::string from;       // image of a container event ("busybox:latest"); empty for images
  std::string type;       // "container" or "image"
  std::map<std::string, std::string> attributes;  // Actor.Attributes: image, name, exitCode, ...
  std::int64_t time_nano = 0;                     // Unix time in nanoseconds

  std::int64_t time() const { return time_nano / 1000000000; }
};

// The event type Docker gives a status: image statuses (untag, delete, tag, pull, push, import,
// load, save) are "image", everything else "container".
std::string event_type_of(const std::string& status);

}  // namespace burrow::engine
