#pragma once
// Registry manifests: Docker image manifest schema 2, the OCI image manifest, manifest lists
// and OCI indexes (one manifest per platform), and schema 1 (signed or not), parsed into one
// shape; and the schema 2 manifest burrow pushes. Pure functions; thread-safe.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace burrow::image::registry {

inline constexpr std::string_view kSchema2Type = "application/vnd.docker.distribution.manifest.v2+json";
inline constexpr std::string_view kListType = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kSchema1Type = "application/vnd.docker.distribution.manifest.v1+json";
inline constexpr std::string_view kSchema1SignedType = "application/vnd.docker.distribution.manifest.v1+prettyjws";
inline constexpr std::string_view kOciManifestType = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kOciIndexType = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kConfigType = "application/vnd.docker.container.image.v1+json";
inline constexpr std::string_view kLayerType = "application/vnd.docker.image.rootfs.diff.tar.gzip";

// The Accept header of a manifest GET: every kind above.
std::string manifest_accept_header();

struct Descriptor {
  std::string media_type;
  std::string digest;        // "sha256:<hex>"
  int64_t size = -1;
  std::string os, architecture, variant;  // platform (manifest lists only)
};

enum class ManifestKind { Image, List, Schema1 };

struct Manifest {
  ManifestKind kind = ManifestKind::Image;
  std::string media_type;
  Descriptor config;                  // Image
  std::vector<Descriptor> layers;     // Image and Schema1: base layer first
  std::vector<Descriptor> manifests;  // List
  // Schema1: the v1Compatibility JSON of each layer, base first (parallel to layers).
  std::vector<std::string> v1_compatibility;
};

// Parses a manifest body. content_type is the response's Content-Type (may be empty or
// generic; then the body's mediaType/schemaVersion decide). Throws Error(BadParameter)
// naming what is wrong; rejects digests that are not sha256 and layers of foreign types
// (only tar, tar+gzip and docker's foreign/nondistributable layers are pulled).
Manifest parse_manifest(std::string_view body, std::string_view content_type);

// The entry of a list for os/architecture (variant ignored unless several match: the first
// wins), or nullptr.
const Descriptor* pick_platform(const Manifest& list, std::string_view os, std::string_view architecture);

// A schema 2 manifest (what burrow pushes), serialised as it will be hashed.
std::string schema2_manifest_json(const Descriptor& config, const std::vector<Descriptor>& layers);

// For a Schema1 manifest: an image config (the top v1Compatibility with rootfs-less
// history, one entry per layer, base first) that the manifest.json load path understands.
std::string schema1_config_json(const Manifest& manifest);

}  // namespace burrow::image::registry
