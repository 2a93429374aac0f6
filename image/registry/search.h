#pragma once
// GET /images/search: the registry's v1 search endpoint (/v1/search?q=) where it exists,
// else its /v2/_catalog filtered by the term. The term may name a registry
// ("127.0.0.1:5000/app"); without one, Docker Hub's index is asked. Thread-safe per call.

#include <string>
#include <vector>

#include "image/registry/registry_auth.h"

namespace burrow::image::registry {

struct SearchResult {
  std::string name;          // "127.0.0.1:5000/app" for a named registry, "busybox" on Hub
  std::string description;
  bool is_official = false;
  bool is_trusted = false;   // "is_automated" on newer registries
  int star_count = 0;
};

struct SearchOptions {
  std::string term;
  AuthConfig auth;
  std::vector<std::string> insecure_registries;
};

// Throws Error(BadParameter) for an empty term, Unavailable/Io/Unauthorized as the registry
// answers.
std::vector<SearchResult> search_images(const SearchOptions& options);

// Splits a search term into (registry endpoint, term): "127.0.0.1:5000/app" ->
// ("127.0.0.1:5000", "app"); "busybox" -> ("index.docker.io", "busybox").
std::pair<std::string, std::string> split_search_term(const std::string& term);

}  // namespace burrow::image::registry
