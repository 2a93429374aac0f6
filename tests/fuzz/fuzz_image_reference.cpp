// libFuzzer target: image names from requests (image/reference.h): parse_reference, the repository
// and tag validators and the Hub name folding. A name either fails with Error(BadParameter) or
// parses to a valid reference that parses again to itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "image/reference.h"

using namespace burrow::image;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view name(reinterpret_cast<const char*>(data), size);
  (void)split_repository_tag(name);
  (void)looks_like_id_prefix(name);
  try {
    Reference r = parse_reference(name);
    validate_repository(r.repository);
    if (!r.tag.empty()) validate_tag(r.tag);
    Reference again = parse_reference(r.to_string());
    if (again.repository != r.repository || again.tag != r.tag) __builtin_trap();
    (void)qualified_repository(r.repository);
    (void)registry_of(r.repository);
  } catch (const burrow::Error& e) {
    if (e.kind() != burrow::Error::Kind::BadParameter) __builtin_trap();
  }
  return 0;
}
