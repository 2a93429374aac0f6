#pragma once
// Image names: "repo", "repo:tag", "host:port/repo:tag", and the Docker Hub rules that map
// "busybox" <-> "docker.io/library/busybox". Repositories are stored in their familiar form
// ("busybox", "user/app", "localhost:5000/app"); the fully qualified form the modern docker
// CLI sends is folded to it. Pure functions; thread-safe.

#include <string>
#include <string_view>
#include <utility>

namespace burrow::image {

inline constexpr std::string_view kDefaultTag = "latest";
inline constexpr std::string_view kDefaultRegistry = "docker.io";

// A parsed image name. `repository` is familiar ("busybox", "host:5000/app"); `tag` may be
// empty when the name carried none and no default was asked for.
struct Reference {
  std::string repository;
  std::string tag;
  std::string to_string() const { return tag.empty() ? repository : repository + ":" + tag; }
};

// Docker's ParseRepositoryTag: splits at the last ':' when the part after it holds no '/'
// ("host:5000/app" has no tag). No validation; tag is "" when absent.
std::pair<std::string, std::string> split_repository_tag(std::string_view name);

// "docker.io/library/busybox" -> "busybox", "docker.io/u/app" -> "u/app" (also for
// index.docker.io and registry-1.docker.io); other names are returned unchanged.
std::string familiar_repository(std::string_view repository);
// "busybox" -> "docker.io/library/busybox", "u/app" -> "docker.io/u/app",
// "host:5000/app" unchanged: the form a registry client needs.
std::string qualified_repository(std::string_view repository);
// The registry host of a repository ("docker.io" for Hub names, "host:5000" otherwise).
std::string registry_of(std::string_view repository);

// Throw Error(BadParameter) naming the offending name when it is not valid.
// Repository grammar: [domain[:port]/]component(/component)*, components of lowercase
// [a-z0-9] joined by '.', '_', '__' or runs of '-'; at most 255 characters.
void validate_repository(std::string_view repository);
// Tags: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
void validate_tag(std::string_view tag);

// Parses and validates "repo[:tag]" (also "docker.io/library/repo:tag"); the repository is
// returned familiar, the tag is `default_tag` when absent. Digests ("@sha256:") are refused.
// Throws Error(BadParameter).
Reference parse_reference(std::string_view name, std::string_view default_tag = kDefaultTag);

// True for 1..64 lowercase hex characters: a name that may be an image id or id prefix.
// A leading "sha256:" is accepted (and ignored) as the modern CLI may send one.
bool looks_like_id_prefix(std::string_view name);
// The name without a leading "sha256:".
std::string_view strip_id_algorithm(std::string_view name);

}  // namespace burrow::image
