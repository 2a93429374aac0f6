#pragma once
// Registry credentials and challenges: the X-Registry-Auth header (base64url JSON
// AuthConfig, as the docker CLI sends it), the body of POST /auth, and the WWW-Authenticate
// challenge a registry answers 401 with ("Bearer realm=...,service=...,scope=..." or
// "Basic realm=..."). Pure functions; thread-safe.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <Poco/JSON/Object.h>

namespace burrow::image::registry {

struct AuthConfig {
  std::string username;
  std::string password;
  std::string identity_token;   // identitytoken: an OAuth refresh token
  std::string registry_token;   // registrytoken: a bearer token sent as it is
  std::string server_address;
  bool empty() const { return username.empty() && password.empty() && identity_token.empty() && registry_token.empty(); }
};

// From the JSON object ({"username","password","auth":"base64(user:pass)","email",
// "serveraddress","identitytoken","registrytoken"}); keys are case-insensitive as in Go.
AuthConfig auth_config_from_json(const Poco::JSON::Object::Ptr& object);
// From X-Registry-Auth (standard or URL-safe base64, padded or not). "" gives an empty
// config; an undecodable header too (Docker ignored it). Throws nothing.
AuthConfig decode_registry_auth_header(std::string_view header);

struct AuthChallenge {
  std::string scheme;                         // lower case: "bearer", "basic"
  std::map<std::string, std::string> params;  // keys lower case: realm, service, scope, error
  std::string param(const std::string& key) const {
    auto it = params.find(key);
    return it == params.end() ? "" : it->second;
  }
};

// Parses one WWW-Authenticate header value, which may hold several challenges
// ("Bearer realm=\"x\",service=\"y\", Basic realm=\"z\""). Quoted strings may hold commas
// and backslash escapes. Throws Error(BadParameter) for a value without a scheme.
std::vector<AuthChallenge> parse_auth_challenges(std::string_view header);

std::string base64_encode(std::string_view bytes);
// Standard or URL-safe alphabet, padding optional; throws Error(BadParameter) on bad input.
std::string base64_decode(std::string_view text);

}  // namespace burrow::image::registry
