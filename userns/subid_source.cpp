#include "userns/subid_source.h"

#include <pwd.h>
#include <shadow/subid.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "base/error.h"

namespace burrow::userns {

std::vector<SubidRange> subid_ranges(const std::string& user, SubidKind kind) {
  // libsubid prints its own complaints to the stream given to subid_init; send them nowhere
  // so that the caller reports one message. subid_init is not thread-safe: once per process.
  static std::once_flag init_once;
  std::call_once(init_once, [] { subid_init("burrow", nullptr); });
  struct subid_range* ranges = nullptr;
  int n = kind == SubidKind::Uid ? subid_get_uid_ranges(user.c_str(), &ranges)
                                 : subid_get_gid_ranges(user.c_str(), &ranges);
  std::vector<SubidRange> out;
  if (n < 0) {
    std::free(ranges);
    throw Error::io(std::string("libsubid: looking up the subordinate ") + (kind == SubidKind::Uid ? "uid" : "gid") +
                    " ranges of `" + user + "` failed (check /etc/subuid, /etc/subgid and nsswitch.conf)");
  }
  for (int i = 0; i < n; ++i) out.push_back({ranges[i].start, ranges[i].count});
  std::free(ranges);
  return out;
}

std::string user_name_of(uid_t uid) {
  struct passwd pw;
  struct passwd* result = nullptr;
  char buf[4096];
  if (::getpwuid_r(uid, &pw, buf, sizeof buf, &result) != 0 || result == nullptr) return {};
  return pw.pw_name;
}

}  // namespace burrow::userns
