#pragma once
// Where an image name lives on a v2 registry: "busybox" -> registry docker.io (served at
// registry-1.docker.io), path "library/busybox"; "127.0.0.1:5000/app:v1" -> registry
// 127.0.0.1:5000, path "app", tag "v1"; "app@sha256:<hex>" pins a digest. Also the rule for
// which registries are spoken to over plain HTTP. Pure functions; thread-safe.

#include <string>
#include <string_view>
#include <vector>

namespace burrow::image::registry {

struct RegistryReference {
  std::string registry;   // "docker.io" or "host[:port]" as the user named it
  std::string endpoint;   // host[:port] to connect to ("registry-1.docker.io" for docker.io)
  std::string path;       // repository path on the registry: "library/busybox"
  std::string familiar;   // the local repository name: "busybox", "127.0.0.1:5000/app"
  std::string tag;        // "latest" unless a tag or digest was given
  std::string digest;     // "sha256:<hex>" when pinned, else ""
  // The manifest reference: the digest when pinned, else the tag.
  std::string manifest_ref() const { return digest.empty() ? tag : digest; }
};

// Parses name[:tag][@digest]; `tag` (the API's tag= parameter) applies when the name has
// none; `registry` (the API's registry= parameter, "" for none) is put in front of a name
// without a registry host. Throws Error(BadParameter) for invalid names.
RegistryReference parse_registry_reference(std::string_view name, std::string_view tag = "",
                                           std::string_view registry = "");

// The registry endpoint for a server address as `docker login` sends it ("https://index.
// docker.io/v1/", "127.0.0.1:5000", "http://localhost:5000/"): host[:port], Hub names mapped
// to registry-1.docker.io.
std::string endpoint_of_server_address(std::string_view server_address);

// True for 127.0.0.0/8, ::1 and localhost (with or without a port).
bool is_loopback_endpoint(std::string_view endpoint);
// Plain HTTP is used only for loopback endpoints and those listed (host or host:port).
bool use_plain_http(std::string_view endpoint, const std::vector<std::string>& insecure_registries);

// True for "sha256:" + 64 lowercase hex.
bool is_sha256_digest(std::string_view digest);

}  // namespace burrow::image::registry
