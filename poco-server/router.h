#pragma once
// Router: the table of API routes, (method, pattern, handler). HOW TO ADD A ROUTE:
//
//   // poco-server/routes_images.cpp
//   void add_image_routes(Router& r) {
//     r.add("GET", "/images/{name:.*}/json", [](RequestContext& ctx) {
//       auto image = ctx.engine().images().resolve(ctx.param("name"));
//       if (!image) throw Error::not_found("No such image: " + ctx.param("name"));
//       ctx.send_json(image_json(*image, ctx.api_version()));
//     });
//   }
//
// and declare add_image_routes in poco-server/routes.h, call it in poco-server/routes.cpp.
// Patterns: literal segments, "{name}" (exactly one segment), "{name:.*}" (one or more
// segments, for image names like host:5000/repo). Every route also answers under any
// "/vX.Y" prefix. When several routes match, the one with more literal segments wins, then the
// one added first. Handlers throw burrow::Error; the dispatcher turns the kind into Docker's
// status and plain-text body (see http_error.h). Not thread-safe while adding; add all routes
// before the server starts, after which match() may be called from any thread.

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "poco-server/api_version.h"

namespace burrow::poco_server {

class RequestContext;
using Handler = std::function<void(RequestContext&)>;
using PathParams = std::map<std::string, std::string>;

class Router {
 public:
  struct Match {
    const Handler* handler = nullptr;  // owned by the Router
    PathParams params;
    ApiVersion version;
    std::string pattern;  // the route's pattern, for logs
  };

  // Adds a route. Throws Error(BadParameter) for a malformed pattern.
  void add(const std::string& method, const std::string& pattern, Handler handler);

  // The route for a request: `path` is the decoded URI path, with or without a /vX.Y prefix.
  // nullopt when no route has that method and path (the dispatcher answers 404).
  std::optional<Match> match(std::string_view method, std::string_view path) const;

  // Splits a /vX.Y prefix off a path: returns the version (1.9 when there is none) and
  // leaves the rest in `path`.
  static ApiVersion strip_version(std::string_view& path);

  std::size_t size() const { return routes_.size(); }

 private:
  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool param = false;
    bool greedy = false;  // {name:.*}
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    int literals = 0;
    Handler handler;
  };

  static bool match_segments(const std::vector<Segment>& pattern, std::size_t pi,
                             const std::vector<std::string_view>& path, std::size_t si, PathParams& params);

  std::vector<Route> routes_;
  // Routes without parameters by "METHOD /path": an exact hit always wins (it has the most
  // literal segments), so most requests skip the scan of routes_.
  std::unordered_map<std::string, std::size_t> exact_;
};

}  // namespace burrow::poco_server
