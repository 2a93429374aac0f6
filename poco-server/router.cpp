#include "poco-server/router.h"

#include "base/error.h"

namespace burrow::poco_server {

namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  if (!path.empty() && path[0] == '/') i = 1;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

}  // namespace

std::optional<ApiVersion> ApiVersion::parse(std::string_view text) {
  ApiVersion v{0, 0};
  std::size_t i = 0;
  auto number = [&](int& out) {
    std::size_t start = i;
    long value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9' && i - start < 6) value = value * 10 + (text[i++] - '0');
    out = static_cast<int>(value);
    return i > start;
  };
  if (!number(v.major)) return std::nullopt;
  if (i < text.size()) {
    if (text[i] != '.') return std::nullopt;
    ++i;
    if (!number(v.minor)) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  return v;
}

ApiVersion Router::strip_version(std::string_view& path) {
  // "/v1.24/containers/json" -> version 1.24, path "/containers/json".
  if (path.size() < 3 || path[0] != '/' || path[1] != 'v') return kServedApiVersion;
  std::size_t end = path.find('/', 2);
  std::string_view text = path.substr(2, end == std::string_view::npos ? std::string_view::npos : end - 2);
  auto v = ApiVersion::parse(text);
  if (!v) return kServedApiVersion;
  path = end == std::string_view::npos ? std::string_view("/") : path.substr(end);
  return *v;
}

void Router::add(const std::string& method, const std::string& pattern, Handler handler) {
  if (pattern.empty() || pattern[0] != '/') throw Error::bad_parameter("route pattern must start with '/': " + pattern);
  Route route{method, pattern, {}, 0, std::move(handler)};
  for (std::string_view part : split_path(pattern)) {
    Segment s;
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      std::string_view inner = part.substr(1, part.size() - 2);
      s.param = true;
      auto colon = inner.find(':');
      if (colon != std::string_view::npos) {
        if (inner.substr(colon + 1) != ".*") throw Error::bad_parameter("unsupported route parameter: " + pattern);
        s.greedy = true;
        inner = inner.substr(0, colon);
      }
      if (inner.empty()) throw Error::bad_parameter("unnamed route parameter: " + pattern);
      s.text = std::string(inner);
    } else {
      if (part.find_first_of("{}") != std::string_view::npos) throw Error::bad_parameter("malformed route pattern: " + pattern);
      s.text = std::string(part);
      ++route.literals;
    }
    route.segments.push_back(std::move(s));
  }
  if (route.literals == static_cast<int>(route.segments.size())) {
    exact_.emplace(method + " " + pattern, routes_.size());  // the first one added wins
  }
  routes_.push_back(std::move(route));
}

bool Router::match_segments(const std::vector<Segment>& pattern, std::size_t pi,
                            const std::vector<std::string_view>& path, std::size_t si, PathParams& params) {
  for (; pi < pattern.size(); ++pi, ++si) {
    const Segment& seg = pattern[pi];
    if (seg.greedy) {
      // One or more segments, as many as possible while the rest still matches.
      std::size_t rest = pattern.size() - pi - 1;
      if (path.size() < si + 1 + rest) return false;
      for (std::size_t end = path.size() - rest; end > si; --end) {
        PathParams trial = params;
        if (!match_segments(pattern, pi + 1, path, end, trial)) continue;
        std::string value;
        for (std::size_t k = si; k < end; ++k) {
          if (k > si) value += '/';
          value += path[k];
        }
        if (value.empty()) return false;
        trial[seg.text] = std::move(value);
        params = std::move(trial);
        return true;
      }
      return false;
    }
    if (si >= path.size()) return false;
    if (seg.param) {
      if (path[si].empty()) return false;
      params[seg.text] = std::string(path[si]);
    } else if (path[si] != seg.text) {
      return false;
    }
  }
  return si == path.size();
}

std::optional<Router::Match> Router::match(std::string_view method, std::string_view path) const {
  ApiVersion version = strip_version(path);
  std::string key;
  key.reserve(method.size() + 1 + path.size());
  key.append(method).append(" ").append(path);
  if (auto it = exact_.find(key); it != exact_.end()) {
    const Route& route = routes_[it->second];
    return Match{&route.handler, {}, version, route.pattern};
  }
  std::vector<std::string_view> segments = split_path(path);
  const Route* best = nullptr;
  PathParams best_params;
  for (const Route& route : routes_) {
    if (route.method != method) continue;
    if (route.literals == static_cast<int>(route.segments.size())) continue;  // only exact hits
    if (best && route.literals <= best->literals) continue;
    PathParams params;
    if (match_segments(route.segments, 0, segments, 0, params)) {
      best = &route;
      best_params = std::move(params);
    }
  }
  if (!best) return std::nullopt;
  return Match{&best->handler, std::move(best_params), version, best->pattern};
}

}  // namespace burrow::poco_server
