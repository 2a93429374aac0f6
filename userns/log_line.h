#pragma once
// Docker json-file log lines and times: {"log":"hello\n","stream":"stdout","time":"..."}\n with
// Go's encoding/json escaping (as Docker 0.8 wrote them: \" \\ \n \r \t, other controls and
// <>& as \u00XX, invalid UTF-8 as \ufffd, U+2028/U+2029 escaped) and Go's RFC3339Nano time
// (UTC, trailing zeros of the fraction dropped). Pure functions, thread-safe.

#include <time.h>

#include <string>
#include <string_view>

namespace burrow::userns {

// The JSON string body (without the quotes) for arbitrary bytes.
std::string json_escape(std::string_view bytes);
// "2014-02-04T12:00:00.12345Z": Go's time.RFC3339Nano for a UTC time.
std::string format_rfc3339_nano(const struct timespec& ts);
std::string now_rfc3339_nano();
// One log line, with its trailing '\n'.
std::string encode_log_line(std::string_view log, std::string_view stream, std::string_view time);

}  // namespace burrow::userns
