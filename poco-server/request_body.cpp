#include "poco-server/request_body.h"

#include <Poco/Exception.h>
#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/HTTPServerSession.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "base/error.h"
#include "poco-server/chunked_decoder.h"
#include "poco-server/session_reader.h"

namespace burrow::poco_server {

namespace {

constexpr std::size_t kMaxDrain = 1 << 20;  // unread body bytes skipped to keep a connection

}  // namespace

RequestBody::Buf::int_type RequestBody::Buf::underflow() {
  if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
  std::size_t got = source_(buffer_.data(), buffer_.size());
  if (got == 0) return traits_type::eof();
  setg(buffer_.data(), buffer_.data(), buffer_.data() + got);
  return traits_type::to_int_type(*gptr());
}

// Large reads (tar imports) go straight into the caller's buffer once the buffered bytes are used.
std::streamsize RequestBody::Buf::xsgetn(char* out, std::streamsize n) {
  std::streamsize done = 0;
  while (done < n) {
    if (gptr() < egptr()) {
      std::streamsize k = std::min<std::streamsize>(n - done, egptr() - gptr());
      std::memcpy(out + done, gptr(), static_cast<std::size_t>(k));
      gbump(static_cast<int>(k));
      done += k;
      continue;
    }
    std::size_t got = source_(out + done, static_cast<std::size_t>(n - done));
    if (got == 0) break;
    done += static_cast<std::streamsize>(got);
  }
  return done;
}

RequestBody::RequestBody(Poco::Net::HTTPServerRequest& request) : request_(request), stream_(&buf_) {
  stream_.exceptions(std::ios::badbit);
  bool chunked = request.getChunkedTransferEncoding();
  has_length_ = !chunked && request.hasContentLength();
  if (has_length_) expected_ = static_cast<std::uint64_t>(std::max<Poco::Int64>(0, request.getContentLength64()));
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  if (!impl || (!chunked && !has_length_)) return;  // POCO's stream: a body that runs to the connection's end
  // POCO's body stream is never read: the body comes from the session in the caller's block
  // size, each read bounded by what the framing allows, so nothing past the body goes.
  reader_ = std::make_unique<SessionReader>(impl->session());
  if (chunked) {
    SessionReader* r = reader_.get();
    chunked_ = std::make_unique<ChunkedDecoder>([r](char* out, std::size_t n) { return r->read(out, n); },
                                                [r](char* out, std::size_t n) { return r->peek(out, n); });
  }
}

RequestBody::~RequestBody() {
  if (!reader_) return;
  // The rest of a body the handler left (it refused the request early) is skipped, up to
  // kMaxDrain, as the connection loop does for bodies nobody read: the client, still sending,
  // then gets its answer instead of a reset connection.
  try {
    char skip[16384];
    for (std::size_t skipped = 0; !failed_ && !complete() && skipped < kMaxDrain;) {
      std::size_t n = read_some(skip, sizeof skip);
      if (n == 0) break;
      skipped += n;
    }
  } catch (...) {
  }
  // The connection loop drains POCO's body stream before the next request: eof says there is
  // nothing left; bad makes it close the connection (the body was not read to its end).
  try {
    request_.stream().setstate(complete() ? std::ios::eofbit : std::ios::badbit);
  } catch (...) {
  }
}

bool RequestBody::complete() const {
  if (chunked_) return chunked_->complete();
  return has_length_ ? received_ == expected_ : ended_;
}

std::size_t RequestBody::read_source(char* out, std::size_t n) {
  if (chunked_) return chunked_->read(out, n);
  if (reader_) return reader_->read(out, n);
  // The stream buffer, not the istream: its errors (timeouts, resets) come out as exceptions.
  return static_cast<std::size_t>(request_.stream().rdbuf()->sgetn(out, static_cast<std::streamsize>(n)));
}

std::size_t RequestBody::read_some(char* out, std::size_t n) {
  if (has_length_) n = static_cast<std::size_t>(std::min<std::uint64_t>(n, expected_ - received_));
  if (ended_ || n == 0) return 0;
  std::size_t got = 0;
  try {
    got = read_source(out, n);
  } catch (const Poco::Exception& e) {
    failed_ = true;
    throw Error::io("reading the request body: " + e.displayText());
  } catch (...) {
    failed_ = true;
    throw;
  }
  if (got == 0) {
    if (has_length_ && received_ < expected_) {
      failed_ = true;
      throw Error::io("request body: the connection ended after " + std::to_string(received_) + " of " +
                                 std::to_string(expected_) + " bytes (truncated upload)");
    }
    ended_ = true;
    return 0;
  }
  received_ += got;
  return got;
}

}  // namespace burrow::poco_server
