// libFuzzer target: the shim's attach protocol (userns/attach_protocol.h): request lines and frame
// headers from a hostile peer. Parsing either throws Error(BadParameter) or gives a value that
// encodes back to something that parses to the same value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/error.h"
#include "userns/attach_protocol.h"

using namespace burrow::userns;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  if (auto header = decode_frame_header(in.substr(0, 8))) {
    std::string frame = encode_frame(header->first, std::string(header->second % 64, 'x'));
    auto again = decode_frame_header(std::string_view(frame).substr(0, 8));
    if (!again || again->first != header->first || again->second != header->second % 64) __builtin_trap();
  }
  try {
    AttachRequest r = parse_attach_request(in);
    AttachRequest back = parse_attach_request(encode_attach_request(r));
    if (back.in != r.in || back.out != r.out || back.err != r.err || back.replay != r.replay ||
        back.resize != r.resize)
      __builtin_trap();
  } catch (const burrow::Error&) {
  }
  return 0;
}
