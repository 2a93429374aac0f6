#pragma once
// RequestLimits: how much of a request burrowd accepts from a client, set by burrowd's
// --max-json-body and --max-header-bytes (daemon_options.h). The RequestDispatcher refuses a
// request whose head is larger (431) and RequestContext::json_body() a larger JSON body (400).
// POCO's own fixed caps still apply below these: 100 header fields, 8 KiB per field value,
// 16 KiB for the request target. Plain values, copied into whoever applies them.

#include <cstddef>

namespace burrow::poco_server {

struct RequestLimits {
  // A JSON request body (create, start, auth, commit config); create and start bodies are a few KiB.
  std::size_t max_json_body = 4u << 20;
  // The request line and all header fields together, as Go's net/http counts them (Docker 0.8
  // was served by it: its default is 1 MiB).
  std::size_t max_header_bytes = 1u << 20;
};

}  // namespace burrow::poco_server
