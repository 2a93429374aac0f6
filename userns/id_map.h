#pragma once
// IdMap: a user-namespace id mapping (the lines of /proc/PID/uid_map), its text form for /info
// ("0:1001:1,1:100000:65536", inside:outside:count joined by commas), and the map burrow plans
// for a user: 0 -> the user's own id, then 1..N -> the subordinate range. Plain values.

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace burrow::userns {

struct IdMapEntry {
  uint32_t inside = 0;
  uint32_t outside = 0;
  uint32_t count = 0;
  bool operator==(const IdMapEntry&) const = default;
};

// A subordinate id range as /etc/subuid (or another libsubid source) grants it.
struct SubidRange {
  uint64_t start = 0;
  uint64_t count = 0;
  bool operator==(const SubidRange&) const = default;
};

class IdMap {
 public:
  IdMap() = default;
  explicit IdMap(std::vector<IdMapEntry> entries) : entries_(std::move(entries)) {}

  // 0 -> own_id (count 1), then the ranges in order at inside ids 1, 1+count0, ...
  // Ranges are clipped so that inside ids stay below 2^32-1.
  static IdMap planned(uint32_t own_id, const std::vector<SubidRange>& ranges);
  // Parses the kernel's format ("         0       1001          1\n" per line). Throws
  // Error(BadParameter) on a malformed line.
  static IdMap parse_proc(const std::string& text);
  // Parses the text form "0:1001:1,1:100000:65536". Throws Error(BadParameter).
  static IdMap parse_text(const std::string& text);
  // The map of the calling process's user namespace ("uid_map" or "gid_map").
  static IdMap read_current(const char* which);

  const std::vector<IdMapEntry>& entries() const { return entries_; }
  bool empty() const { return entries_.empty(); }
  // True when the map is the single-id fallback: exactly one entry of count 1.
  bool single_id() const { return entries_.size() == 1 && entries_[0].count == 1; }
  // The outside id of an inside id, or nullopt when unmapped.
  std::optional<uint32_t> to_outside(uint32_t inside) const;
  // The inside id of an outside id, or nullopt when unmapped.
  std::optional<uint32_t> to_inside(uint32_t outside) const;

  // "0:1001:1,1:100000:65536"
  std::string to_text() const;
  // "0 1001 1\n1 100000 65536\n": what /proc/PID/uid_map accepts.
  std::string to_proc() const;
  // Arguments for newuidmap/newgidmap after the pid: "0","1001","1","1","100000","65536".
  std::vector<std::string> to_newidmap_args() const;

  bool operator==(const IdMap&) const = default;

 private:
  std::vector<IdMapEntry> entries_;
};

}  // namespace burrow::userns
