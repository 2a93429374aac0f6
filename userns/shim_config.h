#pragma once
// The ContainerSpec as a file (<bundle>/shim.conf) that burrowd writes and burrow-shim reads:
// one "key value" line per field, repeated keys for lists, values escaped (\\ \n \t), so that
// any byte string except NUL survives. Pure functions, thread-safe.

#include <string>

#include "userns/container_runtime.h"

namespace burrow::userns {

std::string serialize_spec(const ContainerSpec& spec);
// Throws Error(BadParameter) naming the line for anything it cannot read.
ContainerSpec parse_spec(const std::string& text);

}  // namespace burrow::userns
