#pragma once
// Preflight: what a rootless burrowd needs from the host, checked before it starts, each
// problem as one line that says how to fix it (bubblewrap-style hints): user namespaces
// disabled, newuidmap/newgidmap missing, no subordinate id range (single-id fallback,
// announced), /dev/fuse not usable. It also decides the id maps the engine namespace will use,
// and /info shows them. Runs in the host namespaces (before enter_engine_namespace). Forks one
// short-lived probe child; call it while single-threaded or not, either is fine.

#include <sys/types.h>

#include <string>
#include <vector>

#include "userns/id_map.h"

namespace burrow::userns {

struct PreflightOptions {
  uid_t uid = static_cast<uid_t>(-1);  // -1: getuid()
  gid_t gid = static_cast<gid_t>(-1);  // -1: getgid()
  std::string user;                    // empty: the passwd name of uid
  std::string fuse_device = "/dev/fuse";
  // Where newuidmap/newgidmap are looked for (in order); empty: PATH, then /usr/bin, /bin.
  std::vector<std::string> search_path;
};

struct PreflightIssue {
  enum class Severity { Fatal, Warning };
  Severity severity;
  std::string what;     // short key: "userns", "newuidmap", "subuid", "subgid", "fuse"
  std::string message;  // one line: the problem and how to fix it
};

struct PreflightReport {
  bool userns_usable = false;
  bool fuse_usable = false;
  std::string newuidmap;  // full path, empty when missing
  std::string newgidmap;
  // The maps the engine namespace will use: 0 -> uid/gid, 1..N -> the subordinate range; a
  // single entry when single_id_fallback.
  IdMap uid_map;
  IdMap gid_map;
  bool single_id_fallback = true;
  std::vector<PreflightIssue> issues;

  // True when nothing fatal was found (warnings allowed).
  bool ok() const;
  // All messages, one per line, fatal ones first.
  std::string summary() const;
  // "0:1001:1,1:100000:65536" (uid map) for /info.
  std::string id_mapping_text() const { return uid_map.to_text(); }
};

// Runs every check; never throws for a host problem (that becomes an issue). Throws
// Error(Io) only when a check itself cannot run (fork fails).
PreflightReport run_preflight(const PreflightOptions& options = {});

// The hint for an errno from unshare(CLONE_NEWUSER) ("EPERM: sysctl ..."); exposed for tests.
std::string userns_errno_hint(int err);
// The hint for an errno from opening /dev/fuse, naming the device and its group.
std::string fuse_errno_hint(int err, const std::string& device);

}  // namespace burrow::userns
