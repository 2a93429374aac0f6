#include "engine/container_time.h"

namespace burrow::engine {

long long unix_seconds(std::string_view rfc3339) {
  auto t = parse_rfc3339(rfc3339);
  if (!t) return 0;
  return std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch()).count();
}

}  // namespace burrow::engine
