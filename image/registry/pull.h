#pragma once
// Pulling an image from a v2 registry into the ImageStore: the manifest (schema 2, OCI,
// a list/index resolved to linux/<this architecture>, or schema 1), the config, and the
// layers downloaded concurrently into a temporary directory with their digests verified;
// then the whole image goes into the store through its manifest.json load path, so layers
// are applied in order with their whiteouts and a failed pull leaves no half image.
// Thread-safe (each call is independent).

#include <string>
#include <vector>

#include "image/registry/progress.h"
#include "image/registry/registry_auth.h"

namespace burrow::image {
class ImageStore;
}

namespace burrow::image::registry {

struct PullOptions {
  std::string name;                       // fromImage
  std::string tag;                        // tag= ("" = the name's own tag, else latest)
  std::string registry;                   // registry= ("" = from the name)
  AuthConfig auth;
  std::vector<std::string> insecure_registries;
  std::string temp_dir;                   // downloads go below it (created if missing)
  unsigned concurrency = 3;               // layers downloaded at once
};

struct PullResult {
  std::string image_id;
  std::string reference;   // "127.0.0.1:5000/app:latest" (or @digest)
  std::string digest;      // the manifest's digest
  bool up_to_date = false; // the image was already in the store
};

// Throws burrow::Error: NotFound (no such repository or tag), Unauthorized, Unavailable
// (registry unreachable, named), BadParameter (bad name, bad manifest, digest mismatch).
PullResult pull_image(ImageStore& store, const PullOptions& options, const ProgressFn& progress);

}  // namespace burrow::image::registry
