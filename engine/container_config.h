#pragma once
// Turning the body of POST /containers/create into the stored Config and HostConfig, as Docker
// 0.8's MergeConfig did: fields the client left empty come from the image's config (Cmd,
// Entrypoint, Env, WorkingDir, User, ExposedPorts, Volumes), Env gets PATH and HOSTNAME
// defaults, and the program to run is Entrypoint + Cmd. Also the parsers for Binds and
// VolumesFrom entries. Pure functions; thread-safe.

#include <optional>
#include <string>
#include <vector>

#include <Poco/JSON/Object.h>

namespace burrow::engine {

inline constexpr const char* kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

struct PreparedConfig {
  Poco::JSON::Object::Ptr config;       // Docker Config with the image's defaults merged in
  Poco::JSON::Object::Ptr host_config;  // HostConfig from the create body (newer clients), or {}
  std::string path;                     // program
  std::vector<std::string> args;        // its arguments
  std::vector<std::string> warnings;    // for the create response's Warnings
};

// `body` is the create request; `image_config` the image's Config (may be null); `id` the new
// container's id (its short form is the default Hostname); `limits_enforced` whether a
// delegated cgroup can take Memory/MemorySwap/CpuShares (otherwise they give warnings).
// BadParameter for malformed fields; "No command specified" when neither body nor image has one.
PreparedConfig prepare_config(const Poco::JSON::Object::Ptr& body, const Poco::JSON::Object::Ptr& image_config,
                              const std::string& id, bool limits_enforced);

// Merges a v1.9 start body (Binds, LxcConf, PortBindings, PublishAllPorts, Privileged, Links,
// Dns, VolumesFrom) over `host_config`; returns the new object and appends warnings (LxcConf is
// ignored with a warning).
Poco::JSON::Object::Ptr merge_start_host_config(const Poco::JSON::Object::Ptr& host_config,
                                                const Poco::JSON::Object::Ptr& start_body,
                                                std::vector<std::string>& warnings);

struct BindSpec {
  std::string host;       // absolute host path
  std::string container;  // absolute path in the container
  bool writable = true;
};
// "host:container[:ro|rw]"; BadParameter for anything else.
BindSpec parse_bind(const std::string& bind);

struct VolumesFromSpec {
  std::string container;                 // name or id
  std::optional<bool> writable;          // nullopt: keep the source's mode
};
// "name[:ro|rw]".
VolumesFromSpec parse_volumes_from(const std::string& entry);

// Every VolumesFrom entry of Config (comma-separated string, v1.9) and HostConfig (list).
std::vector<std::string> volumes_from_entries(const Poco::JSON::Object::Ptr& config,
                                              const Poco::JSON::Object::Ptr& host_config);

// Every entry of HostConfig.Binds.
std::vector<std::string> bind_entries(const Poco::JSON::Object::Ptr& host_config);

}  // namespace burrow::engine
