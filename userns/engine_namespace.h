#pragma once
// The engine namespace: one user namespace (0 -> the user, 1..N -> the subordinate range, or
// the single-id fallback) plus a mount namespace, kept alive by a tiny holder process recorded
// in <state_root>/engine-ns.pid ("PID STARTTIME"), so burrowd can exit and join it again.
// The holder exits by itself when the state directory is deleted or the record names another
// process. enter_engine_namespace() makes the calling process root inside it. The kernel lets only a
// single-threaded process join a user namespace: call it first thing in main, before POCO or
// anything else starts a thread.

#include "base/process_start_time.h"
#include <sys/types.h>

#include <string>

#include "userns/id_map.h"

namespace burrow {
class Logger;
}

namespace burrow::userns {

struct EngineNamespaceOptions {
  std::string state_root;          // created (0700) if missing; holds engine-ns.pid
  Logger* logger = nullptr;        // optional; the fallback warning and holder start are logged
  // The maps to write when a holder is created: normally PreflightReport::uid_map/gid_map.
  // Empty: planned here from libsubid (single-id fallback when there is no range).
  IdMap uid_map;
  IdMap gid_map;
  std::string newuidmap = "newuidmap";  // program used for a multi-entry map
  std::string newgidmap = "newgidmap";
};

struct EngineNamespace {
  pid_t holder_pid = -1;
  bool created = false;       // true: a new holder was started; false: an existing one joined
  IdMap uid_map;              // as the kernel reports it from inside (/proc/self/uid_map)
  IdMap gid_map;
  bool single_id = false;     // the single-id fallback is in use
  bool setgroups_allowed = true;  // false in the single-id fallback ("deny" was written)
  std::string id_mapping_text() const { return uid_map.to_text(); }
};

// Joins the holder recorded in the state dir if it is alive (pid and start time match), or
// starts a new holder and joins it. Afterwards the caller is uid/gid 0 in the namespace with
// all its capabilities, its mount namespace has / recursively slave, and the cwd is kept.
// Throws Error naming the step ("newuidmap 1234: ...", "setns user: ...") with a hint when the
// user can fix it. Single-threaded callers only (checked: BadParameter otherwise).
EngineNamespace enter_engine_namespace(const EngineNamespaceOptions& options);

// The live holder recorded under state_root, or -1 (no record, dead, or a recycled pid).
pid_t engine_namespace_holder(const std::string& state_root);

// Stops the holder recorded under state_root (SIGKILL, after checking its start time) and
// removes the record. Containers still running in the namespace keep it alive until they exit.
// Returns true when a holder was stopped. Call it from outside the namespace or inside, either.
bool stop_engine_namespace(const std::string& state_root);

// Used to reject a recycled pid (base/process_start_time.h).
using ::burrow::process_start_time;

}  // namespace burrow::userns
