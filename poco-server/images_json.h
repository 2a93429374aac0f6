#pragma once
// JSON shapes of the image endpoints, in one place, chosen by API version: GET /images/json
// rows, GET /images/(name)/json, /history, the DELETE answer, and JSON progress messages of
// import/insert. v1.9 shapes, plus the capitalised keys a modern docker CLI reads (Id,
// RepoTags, ...; Go's decoder matches keys case-insensitively, its templates do not).

#include <cstdint>
#include <string>
#include <vector>

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include "image/image_store.h"
#include "poco-server/api_version.h"

namespace burrow::poco_server {

Poco::JSON::Array::Ptr image_list_json(const std::vector<image::ImageSummary>& rows, ApiVersion version);
Poco::JSON::Object::Ptr image_inspect_json(const image::Image& image, const std::vector<std::string>& tags,
                                           int64_t virtual_size, ApiVersion version);
Poco::JSON::Array::Ptr image_history_json(const std::vector<image::Image>& chain, const image::ImageStore& store,
                                          ApiVersion version);
Poco::JSON::Array::Ptr image_delete_json(const std::vector<image::RemovedImage>& removed);

// {"status":status,"progressDetail":{"current":n[,"total":t]},"progress":"[==>  ] 1 MB/4 MB"[,"id":id]}
Poco::JSON::Object::Ptr progress_json(const std::string& status, uint64_t current, int64_t total,
                                      const std::string& id = "");
// {"status":text[,"id":id]}
Poco::JSON::Object::Ptr status_json(const std::string& text, const std::string& id = "");

}  // namespace burrow::poco_server
