#pragma once
// The start-up sweep: removes what a burrowd killed mid-operation left under the state root,
// before the stores open. Temporaries of imports, pulls, loads and builds (<root>/tmp/*,
// <root>/registry-tmp/*), FUSE overlays mounted for a build step or a docker cp/export view
// (unmounted first), containers/.rm-* (a removal cut short), container directories without a
// config.json (a create cut short) and *.tmp-<n> files of interrupted atomic writes. The
// rootfs mounts of running containers (adopted later) are never touched. The image store sweeps
// images/ itself (LayerStore, ImageStore). Call only while holding the state root's lock, so
// that nothing else writes below it. Not thread-safe (runs once, single-threaded, at start-up).

#include <string>
#include <vector>

namespace burrow {
class Logger;
}

namespace burrow::engine {

class ContainerManager;

// The file a build puts in its step's container directory while the step runs (RUN): a burrowd
// killed meanwhile leaves a container that only that build knew of.
inline constexpr const char* kBuildStepMarker = "build-step";

// Sweeps `root` (which must exist). Each removal is logged at info level with what it was; a
// path that cannot be removed is logged as a warning and left. Returns the removed paths,
// relative to root ("tmp/build-0123", "containers/.rm-<id>"). Never throws for a single entry;
// throws Error(Io) only when `root` itself cannot be read.
std::vector<std::string> sweep_state_root(const std::string& root, Logger& logger);

// After the containers are loaded and adopted: force-removes each container that still carries
// kBuildStepMarker (its build died with burrowd), as the build would have. Failures are logged.
// Returns the ids removed.
std::vector<std::string> remove_interrupted_build_steps(ContainerManager& containers, Logger& logger);

// Mount points at or below `dir` in this mount namespace, deepest first (from
// /proc/self/mountinfo, with its octal escapes decoded).
std::vector<std::string> mount_points_below(const std::string& dir);

}  // namespace burrow::engine
