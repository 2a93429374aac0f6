#pragma once
// POST /auth: checks credentials against the registry named by the AuthConfig's
// serveraddress (Docker Hub when empty), by answering its /v2/ challenge.

#include <string>
#include <vector>

#include "image/registry/registry_auth.h"

namespace burrow::image::registry {

// Returns "Login Succeeded". Throws Error(Unauthorized) with the registry's message for
// rejected credentials, Error(Unavailable) when the registry cannot be reached.
std::string check_login(const AuthConfig& auth, const std::vector<std::string>& insecure_registries);

}  // namespace burrow::image::registry
