#include "poco-server/routes.h"

namespace burrow::poco_server {

void add_all_routes(Router& router) {
  add_system_routes(router);
  add_registry_routes(router);  // before the image routes: /images/search is not an image name
  add_image_routes(router);
  add_container_routes(router);
  add_build_routes(router);
}

}  // namespace burrow::poco_server
