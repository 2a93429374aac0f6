#pragma once
// ChunkedDecoder: decodes a request body sent with Transfer-Encoding: chunked (RFC 9112 §7.1)
// and insists on its end. POCO 1.11's own decoder reports the end of the body when the
// connection ends, also before the terminating 0-chunk, so a client that closes mid-upload would
// look like one that sent a short body (a truncated tar imported, short JSON parsed). This one
// throws instead. It takes from the connection only what the body holds, so a pipelined next
// request stays unread: the framing (size lines, CRLFs, trailer) is looked at with a peek when
// the connection offers one and then consumed to its exact length, else read byte by byte (each
// of the docker CLI's 32 KiB chunks then costs 3 receives instead of 9).
// One per request body; not thread-safe.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>

namespace burrow::poco_server {

class ChunkedDecoder {
 public:
  // Reads at most n bytes of the connection into buf; returns 1..n, or 0 when the connection
  // has ended. It may throw (timeouts, resets); the exception passes through read().
  using RawRead = std::function<std::size_t(char* buf, std::size_t n)>;

  // Copies up to n bytes the connection holds into buf without consuming them, waiting for at
  // least one; 0 when it cannot peek now (the decoder then reads the framing byte by byte) or the
  // connection has ended. It may throw as RawRead does.
  using RawPeek = std::function<std::size_t(char* buf, std::size_t n)>;

  explicit ChunkedDecoder(RawRead raw, RawPeek peek = nullptr) : raw_(std::move(raw)), peek_(std::move(peek)) {}

  // Up to n (> 0) bytes of the body into buf; 0 once the last chunk and its trailer are read.
  // Throws Error(Io) when the connection ends before that ("... before the last chunk ...") or
  // the framing is invalid (a 500, as Docker answered a body it could not read); the decoder is
  // unusable afterwards.
  std::size_t read(char* buf, std::size_t n);

  // Whether the terminating chunk and trailer have been read.
  bool complete() const { return state_ == State::kDone; }

 private:
  enum class State { kSize, kData, kDataEnd, kDone, kFailed };

  std::string read_line(const char* what);  // without CRLF (or a bare LF)
  bool next_framing_byte(char& c);         // false when the connection has ended
  void consume_peeked();                   // takes the framing bytes used from the connection
  void read_size_line();
  void read_trailer();
  [[noreturn]] void fail_invalid(const std::string& detail);

  RawRead raw_;
  RawPeek peek_;
  std::string peeked_;        // bytes peeked at, still on the connection
  std::size_t peeked_used_ = 0;  // of which the framing has used this many (consumed later)
  State state_ = State::kSize;
  std::uint64_t remaining_ = 0;  // bytes left in the current chunk (kData)
};

}  // namespace burrow::poco_server
