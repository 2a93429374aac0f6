#include "engine/container_volumes.h"

#include <algorithm>

#include "base/error.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "engine/container_config.h"
#include "engine/container_store.h"

namespace burrow::engine {

namespace {

std::string clean_path(const std::string& p) {
  std::string out = p;
  while (out.size() > 1 && out.back() == '/') out.pop_back();
  return out;
}

}  // namespace

VolumePlan plan_volumes(const Container& c, const ContainerStore& store, const std::string& volumes_dir) {
  VolumePlan plan;
  for (const auto& entry : bind_entries(c.host_config)) {
    BindSpec b = parse_bind(entry);
    if (!sys::exists(b.host))
      throw Error::bad_parameter("Bind source " + b.host + " does not exist (in " + entry + ")");
    std::string dest = clean_path(b.container);
    plan.volumes[dest] = b.host;
    plan.volumes_rw[dest] = b.writable;
  }
  for (const auto& entry : volumes_from_entries(c.config, c.host_config)) {
    VolumesFromSpec spec = parse_volumes_from(entry);
    auto from = store.find(spec.container);
    if (!from) throw Error::not_found("No such container: " + spec.container + " (in VolumesFrom)");
    if (from->id == c.id) continue;
    for (const auto& [dest, host] : from->volumes) {
      if (plan.volumes.count(dest)) continue;
      plan.volumes[dest] = host;
      auto rw = from->volumes_rw.find(dest);
      bool from_rw = rw == from->volumes_rw.end() || rw->second;
      plan.volumes_rw[dest] = spec.writable.value_or(from_rw);
    }
  }
  if (auto vols = json_object(c.config, "Volumes")) {
    for (const auto& [path, unused] : *vols) {
      std::string dest = clean_path(path);
      if (dest.empty() || dest[0] != '/') throw Error::bad_parameter("Invalid volume path " + path);
      if (plan.volumes.count(dest)) continue;
      auto kept = c.volumes.find(dest);
      std::string host;
      if (kept != c.volumes.end() && kept->second.rfind(volumes_dir + "/", 0) == 0 && sys::exists(kept->second)) {
        host = kept->second;
      } else {
        host = volumes_dir + "/" + random_id();
        sys::make_dirs(host, 0755);
      }
      plan.volumes[dest] = host;
      plan.volumes_rw[dest] = true;
    }
  }
  for (const auto& [dest, host] : plan.volumes) plan.mounts.push_back({host, dest, !plan.volumes_rw[dest]});
  std::sort(plan.mounts.begin(), plan.mounts.end(),
            [](const VolumeMount& a, const VolumeMount& b) { return a.destination < b.destination; });
  return plan;
}

void create_fresh_volumes(Container& c, const std::string& volumes_dir) {
  auto vols = json_object(c.config, "Volumes");
  if (!vols) return;
  std::map<std::string, bool> bound;
  for (const auto& entry : bind_entries(c.host_config)) bound[clean_path(parse_bind(entry).container)] = true;
  for (const auto& [path, unused] : *vols) {
    std::string dest = clean_path(path);
    if (dest.empty() || dest[0] != '/') throw Error::bad_parameter("Invalid volume path " + path);
    if (bound.count(dest) || c.volumes.count(dest)) continue;
    std::string host = volumes_dir + "/" + random_id();
    sys::make_dirs(host, 0755);
    c.volumes[dest] = host;
    c.volumes_rw[dest] = true;
  }
}

std::vector<std::string> remove_volumes(const Container& c, const std::vector<Container>& others,
                                        const std::string& volumes_dir) {
  std::vector<std::string> errors;
  for (const auto& [dest, host] : c.volumes) {
    if (host.rfind(volumes_dir + "/", 0) != 0) continue;  // a bind: never ours to delete
    bool used = false;
    for (const auto& o : others) {
      if (o.id == c.id) continue;
      for (const auto& [d2, h2] : o.volumes) used = used || h2 == host;
    }
    if (used) continue;
    try {
      sys::remove_tree(host);
    } catch (const std::exception& e) {
      errors.push_back(e.what());
    }
  }
  return errors;
}

}  // namespace burrow::engine
