#include "poco-server/chunked_decoder.h"

#include <algorithm>

#include "base/error.h"

namespace burrow::poco_server {

namespace {

constexpr std::size_t kMaxLine = 4096;         // a chunk-size line with its extensions
constexpr std::size_t kMaxTrailer = 16 << 10;  // all trailer fields together
constexpr std::size_t kMaxSizeDigits = 15;     // below 2^60: no overflow
constexpr std::size_t kPeek = 64;              // a CRLF and a size line fit, with room to spare

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

[[noreturn]] void fail_truncated(const char* where) {
  throw Error::io(std::string("request body: the connection ended ") + where +
                             ", before the last chunk of the chunked body (truncated upload)");
}

}  // namespace

void ChunkedDecoder::fail_invalid(const std::string& detail) {
  state_ = State::kFailed;
  throw Error::io("request body: invalid chunked encoding: " + detail);
}

bool ChunkedDecoder::next_framing_byte(char& c) {
  if (peeked_used_ < peeked_.size()) {
    c = peeked_[peeked_used_++];
    return true;
  }
  if (peek_) {
    consume_peeked();
    char buf[kPeek];
    std::size_t n = peek_(buf, sizeof buf);
    if (n > 0) {
      peeked_.assign(buf, n);
      c = peeked_[peeked_used_++];
      return true;
    }
  }
  return raw_(&c, 1) == 1;
}

void ChunkedDecoder::consume_peeked() {
  char sink[kPeek];
  while (peeked_used_ > 0) {
    // The bytes are on the connection already (they were peeked), so this read does not wait.
    std::size_t n = raw_(sink, peeked_used_);
    if (n == 0) {
      state_ = State::kFailed;
      fail_truncated("in the chunk framing");
    }
    peeked_used_ -= n;
  }
  peeked_.clear();
}

std::string ChunkedDecoder::read_line(const char* what) {
  std::string line;
  for (;;) {
    char c;
    if (!next_framing_byte(c)) {
      state_ = State::kFailed;
      fail_truncated(what);
    }
    if (c == '\n') break;
    if (line.size() == kMaxLine) fail_invalid(std::string(what) + " longer than " + std::to_string(kMaxLine) + " bytes");
    line += c;
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

void ChunkedDecoder::read_size_line() {
  std::string line = read_line("in a chunk header");
  std::size_t i = 0;
  std::uint64_t size = 0;
  for (; i < line.size() && hex_value(line[i]) >= 0; ++i) {
    if (i == kMaxSizeDigits) fail_invalid("chunk size " + line.substr(0, 20) + "... too large");
    size = size * 16 + static_cast<std::uint64_t>(hex_value(line[i]));
  }
  if (i == 0) fail_invalid("chunk header \"" + line.substr(0, 40) + "\" has no size");
  while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
  if (i < line.size() && line[i] != ';') fail_invalid("chunk header \"" + line.substr(0, 40) + "\" is malformed");
  remaining_ = size;
  if (size > 0) {
    state_ = State::kData;
    return;
  }
  read_trailer();
  consume_peeked();  // the connection's next byte is the one after the body
  state_ = State::kDone;
}

void ChunkedDecoder::read_trailer() {
  std::size_t total = 0;
  for (;;) {
    std::string field = read_line("in the trailer after the last chunk");
    if (field.empty()) return;
    total += field.size();
    if (total > kMaxTrailer) fail_invalid("trailer longer than " + std::to_string(kMaxTrailer) + " bytes");
  }
}

std::size_t ChunkedDecoder::read(char* buf, std::size_t n) {
  for (;;) {
    switch (state_) {
      case State::kDone:
        return 0;
      case State::kFailed:
        throw Error::io("request body: read after a failed chunked decode");
      case State::kSize:
        read_size_line();
        break;
      case State::kData: {
        consume_peeked();
        std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(n, remaining_));
        std::size_t got = raw_(buf, want);
        if (got == 0) {
          state_ = State::kFailed;
          fail_truncated("in the middle of a chunk");
        }
        remaining_ -= got;
        if (remaining_ == 0) state_ = State::kDataEnd;
        return got;
      }
      case State::kDataEnd:
        if (!read_line("after a chunk").empty()) fail_invalid("a chunk is longer than its size");
        state_ = State::kSize;
        break;
    }
  }
}

}  // namespace burrow::poco_server
