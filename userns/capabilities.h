#pragma once
// CapabilityPlan: the capabilities a container keeps, decided before clone (libcap) and applied
// by the container init with async-signal-safe calls only. Default: Docker 0.8's set (all but
// the 14 that dockerinit dropped: SETPCAP SYS_MODULE SYS_RAWIO SYS_PACCT SYS_ADMIN SYS_NICE
// SYS_RESOURCE SYS_TIME SYS_TTY_CONFIG MKNOD AUDIT_WRITE AUDIT_CONTROL MAC_OVERRIDE MAC_ADMIN);
// Privileged: every capability of the user namespace. Move-only (owns a cap_t).

#include <sys/capability.h>

#include <string>
#include <vector>

namespace burrow::userns {

class CapabilityPlan {
 public:
  // Docker 0.8's default set. Throws Error(Io) when libcap cannot allocate.
  static CapabilityPlan docker08_default();
  // All capabilities (Privileged).
  static CapabilityPlan all();

  CapabilityPlan(CapabilityPlan&& other) noexcept;
  CapabilityPlan& operator=(CapabilityPlan&& other) noexcept;
  CapabilityPlan(const CapabilityPlan&) = delete;
  CapabilityPlan& operator=(const CapabilityPlan&) = delete;
  ~CapabilityPlan();

  // Names of the kept capabilities in libcap's spelling ("cap_chown"), ascending by value.
  std::vector<std::string> kept_names() const;
  const std::vector<int>& dropped() const { return dropped_; }

  // In the container init, before changing uid: removes the dropped capabilities from the
  // bounding set. Returns 0 or an errno. Async-signal-safe; never throws.
  int drop_bounding() const noexcept;
  // After the uid change, for uid 0 only: sets permitted, effective and inheritable to the
  // kept set. Returns 0 or an errno. Async-signal-safe (libcap without psx); never throws.
  int apply_to_process() const noexcept;

 private:
  CapabilityPlan() = default;
  std::vector<int> dropped_;
  cap_t kept_ = nullptr;
};

}  // namespace burrow::userns
