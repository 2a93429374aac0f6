// libFuzzer target: the Dockerfile parser (build/dockerfile_parser.h) and $VAR substitution on
// arbitrary text. Malformed input must end in Error(BadParameter), nothing else.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/error.h"
#include "build/dockerfile_parser.h"

using namespace burrow::build;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& i : parse_dockerfile(text)) {
      if (i.keyword.empty()) __builtin_trap();
      (void)i.text();
    }
  } catch (const burrow::Error& e) {
    if (e.kind() != burrow::Error::Kind::BadParameter) __builtin_trap();
  }
  std::vector<std::string> out;
  parse_json_string_array(text, out);
  (void)substitute_env(text, {"A=1", "PATH=/bin", "EMPTY="});
  return 0;
}
