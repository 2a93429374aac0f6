#pragma once
// The volumes of a container at start, as Docker 0.8 set them up: HostConfig.Binds
// (host:container[:ro|rw]) first, then VolumesFrom (the other container's volumes, with their
// mode or the one given), then each Config.Volumes path gets a fresh directory under
// <root>/volumes/<random id> (kept across restarts and on disk after removal unless ?v=1).
// Functions are thread-safe; they touch only the given container's record.

#include <map>
#include <string>
#include <vector>

#include "engine/container.h"

namespace burrow::engine {

class ContainerStore;

struct VolumeMount {
  std::string source;       // host path
  std::string destination;  // path in the container
  bool read_only = false;
};

struct VolumePlan {
  std::map<std::string, std::string> volumes;  // container path -> host path (inspect's Volumes)
  std::map<std::string, bool> volumes_rw;      // container path -> writable
  std::vector<VolumeMount> mounts;             // in mount order (shorter paths first)
};

// Works out (and creates, for new volumes) the mounts of `c`. BadParameter for a malformed
// bind or a missing bind source; NotFound for an unknown VolumesFrom container.
VolumePlan plan_volumes(const Container& c, const ContainerStore& store, const std::string& volumes_dir);

// At create: a fresh directory for each Config.Volumes path that HostConfig.Binds does not
// cover, recorded in c.volumes (as Docker 1.x did, so --volumes-from works on a container that
// never ran). BadParameter for a malformed path or bind.
void create_fresh_volumes(Container& c, const std::string& volumes_dir);

// Removes the volume directories of `c` that live under `volumes_dir` and that no container in
// `others` uses. Errors are returned as text (for the log), never thrown.
std::vector<std::string> remove_volumes(const Container& c, const std::vector<Container>& others,
                                        const std::string& volumes_dir);

}  // namespace burrow::engine
