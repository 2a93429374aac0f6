#pragma once
// RFC 3339 timestamps as Docker writes them ("2024-05-01T10:00:00.123456789Z": nanoseconds,
// UTC) and parsing them back ("...Z" or "...+02:00", fraction optional). Pure functions;
// thread-safe. engine (container times) and image (image Created) both use these.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace burrow {

// `t` as RFC 3339 with nine fraction digits, UTC.
std::string format_rfc3339_nano(std::chrono::system_clock::time_point t);

// The time `text` names; nullopt for Go's zero time (year 1) and for text that is not a
// timestamp.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

}  // namespace burrow
