#pragma once
// EventFilter: the filters= query of GET /events, as the docker CLI sends it: either the
// legacy form {"container":["id"],"type":["container"]} (API < 1.22, what a CLI that negotiated
// 1.9 sends) or the newer {"container":{"id":true}}. Values of one key are alternatives (OR);
// different keys must all match (AND). Immutable after parsing, so thread-safe.

#include <map>
#include <string>
#include <vector>

#include "engine/event.h"

namespace burrow::engine {

class EventFilter {
 public:
  EventFilter() = default;  // matches everything

  // Parses the JSON text of filters=. An empty string gives the match-all filter. Throws
  // Error(BadParameter) for bad JSON or an unknown key ("Invalid filter 'x'"). Keys: container
  // (id, id prefix or name), image (the event's image or the image id), event (status), type,
  // label ("key" or "key=value" against the attributes).
  static EventFilter parse(const std::string& json);

  bool matches(const Event& event) const;
  bool empty() const { return terms_.empty(); }

 private:
  std::map<std::string, std::vector<std::string>> terms_;
};

}  // namespace burrow::engine
