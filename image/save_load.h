#pragma once
// The `docker save` archive formats, independent of the store: what a loaded archive holds
// once read (image JSON, layer members, tags), and how a manifest.json archive (Docker 1.10
// and later, also the OCI layout of Docker 25+) maps onto v1 images with parent chains.
// Pure data and functions; thread-safe.

#include <map>
#include <string>
#include <vector>

#include "image/image_json.h"

namespace burrow::image {

// An image to register from an archive: its JSON and the archive member holding its layer.
struct LoadedImage {
  Image image;
  std::string layer_member;   // "<id>/layer.tar" or "blobs/sha256/<hex>"
};

// A planned load: images in registration order (parents first) and tags to set.
struct LoadPlan {
  std::vector<LoadedImage> images;
  std::vector<std::pair<std::string, std::string>> tags;  // ("repo", "tag") -> top image id
  std::vector<std::string> tag_ids;                        // the id of each tags[i]
  std::vector<std::string> untagged_tops;                  // ids of images named by no tag
};

// Plans a load from the small files of an archive (member path -> content): manifest.json
// when present, else <id>/json files and `repositories`. `known` says whether an image id is
// already in the store (parents may be there instead of in the archive). Throws
// Error(BadParameter) naming what is missing or malformed.
LoadPlan plan_load(const std::map<std::string, std::string>& files,
                   const std::function<bool(const std::string&)>& known);

// The `repositories` file for save: {"repo":{"tag":"id"}}.
std::string repositories_json(const std::map<std::string, std::map<std::string, std::string>>& repos);

}  // namespace burrow::image
