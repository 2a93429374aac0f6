#pragma once
// Timestamps as Docker writes them in container JSON: RFC 3339 with nanoseconds in UTC
// ("2024-05-01T10:00:00.123456789Z"), plus parsing back for Status strings ("Up 3 seconds")
// and the Unix-seconds `Created` of /containers/json. Pure functions; thread-safe.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "base/rfc3339.h"

namespace burrow::engine {

using TimePoint = std::chrono::system_clock::time_point;

// Go's zero time, which Docker shows for a container that never started or finished.
inline constexpr const char* kZeroTime = "0001-01-01T00:00:00Z";

// Formatting and parsing live in base/rfc3339.h (image uses them too).
using burrow::format_rfc3339_nano;
using burrow::parse_rfc3339;
inline std::string now_rfc3339_nano() { return format_rfc3339_nano(std::chrono::system_clock::now()); }

// Seconds since the epoch of an RFC 3339 timestamp, 0 when it does not parse.
long long unix_seconds(std::string_view rfc3339);

}  // namespace burrow::engine
