#include "base/process_start_time.h"

#include <cstdlib>
#include <string>

#include "base/sys.h"

namespace burrow {

unsigned long long process_start_time(pid_t pid) {
  if (pid <= 0) return 0;
  auto stat = sys::try_read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return 0;
  // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
  auto close = stat->rfind(')');
  if (close == std::string::npos) return 0;
  const char* p = stat->c_str() + close + 1;
  // Field 3 is the state: a zombie (Z) or dead (X) process has exited.
  while (*p == ' ') ++p;
  if (*p == 'Z' || *p == 'X') return 0;
  // The start time is field 22, i.e. the 20th field after ')'.
  for (int field = 3; field < 22; ++field) {
    while (*p == ' ') ++p;
    while (*p && *p != ' ') ++p;
  }
  return std::strtoull(p, nullptr, 10);
}

}  // namespace burrow
