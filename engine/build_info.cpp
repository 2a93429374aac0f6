#include "engine/build_info.h"

#ifndef BURROW_VERSION
#error "BURROW_VERSION must be defined by the build (engine/CMakeLists.txt)"
#endif
#ifndef BURROW_GIT_COMMIT
#error "BURROW_GIT_COMMIT must be defined by the build (engine/CMakeLists.txt)"
#endif

namespace burrow::engine {

const BuildInfo& build_info() {
#if defined(__clang__)
  static const BuildInfo info{BURROW_VERSION, BURROW_GIT_COMMIT, "C++20 (clang++ " __clang_version__ ")"};
#elif defined(__GNUC__)
  static const BuildInfo info{BURROW_VERSION, BURROW_GIT_COMMIT, "C++20 (g++ " __VERSION__ ")"};
#else
  static const BuildInfo info{BURROW_VERSION, BURROW_GIT_COMMIT, "C++20"};
#endif
  return info;
}

}  // namespace burrow::engine
