// Routes of the system endpoints: /_ping (GET, HEAD), /version, /info, /events.
#include <chrono>
#include <cstdint>
#include <sstream>
#include <string>

#include "base/error.h"
#include "engine/build_info.h"
#include "engine/engine.h"
#include "engine/event_filter.h"
#include "engine/system_info.h"
#include "poco-server/request_context.h"
#include "poco-server/routes.h"
#include "poco-server/system_json.h"

namespace burrow::poco_server {

namespace {

using namespace std::chrono_literals;

std::int64_t now_nano() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "1374067924" or "1374067924.123456789" (what docker events --since/--until send) -> ns.
std::int64_t parse_event_time(const std::string& name, const std::string& text) {
  auto bad = [&] { return Error::bad_parameter("Bad parameter: " + name + "=" + text + " is not a Unix timestamp"); };
  std::size_t dot = text.find('.');
  std::string secs = text.substr(0, dot);
  std::string frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  if (secs.empty() || secs.find_first_not_of("0123456789") != std::string::npos || secs.size() > 12) throw bad();
  if (frac.find_first_not_of("0123456789") != std::string::npos || frac.size() > 9) throw bad();
  while (frac.size() < 9) frac += '0';
  return std::stoll(secs) * 1000000000LL + std::stoll(frac);
}

void ping(RequestContext& ctx) {
  auto& response = ctx.response();
  response.set("API-Version", kServedApiVersion.to_string());
  response.set("Ostype", "linux");
  response.set("Docker-Experimental", "false");
  response.set("Cache-Control", "no-cache, no-store, must-revalidate");
  response.set("Pragma", "no-cache");
  ctx.send_text(200, "OK");
}

// The version facts cannot change while the daemon runs (a new kernel needs a reboot): the
// reply is built once.
void version(RequestContext& ctx) {
  static const std::string reply = [] {
    std::ostringstream out;
    version_json(engine::build_info(), engine::collect_system_info(), kServedApiVersion)->stringify(out);
    return out.str();
  }();
  ctx.send_json_text(reply);
}

void info(RequestContext& ctx) {
  engine::Engine& e = ctx.engine();
  InfoFacts facts;
  facts.system = engine::collect_system_info();
  for (const auto& c : e.containers().list()) {
    ++facts.containers;
    if (c.state.running) ++facts.containers_running;
    if (!c.state.error.empty())
      facts.container_errors.push_back({c.id, c.name.substr(c.name.starts_with('/') ? 1 : 0), c.state.error});
  }
  facts.images = e.image_count();
  // Limits are what the container manager can actually apply (a delegated cgroup v2 subtree
  // with the memory and cpu controllers); swap limits also need memory.swap.max there.
  facts.system.memory_limit = e.containers().limits_enforced();
  facts.system.swap_limit = facts.system.memory_limit && facts.system.swap_limit;
  facts.debug = e.options().debug;
  facts.event_listeners = e.events().subscriber_count();
  facts.root = e.root();
  facts.init_path = e.options().program_dir.empty() ? "" : e.options().program_dir + "/burrow-shim";
  facts.version = engine::build_info().version;
  facts.warnings = e.options().warnings;
  ctx.send_json(info_json(facts, ctx.api_version()));
}

// Replays stored events from since= (Docker 0.8: since=0 means none), then streams live ones
// until until= (when given) or until the client goes away or the daemon shuts down.
void events(RequestContext& ctx) {
  std::optional<std::int64_t> since, until;
  std::string since_text = ctx.query("since"), until_text = ctx.query("until");
  if (!since_text.empty() && since_text != "0") since = parse_event_time("since", since_text);
  if (!until_text.empty() && until_text != "0") until = parse_event_time("until", until_text);
  engine::EventFilter filter = engine::EventFilter::parse(ctx.query("filters"));

  auto subscription = ctx.engine().events().subscribe(since);
  JsonStream stream = ctx.start_stream();
  for (;;) {
    auto wait = 500ms;
    if (until) {
      std::int64_t left = *until - now_nano();
      if (left <= 0) wait = 0ms;
      else if (left < 500000000) wait = std::chrono::milliseconds(left / 1000000 + 1);
    }
    auto event = subscription->next(wait);
    if (event) {
      if (until && event->time_nano > *until) break;
      if (filter.matches(*event) && !stream.write(event_json(*event, ctx.api_version()))) break;
      continue;
    }
    if (subscription->closed()) break;
    if (until && now_nano() >= *until) break;
    if (ctx.client_gone()) break;
  }
}

}  // namespace

void add_system_routes(Router& router) {
  router.add("GET", "/_ping", ping);
  router.add("HEAD", "/_ping", ping);
  router.add("GET", "/version", version);
  router.add("GET", "/info", info);
  router.add("GET", "/events", events);
}

}  // namespace burrow::poco_server
