#include "userns/id_map.h"

#include <sstream>

#include "base/error.h"
#include "base/sys.h"

namespace burrow::userns {

namespace {

uint32_t parse_u32(const std::string& s, const std::string& whole) {
  if (s.empty() || s.size() > 10 || s.find_first_not_of("0123456789") != std::string::npos)
    throw Error::bad_parameter("id map `" + whole + "`: `" + s + "` is not a number");
  uint64_t v = std::stoull(s);
  if (v > 0xffffffffULL) throw Error::bad_parameter("id map `" + whole + "`: `" + s + "` is out of range");
  return static_cast<uint32_t>(v);
}

}  // namespace

IdMap IdMap::planned(uint32_t own_id, const std::vector<SubidRange>& ranges) {
  std::vector<IdMapEntry> entries{{0, own_id, 1}};
  uint64_t next_inside = 1;
  constexpr uint64_t kLimit = 0xffffffffULL;  // (uint32_t)-1 is never a valid id
  for (const auto& r : ranges) {
    if (r.count == 0 || next_inside >= kLimit || r.start > kLimit) continue;
    uint64_t count = r.count;
    if (next_inside + count > kLimit) count = kLimit - next_inside;
    if (r.start + count > kLimit) count = kLimit - r.start;
    if (count == 0) continue;
    entries.push_back({static_cast<uint32_t>(next_inside), static_cast<uint32_t>(r.start), static_cast<uint32_t>(count)});
    next_inside += count;
  }
  return IdMap(std::move(entries));
}

IdMap IdMap::parse_proc(const std::string& text) {
  std::vector<IdMapEntry> entries;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string a, b, c, extra;
    if (!(fields >> a)) continue;  // blank line
    if (!(fields >> b >> c) || (fields >> extra)) throw Error::bad_parameter("id map line `" + line + "`: expected 3 fields");
    entries.push_back({parse_u32(a, line), parse_u32(b, line), parse_u32(c, line)});
  }
  return IdMap(std::move(entries));
}

IdMap IdMap::parse_text(const std::string& text) {
  std::vector<IdMapEntry> entries;
  if (text.empty()) return IdMap();
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    size_t c1 = item.find(':');
    size_t c2 = c1 == std::string::npos ? std::string::npos : item.find(':', c1 + 1);
    if (c2 == std::string::npos || item.find(':', c2 + 1) != std::string::npos)
      throw Error::bad_parameter("id map `" + text + "`: expected inside:outside:count, got `" + item + "`");
    entries.push_back({parse_u32(item.substr(0, c1), text), parse_u32(item.substr(c1 + 1, c2 - c1 - 1), text),
                       parse_u32(item.substr(c2 + 1), text)});
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return IdMap(std::move(entries));
}

IdMap IdMap::read_current(const char* which) {
  return parse_proc(sys::read_file(std::string("/proc/self/") + which));
}

std::optional<uint32_t> IdMap::to_outside(uint32_t inside) const {
  for (const auto& e : entries_)
    if (inside >= e.inside && static_cast<uint64_t>(inside) < static_cast<uint64_t>(e.inside) + e.count)
      return e.outside + (inside - e.inside);
  return std::nullopt;
}

std::optional<uint32_t> IdMap::to_inside(uint32_t outside) const {
  for (const auto& e : entries_)
    if (outside >= e.outside && static_cast<uint64_t>(outside) < static_cast<uint64_t>(e.outside) + e.count)
      return e.inside + (outside - e.outside);
  return std::nullopt;
}

std::string IdMap::to_text() const {
  std::string out;
  for (const auto& e : entries_) {
    if (!out.empty()) out += ',';
    out += std::to_string(e.inside) + ":" + std::to_string(e.outside) + ":" + std::to_string(e.count);
  }
  return out;
}

std::string IdMap::to_proc() const {
  std::string out;
  for (const auto& e : entries_)
    out += std::to_string(e.inside) + " " + std::to_string(e.outside) + " " + std::to_string(e.count) + "\n";
  return out;
}

std::vector<std::string> IdMap::to_newidmap_args() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) {
    out.push_back(std::to_string(e.inside));
    out.push_back(std::to_string(e.outside));
    out.push_back(std::to_string(e.count));
  }
  return out;
}

}  // namespace burrow::userns
