#pragma once
// The shim's attach socket protocol (<bundle>/attach.sock). A client writes one request line
// of JSON and then either streams (attach) or is answered and closed (resize):
//   {"stdin":true,"stdout":true,"stderr":false,"replay":false}\n
//   {"resize":[rows,cols]}\n
// Output comes as frames [stream(1 stdout, 2 stderr),0,0,0,len_be32] + bytes (Docker's
// stdcopy header). "replay" first sends the output kept since the container started (up to
// kReplayLimit bytes, oldest dropped first), then live output. Pure functions, thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace burrow::userns {

constexpr size_t kReplayLimit = 1024 * 1024;
constexpr size_t kMaxRequestLine = 1024;

struct AttachRequest {
  bool in = false, out = false, err = false;
  bool replay = false;
  std::optional<std::pair<unsigned, unsigned>> resize;  // rows, cols
};

// The 8-byte header plus the bytes.
std::string encode_frame(uint8_t stream, std::string_view data);
// Parses a frame header: nullopt unless 8 bytes with zero padding.
std::optional<std::pair<uint8_t, uint32_t>> decode_frame_header(std::string_view header);

// The request line, with its '\n'.
std::string encode_attach_request(const AttachRequest& r);
// Parses a request line (without or with '\n'); throws Error(BadParameter) when it is not one.
AttachRequest parse_attach_request(std::string_view line);

}  // namespace burrow::userns
