#pragma once
// Image: one image's v1 metadata as Docker 0.8 stored it in images/<id>/json (id, parent,
// created, container, container_config, config, docker_version, author, comment,
// architecture, os, Size). The full JSON object is kept as read, so fields written by newer
// Docker (checksum, history, ...) survive a save/load round trip. Values; not synchronised.

#include <cstdint>
#include <string>
#include <string_view>

#include <Poco/JSON/Object.h>

namespace burrow::image {

inline constexpr std::string_view kDockerVersion = "0.8.0-burrow";

struct Image {
  std::string id;
  std::string parent;               // "" for a base image
  std::string created;              // RFC 3339 with nanoseconds, UTC ("...Z")
  std::string container;            // the container a commit came from, or ""
  std::string comment;
  std::string author;
  std::string docker_version;
  std::string architecture;
  std::string os;
  int64_t size = 0;                 // bytes in this layer alone
  Poco::JSON::Object::Ptr config;            // the Docker Config; null for plain imports
  Poco::JSON::Object::Ptr container_config;  // Config of the creating container (never null)

  // Unix seconds of `created` (0 when it does not parse).
  int64_t created_unix() const;
  // Cmd of container_config joined with spaces (history's CreatedBy).
  std::string created_by() const;
};

// A deep copy (config objects included), so a caller may change it freely.
Image clone_image(const Image& image);

// Parses images/<id>/json. Throws Error(BadParameter) for bad JSON or a missing/invalid id.
Image parse_image_json(std::string_view text);
// The v1 JSON object for `image` (Go's field names; "config": null when config is null).
Poco::JSON::Object::Ptr image_to_json(const Image& image);
std::string image_json_string(const Image& image);

// A Docker Config with every field at its zero value, as Go serialised an empty Config.
Poco::JSON::Object::Ptr empty_config();

// Now, as RFC 3339 with nanoseconds in UTC ("2014-02-04T10:11:12.123456789Z").
std::string now_rfc3339_nano();
// Parses JSON text into an object; throws Error(BadParameter) with the parser's message.
Poco::JSON::Object::Ptr parse_json_object(std::string_view text, std::string_view what);
// Compact JSON text of an object.
std::string to_json_string(const Poco::JSON::Object::Ptr& object);

}  // namespace burrow::image
