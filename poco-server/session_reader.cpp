#include "poco-server/session_reader.h"

#include <sys/socket.h>

#include <Poco/Buffer.h>
#include <Poco/Exception.h>
#include <Poco/Net/HTTPBufferAllocator.h>
#include <Poco/Net/HTTPFixedLengthStream.h>

#include <algorithm>
#include <climits>
#include <cstring>

namespace burrow::poco_server {

namespace {

// The most POCO's session buffers: HTTPSession::refill receives one block of this size, and
// only while a request head is parsed (get/peek), never while a body is read.
constexpr std::size_t kSessionBuffer = Poco::Net::HTTPBufferAllocator::BUFFER_SIZE;

}  // namespace

std::size_t SessionReader::read(char* out, std::size_t n) {
  if (n == 0) return 0;
  if (!drained_ && n >= kSessionBuffer) {
    // Whatever POCO buffered fits within the n bytes the caller may take, so all of it belongs
    // to the body: take it at once, and read the socket directly from now on.
    drained_ = true;
    Poco::Buffer<char> buffered(0);
    session_.drainBuffer(buffered);
    if (buffered.size() > n) {
      // Only a POCO whose session buffer outgrew BUFFER_SIZE: fail rather than overrun `out`.
      throw Poco::IllegalStateException("POCO buffered more of the request than its buffer size");
    }
    if (buffered.size() > 0) {
      std::memcpy(out, buffered.begin(), buffered.size());
      return buffered.size();
    }
  }
  if (drained_) return receive(out, n, 0);
  // A small read while POCO may still hold bytes past it (chunk framing, a short body): POCO's
  // fixed-length reader takes them from its buffer first and never reads more than n.
  Poco::Net::HTTPFixedLengthStreamBuf bounded(session_, static_cast<Poco::Int64>(n), std::ios::in);
  return static_cast<std::size_t>(bounded.sgetn(out, static_cast<std::streamsize>(n)));
}

std::size_t SessionReader::peek(char* out, std::size_t n) {
  if (!drained_ || n == 0) return 0;
  return receive(out, n, MSG_PEEK);
}

std::size_t SessionReader::receive(char* out, std::size_t n, int flags) {
  int got = session_.socket().receiveBytes(out, static_cast<int>(std::min<std::size_t>(n, INT_MAX)), flags);
  // The session's socket blocks, so receiveBytes returns data, 0 at the peer's end, or throws.
  return static_cast<std::size_t>(std::max(got, 0));
}

}  // namespace burrow::poco_server
