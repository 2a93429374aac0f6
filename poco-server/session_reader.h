#pragma once
// SessionReader: reads a request body from the connection of a POCO HTTP session in the
// caller's block size. POCO 1.11's body streams receive 4 KiB per call (a 96 MB import cost
// ~24,500 recv calls); this reader takes the bytes POCO buffered behind the request head first,
// then receives straight into the caller's buffer, never more than asked, so bytes past the
// body (a pipelined next request) stay on the connection for POCO to parse. One per request
// body, used by the thread serving it; the session must outlive it.

#include <Poco/Net/HTTPSession.h>

#include <cstddef>

namespace burrow::poco_server {

class SessionReader {
 public:
  explicit SessionReader(Poco::Net::HTTPSession& session) : session_(session) {}

  // Reads 1..n bytes of the connection into out (n > 0), or returns 0 once the peer has closed
  // its end. Reads no byte beyond those n. A read of fewer than HTTPBufferAllocator::BUFFER_SIZE
  // bytes while POCO may still hold buffered ones waits for all n (POCO's own bounded reader).
  // Throws what POCO's socket throws (Poco::Exception: timeouts, resets).
  std::size_t read(char* out, std::size_t n);

  // Copies up to n bytes that read() would return next into out without consuming them, waiting
  // for at least one. Returns 0 when the peer has closed, and also while POCO may still hold
  // buffered bytes (before the first read of at least HTTPBufferAllocator::BUFFER_SIZE bytes):
  // the caller then reads instead. Throws as read() does.
  std::size_t peek(char* out, std::size_t n);

 private:
  std::size_t receive(char* out, std::size_t n, int flags);  // one recv on the socket

  Poco::Net::HTTPSession& session_;
  bool drained_ = false;  // POCO's session buffer is empty for the rest of the body
};

}  // namespace burrow::poco_server
