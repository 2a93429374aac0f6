#include "userns/capabilities.h"

#include <linux/capability.h>
#include <sys/prctl.h>

#include <algorithm>
#include <cerrno>

#include "base/error.h"

namespace burrow::userns {

namespace {

constexpr int kDocker08Dropped[] = {
    CAP_SETPCAP,   CAP_SYS_MODULE,     CAP_SYS_RAWIO, CAP_SYS_PACCT,   CAP_SYS_ADMIN,
    CAP_SYS_NICE,  CAP_SYS_RESOURCE,   CAP_SYS_TIME,  CAP_SYS_TTY_CONFIG, CAP_MKNOD,
    CAP_AUDIT_WRITE, CAP_AUDIT_CONTROL, CAP_MAC_OVERRIDE, CAP_MAC_ADMIN,
};

// The highest capability this kernel knows (libcap asks the kernel).
int last_cap() {
  int n = static_cast<int>(cap_max_bits());
  return n > 0 ? n - 1 : CAP_LAST_CAP;
}

}  // namespace

CapabilityPlan CapabilityPlan::all() {
  CapabilityPlan p;
  p.kept_ = cap_init();
  if (p.kept_ == nullptr) throw Error::io("cap_init: out of memory");
  std::vector<cap_value_t> values;
  for (int c = 0; c <= last_cap(); ++c) values.push_back(c);
  for (cap_flag_t f : {CAP_PERMITTED, CAP_EFFECTIVE, CAP_INHERITABLE})
    if (cap_set_flag(p.kept_, f, static_cast<int>(values.size()), values.data(), CAP_SET) < 0)
      throw Error::io("cap_set_flag failed");
  return p;
}

CapabilityPlan CapabilityPlan::docker08_default() {
  CapabilityPlan p = all();
  for (int c : kDocker08Dropped) {
    if (c > last_cap()) continue;
    p.dropped_.push_back(c);
    cap_value_t v = c;
    for (cap_flag_t f : {CAP_PERMITTED, CAP_EFFECTIVE, CAP_INHERITABLE})
      if (cap_set_flag(p.kept_, f, 1, &v, CAP_CLEAR) < 0) throw Error::io("cap_set_flag failed");
  }
  std::sort(p.dropped_.begin(), p.dropped_.end());
  return p;
}

CapabilityPlan::CapabilityPlan(CapabilityPlan&& o) noexcept : dropped_(std::move(o.dropped_)), kept_(o.kept_) {
  o.kept_ = nullptr;
}

CapabilityPlan& CapabilityPlan::operator=(CapabilityPlan&& o) noexcept {
  if (this != &o) {
    if (kept_) cap_free(kept_);
    dropped_ = std::move(o.dropped_);
    kept_ = o.kept_;
    o.kept_ = nullptr;
  }
  return *this;
}

CapabilityPlan::~CapabilityPlan() {
  if (kept_) cap_free(kept_);
}

std::vector<std::string> CapabilityPlan::kept_names() const {
  std::vector<std::string> out;
  for (int c = 0; c <= last_cap(); ++c) {
    cap_flag_value_t v = CAP_CLEAR;
    if (cap_get_flag(kept_, c, CAP_PERMITTED, &v) == 0 && v == CAP_SET) {
      char* name = cap_to_name(c);
      out.emplace_back(name ? name : std::to_string(c));
      cap_free(name);
    }
  }
  return out;
}

int CapabilityPlan::drop_bounding() const noexcept {
  for (int c : dropped_)
    if (::prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL) return errno;
  return 0;
}

int CapabilityPlan::apply_to_process() const noexcept {
  if (cap_set_proc(kept_) < 0) return errno;
  return 0;
}

}  // namespace burrow::userns
