#pragma once
// Commit: a container's writable layer becomes a new image (POST /commit, docker commit).
// The image's config is the container's config, or, when the client gives one (the body, or
// v1.9's `run` query), that config with its empty fields filled from the container's, as
// Docker 0.8's MergeConfig did. Thread-safe as ContainerManager and ImageStore are.

#include <string>

#include <Poco/JSON/Object.h>

#include "image/image_store.h"

namespace burrow::engine {

class Engine;

struct CommitRequest {
  std::string container;              // name, id or unique id prefix
  std::string repo;                   // "" for an untagged image; may be fully qualified
  std::string tag;                    // "" means latest when repo is set
  std::string comment;                // the `m` (v1.9) or `comment` query
  std::string author;
  Poco::JSON::Object::Ptr run_config;  // null: the container's config as it is
};

// Returns the new image. Throws NotFound for an unknown container, BadParameter for an
// invalid repository or tag, and publishes a `commit` event for the container.
image::Image commit_container(Engine& engine, const CommitRequest& request);

// Docker 0.8's MergeConfig: a copy of `user` where each field left empty (missing, null, "",
// 0, false, empty list or object) takes the value from `base`; Env takes base's variables
// that `user` does not set; ExposedPorts and Volumes are the union of both.
Poco::JSON::Object::Ptr merge_config(const Poco::JSON::Object::Ptr& user, const Poco::JSON::Object::Ptr& base);

}  // namespace burrow::engine
