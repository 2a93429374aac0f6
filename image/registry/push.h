#pragma once
// Pushing an image from the ImageStore to a v2 registry: each layer of the image's chain
// (base first) as a gzip tar compressed while it uploads (chunked PATCH, then PUT with the
// digest), several layers at once; layers this process pushed before are looked up by digest
// first (HEAD) and skipped when the registry has them; then the image config (v1 JSON mapped to the image config with rootfs
// diff_ids and history) and a schema 2 manifest under the tag. Thread-safe per call.

#include <string>
#include <vector>

#include "image/registry/progress.h"
#include "image/registry/registry_auth.h"

namespace burrow::image {
class ImageStore;
}

namespace burrow::image::registry {

struct PushOptions {
  std::string name;                        // the repository ("127.0.0.1:5000/app") or repo:tag
  std::string tag;                         // tag= ; "" pushes every tag of the repository
  std::string registry;                    // registry= ("" = from the name)
  AuthConfig auth;
  std::vector<std::string> insecure_registries;
  unsigned concurrency = 2;                // layers compressed/uploaded at once
};

struct PushedTag {
  std::string tag;
  std::string digest;   // the manifest's digest
  size_t size = 0;      // the manifest's size
};

// Throws burrow::Error: NotFound (no such image / no tags for the repository), BadParameter
// (an invalid name), Unauthorized, Unavailable. An unqualified name goes to Docker Hub
// (registry-1.docker.io), as the docker CLI would send it.
std::vector<PushedTag> push_image(ImageStore& store, const PushOptions& options, const ProgressFn& progress);

}  // namespace burrow::image::registry
