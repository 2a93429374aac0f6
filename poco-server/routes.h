#pragma once
// The API's routes, one file per resource; each owner declares its add_*_routes here and calls
// it from add_all_routes (routes.cpp). See router.h for how to write a route.

#include "poco-server/router.h"

namespace burrow::poco_server {

// /_ping, /version, /info, /events (routes_system.cpp).
void add_system_routes(Router& router);

// /containers/... (routes_containers.cpp).
void add_container_routes(Router& router);

// /images/... (routes_images.cpp).
void add_image_routes(Router& router);

// POST /build (routes_build.cpp, helper "build").
void add_build_routes(Router& router);

// GET /images/search, POST /images/(name)/push, POST /auth (routes_registry.cpp, helper
// "registry").
void add_registry_routes(Router& router);
// POST /images/create?fromImage= (a registry pull; create_image in routes_images.cpp calls it).
void pull_image_from_registry(RequestContext& ctx);

// Every route of the API, as the server uses it.
void add_all_routes(Router& router);

}  // namespace burrow::poco_server
