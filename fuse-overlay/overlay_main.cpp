// burrow-overlay: the standalone union filesystem program.
//   burrow-overlay [-f] [-d] -o lowerdir=A:B:C,upperdir=U,workdir=W MOUNTPOINT
//   burrow-overlay --changes -o lowerdir=A:B,upperdir=U     (prints C/A/D lines)
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/logger.h"
#include "fuse-overlay/changes.h"
#include "fuse-overlay/overlay_options.h"
#include "fuse-overlay/overlay_session.h"

using namespace burrow;
using namespace burrow::fuse_overlay;

namespace {

int print_changes(const std::vector<std::string>& args) {
  OverlayOptions o = parse_overlay_args(args, true);
  for (const auto& c : changes(o.upperdir, o.lowerdirs)) std::cout << format_change(c) << "\n";
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  bool changes_mode = false;
  for (size_t i = 1; i < args.size(); ++i) {
    if (args[i] == "--help" || args[i] == "-h") {
      std::cout << overlay_usage(args[0]);
      return 0;
    }
    if (args[i] == "--version" || args[i] == "-V") {
      std::cout << "burrow-overlay 0.1.0\n";
      return 0;
    }
    if (args[i] == "--changes") {
      changes_mode = true;
      args.erase(args.begin() + static_cast<long>(i));
      --i;
    }
  }
  // Errors before the mount (bad arguments) still go to the readiness descriptor.
  int ready_fd = -1;
  for (const auto& a : args)
    if (a.rfind("--ready-fd=", 0) == 0) ready_fd = std::atoi(a.c_str() + 11);
  Logger logger(2, false);
  try {
    if (changes_mode) return print_changes(args);
    OverlayOptions options = parse_overlay_args(args);
    logger.set_debug(options.debug);
    return run_overlay(options, logger);
  } catch (const Error& e) {
    logger.error("burrow-overlay", e.what());
    if (ready_fd >= 0) {
      std::string line = std::string(e.what()) + "\n";
      [[maybe_unused]] ssize_t n = ::write(ready_fd, line.data(), line.size());
    }
    return 1;
  }
}
