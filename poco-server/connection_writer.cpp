#include "poco-server/connection_writer.h"

#include <string_view>

#include "base/error.h"

namespace burrow::poco_server {

ConnectionWriter::ConnectionWriter(HijackedConnection& conn, std::size_t capacity) : conn_(conn), capacity_(capacity) {
  buffer_.reserve(capacity_);
}

void ConnectionWriter::write(const char* data, std::size_t n) {
  if (buffer_.size() + n > capacity_) flush();
  if (n >= capacity_)
    conn_.write_all(std::string_view(data, n));
  else
    buffer_.append(data, n);
}

void ConnectionWriter::flush() {
  if (buffer_.empty()) return;
  conn_.write_all(buffer_);
  buffer_.clear();
}

void send_raw_body(RequestContext& ctx, const std::string& content_type, const std::string& component,
                   const std::string& what, const std::function<void(const ByteSink&)>& produce) {
  HijackedConnection conn = ctx.hijack(content_type);
  ConnectionWriter writer(conn);
  try {
    produce([&writer](const char* data, std::size_t n) { writer.write(data, n); });
    writer.flush();
  } catch (const Error& e) {
    // The status is out; ending the body early is all that is left.
    ctx.logger().warn(component, what + ": " + e.what());
  }
}

}  // namespace burrow::poco_server
