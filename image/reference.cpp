#include "image/reference.h"

#include <regex>

#include "base/error.h"

namespace burrow::image {

namespace {

// A path component of a repository (distribution/reference's pathComponent).
// Docker writes the separator as [-]* (RE2, linear); an empty separator adds nothing to the
// language, and with std::regex's backtracking it made "aaaa...a!" take exponential time.
const std::regex kComponent("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
// A registry host with an optional port.
const std::regex kDomain(
    "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
    "(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*(?::[0-9]+)?");
const std::regex kTag("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

bool is_domain_component(std::string_view first) {
  return first.find('.') != std::string_view::npos || first.find(':') != std::string_view::npos ||
         first == "localhost";
}

bool is_hub(std::string_view domain) {
  return domain == "docker.io" || domain == "index.docker.io" || domain == "registry-1.docker.io";
}

}  // namespace

std::pair<std::string, std::string> split_repository_tag(std::string_view name) {
  size_t colon = name.rfind(':');
  if (colon == std::string_view::npos) return {std::string(name), ""};
  std::string_view tag = name.substr(colon + 1);
  if (tag.find('/') != std::string_view::npos) return {std::string(name), ""};
  return {std::string(name.substr(0, colon)), std::string(tag)};
}

std::string familiar_repository(std::string_view repository) {
  size_t slash = repository.find('/');
  if (slash == std::string_view::npos) return std::string(repository);
  std::string_view domain = repository.substr(0, slash);
  if (!is_hub(domain)) return std::string(repository);
  std::string_view rest = repository.substr(slash + 1);
  // A remainder that starts with a host of its own keeps the Hub domain: without it, the name
  // would be read back as a repository on that other host.
  size_t next = rest.find('/');
  if (next != std::string_view::npos && is_domain_component(rest.substr(0, next))) return std::string(repository);
  if (rest.substr(0, 8) == "library/" && rest.find('/', 8) == std::string_view::npos) rest = rest.substr(8);
  return std::string(rest);
}

std::string qualified_repository(std::string_view repository) {
  std::string familiar = familiar_repository(repository);
  size_t slash = familiar.find('/');
  if (slash != std::string::npos && is_domain_component(std::string_view(familiar).substr(0, slash))) return familiar;
  if (slash == std::string::npos) return std::string(kDefaultRegistry) + "/library/" + familiar;
  return std::string(kDefaultRegistry) + "/" + familiar;
}

std::string registry_of(std::string_view repository) {
  std::string q = qualified_repository(repository);
  return q.substr(0, q.find('/'));
}

void validate_repository(std::string_view repository) {
  auto bad = [&](const std::string& why) {
    return Error::bad_parameter("Invalid repository name (" + std::string(repository) + "): " + why);
  };
  if (repository.empty()) throw bad("it is empty");
  if (repository.size() > 255) throw bad("longer than 255 characters");
  std::string_view rest = repository;
  size_t slash = rest.find('/');
  if (slash != std::string_view::npos && is_domain_component(rest.substr(0, slash))) {
    std::string domain(rest.substr(0, slash));
    if (!std::regex_match(domain, kDomain)) throw bad("`" + domain + "` is not a valid registry host");
    rest = rest.substr(slash + 1);
  }
  for (;;) {
    slash = rest.find('/');
    std::string component(rest.substr(0, slash));
    if (!std::regex_match(component, kComponent))
      throw bad("only [a-z0-9] separated by '.', '_', '__', '-' and '/' are allowed");
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
}

void validate_tag(std::string_view tag) {
  if (tag.empty()) throw Error::bad_parameter("Tag name can't be empty");
  if (tag.size() > 128 || !std::regex_match(std::string(tag), kTag))
    throw Error::bad_parameter("Illegal tag name (" + std::string(tag) +
                               "): only [A-Za-z0-9_.-] are allowed, at most 128 characters");
}

Reference parse_reference(std::string_view name, std::string_view default_tag) {
  if (name.find('@') != std::string_view::npos)
    throw Error::bad_parameter("Invalid image name (" + std::string(name) + "): digest references are not supported");
  auto [repo, tag] = split_repository_tag(name);
  validate_repository(repo);
  if (tag.empty()) {
    if (name.size() > repo.size()) throw Error::bad_parameter("Tag name can't be empty");
    tag = std::string(default_tag);
  }
  if (!tag.empty()) validate_tag(tag);
  return Reference{familiar_repository(repo), tag};
}

std::string_view strip_id_algorithm(std::string_view name) {
  if (name.substr(0, 7) == "sha256:") return name.substr(7);
  return name;
}

bool looks_like_id_prefix(std::string_view name) {
  name = strip_id_algorithm(name);
  if (name.empty() || name.size() > 64) return false;
  for (char c : name)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace burrow::image
