#pragma once
// Container names as Docker 0.8 handled them: stored with a leading "/", characters
// [a-zA-Z0-9_.-], and a random "adjective_surname" when the client gives none. Pure functions;
// thread-safe.

#include <functional>
#include <string>

namespace burrow::engine {

// "/name" for a valid name given as "name" or "/name"; BadParameter naming the rule otherwise.
std::string normalize_container_name(const std::string& name);

// A random "adjective_surname" for which taken("/" + it) is false; after a few collisions a
// digit is appended, as Docker did.
std::string random_container_name(const std::function<bool(const std::string&)>& taken);

}  // namespace burrow::engine
