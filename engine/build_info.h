#pragma once
// BuildInfo: what /version and --version report about this build: the project version and git
// commit CMake recorded, and the compiler in place of Docker's GoVersion. Immutable.

#include <string>

namespace burrow::engine {

struct BuildInfo {
  std::string version;     // "0.1.0" (CMake project version)
  std::string git_commit;  // short commit CMake saw at configure time, or "unknown"
  std::string compiler;    // "C++20 (g++ 12.2.0)"
};

const BuildInfo& build_info();

}  // namespace burrow::engine
