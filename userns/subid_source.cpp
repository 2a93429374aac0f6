#include "userns/subid_source.h"

#include <pwd.h>
#include <shadow/subid.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>

#include "base/error.h"
#include "base/shared_library.h"

namespace burrow::userns {

std::vector<SubidRange> subid_ranges(const std::string& user, SubidKind kind) {
  // libsubid is opened for the lookup and closed after it: burrowd needs it only at start, and
  // it would otherwise keep itself and its SELinux, PAM and audit libraries resident. Its state
  // (subid_init) is not thread-safe, hence one lookup at a time.
  static std::mutex lookup_mutex;
  std::lock_guard<std::mutex> lock(lookup_mutex);
  // libsubid prints its own complaints to the stream given to subid_init; send them nowhere so
  // that the caller reports one message. The stream is ours and outlives the library; without a
  // program name libsubid allocates nothing that would leak once it is unloaded.
  std::unique_ptr<FILE, int (*)(FILE*)> devnull(std::fopen("/dev/null", "we"), &std::fclose);
  if (!devnull) throw Error::io("libsubid: cannot open /dev/null", errno);
  SharedLibrary libsubid = SharedLibrary::open(BURROW_LIBSUBID_SONAME, "install libsubid4");
  libsubid.function<decltype(&::subid_init)>("subid_init")(nullptr, devnull.get());
  auto get_ranges = kind == SubidKind::Uid ? libsubid.function<decltype(&::subid_get_uid_ranges)>("subid_get_uid_ranges")
                                           : libsubid.function<decltype(&::subid_get_gid_ranges)>("subid_get_gid_ranges");
  struct subid_range* ranges = nullptr;
  int n = get_ranges(user.c_str(), &ranges);
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
