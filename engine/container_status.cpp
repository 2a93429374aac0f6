#include "engine/container_status.h"

#include <cstdio>

namespace burrow::engine {

std::string human_duration(std::chrono::nanoseconds d) {
  using namespace std::chrono;
  long long s = duration_cast<seconds>(d).count();
  double hours = duration_cast<duration<double, std::ratio<3600>>>(d).count();
  if (s < 1) return "Less than a second";
  if (s < 60) return std::to_string(s) + " seconds";
  long long m = s / 60;
  if (m == 1) return "About a minute";
  if (m < 60) return std::to_string(m) + " minutes";
  long long h = static_cast<long long>(hours);
  if (h == 1) return "About an hour";
  if (h < 48) return std::to_string(h) + " hours";
  if (h < 24 * 7 * 2) return std::to_string(h / 24) + " days";
  if (h < 24 * 30 * 3) return std::to_string(h / 24 / 7) + " weeks";
  if (h < 24 * 365 * 2) return std::to_string(h / 24 / 30) + " months";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%f years", hours / 24 / 365);
  return buf;
}

std::string status_string(const ContainerState& state, TimePoint now) {
  if (state.running) {
    if (state.ghost) return "Ghost";
    auto started = parse_rfc3339(state.started_at);
    auto d = started ? now - *started : TimePoint::duration::zero();
    if (d.count() < 0) d = TimePoint::duration::zero();
    return "Up " + human_duration(std::chrono::duration_cast<std::chrono::nanoseconds>(d));
  }
  return "Exit " + std::to_string(state.exit_code);
}

}  // namespace burrow::engine
