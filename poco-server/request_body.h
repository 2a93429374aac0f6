#pragma once
// RequestBody: the body of one request as a std::istream that fails loudly. POCO 1.11 ends a
// body quietly when the connection ends early (a chunked body without its 0-chunk, a
// Content-Length body short of its length) and turns read errors (timeouts, resets) into a bare
// badbit, so a handler would take a truncated upload for a whole one. Here each of these throws
// Error(Io) out of the stream's read calls, naming what happened (a 500, as Docker answered a
// body it could not read). A Content-Length or chunked body (ChunkedDecoder) is read straight from
// the request's HTTP session by a SessionReader, in the caller's block size (POCO reads 4 KiB at
// a time); POCO's own body stream is then left alone, and marked on destruction so that the
// connection loop keeps the connection only after a completely read body. One per request,
// used by the thread serving it; the request must outlive it.

#include <Poco/Net/HTTPServerRequest.h>

#include <array>
#include <cstdint>
#include <functional>
#include <istream>
#include <memory>
#include <streambuf>

namespace burrow::poco_server {

class ChunkedDecoder;
class SessionReader;

class RequestBody {
 public:
  explicit RequestBody(Poco::Net::HTTPServerRequest& request);
  ~RequestBody();
  RequestBody(const RequestBody&) = delete;
  RequestBody& operator=(const RequestBody&) = delete;

  // Reads throw (badbit is in exceptions()); the stream reaches eof only at the body's real end.
  std::istream& stream() { return stream_; }
  // Whether the whole body has been read.
  bool complete() const;

 private:
  // Bytes of the body from the source, 0 at its end; throws on truncation or failure.
  using Source = std::function<std::size_t(char*, std::size_t)>;

  class Buf : public std::streambuf {
   public:
    explicit Buf(Source source) : source_(std::move(source)) {}

   protected:
    int_type underflow() override;
    std::streamsize xsgetn(char* out, std::streamsize n) override;

   private:
    Source source_;
    std::array<char, 16384> buffer_;
  };

  std::size_t read_some(char* out, std::size_t n);    // the Source
  std::size_t read_source(char* out, std::size_t n);  // 1..n bytes from the decoder, reader or POCO

  Poco::Net::HTTPServerRequest& request_;
  // Set for a chunked or Content-Length body of a real server request (an HTTPServerRequestImpl).
  std::unique_ptr<SessionReader> reader_;
  std::unique_ptr<ChunkedDecoder> chunked_;  // set for a chunked one; reads through reader_
  bool has_length_ = false;
  std::uint64_t expected_ = 0;  // Content-Length, when there is one
  std::uint64_t received_ = 0;
  bool ended_ = false;   // the source reported the end
  bool failed_ = false;  // a read threw: the rest is not skipped on destruction
  Buf buf_{[this](char* out, std::size_t n) { return read_some(out, n); }};
  std::istream stream_;
};

}  // namespace burrow::poco_server
