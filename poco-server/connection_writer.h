#pragma once
// ConnectionWriter: sends a long raw body (the tar of docker export and docker save) onto a
// hijacked connection in writes of up to 1 MiB, gathering the small pieces producers hand out
// (libarchive writes 10 KiB blocks). send_raw_body is the route's side of it: hijack, produce,
// flush, and a failure after the status line logged. One writer per response, used by the one
// thread serving it.

#include <cstddef>
#include <functional>
#include <string>

#include "poco-server/request_context.h"

namespace burrow::poco_server {

// Where a producer hands its bytes (image::WriteFn and the engine's export sink have this type).
using ByteSink = std::function<void(const char* data, std::size_t n)>;

class ConnectionWriter {
 public:
  // `conn` must outlive the writer. The destructor writes nothing: call flush() at the end.
  explicit ConnectionWriter(HijackedConnection& conn, std::size_t capacity = 1u << 20);

  // Appends the bytes, writing the buffer out first when they do not fit; a piece at least
  // `capacity` long goes straight to the connection. Throws Error(Io) when the peer has gone.
  void write(const char* data, std::size_t n);
  // Writes what is buffered. Throws Error(Io) when the peer has gone.
  void flush();

 private:
  HijackedConnection& conn_;
  std::size_t capacity_;
  std::string buffer_;
};

// Takes the connection over (ctx.hijack(content_type)), runs `produce` with a sink writing
// through a ConnectionWriter, then flushes. The body ends with the connection (HTTP/1.1
// without a length): POCO's chunked stream would cut it into 4 KiB chunks. An Error from
// `produce` or a write comes after the status line: it is logged as a warning under
// `component` ("<what>: <message>") and ends the body early. A failed hijack throws as
// RequestContext::hijack does, so check for 404s before calling.
void send_raw_body(RequestContext& ctx, const std::string& content_type, const std::string& component,
                   const std::string& what, const std::function<void(const ByteSink&)>& produce);

}  // namespace burrow::poco_server
