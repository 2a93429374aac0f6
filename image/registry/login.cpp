#include "image/registry/login.h"

#include "base/error.h"
#include "image/registry/registry_client.h"
#include "image/registry/registry_reference.h"

namespace burrow::image::registry {

std::string check_login(const AuthConfig& auth, const std::vector<std::string>& insecure_registries) {
  std::string endpoint = endpoint_of_server_address(auth.server_address);
  if (auth.username.empty() && auth.identity_token.empty() && auth.registry_token.empty())
    throw Error::unauthorized("login to " + endpoint + ": no username given");
  RegistryClient client(RegistryClientOptions{endpoint, use_plain_http(endpoint, insecure_registries), auth, "", 30});
  client.authenticate();
  return "Login Succeeded";
}

}  // namespace burrow::image::registry
