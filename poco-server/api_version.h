#pragma once
// ApiVersion: the Docker Remote API version a request asked for through its /vX.Y prefix (no
// prefix means 1.9, as in Docker 0.8). Every version is served with v1.9 behaviour; JSON shaping
// code may look at it to add fields for newer clients. A plain value.

#include <compare>
#include <optional>
#include <string>
#include <string_view>

namespace burrow::poco_server {

struct ApiVersion {
  int major = 1;
  int minor = 9;

  auto operator<=>(const ApiVersion&) const = default;
  std::string to_string() const { return std::to_string(major) + "." + std::to_string(minor); }

  // "1.9" -> {1,9}; "1" -> {1,0}; nullopt for anything else.
  static std::optional<ApiVersion> parse(std::string_view text);
};

inline constexpr ApiVersion kServedApiVersion{1, 9};

}  // namespace burrow::poco_server
