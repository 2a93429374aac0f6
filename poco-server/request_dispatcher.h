#pragma once
// RequestDispatcher: the API's request handling. For each request it decodes the URI,
// adds CORS headers when enabled, answers OPTIONS (CORS preflight) with 200, finds the route
// (404 "404 page not found" when none), runs the handler with a RequestContext and catches
// everything at the top: burrow::Error becomes its kind's status with a plain-text body, any
// other exception a 500. Thread-safe: the router is read-only while serving.

#include <Poco/Net/HTTPServerRequest.h>
#include <Poco/Net/HTTPServerResponse.h>

#include "base/logger.h"
#include "poco-server/request_limits.h"
#include "poco-server/router.h"

namespace burrow::engine {
class Engine;
}

namespace burrow::poco_server {

class RequestDispatcher {
 public:
  // router, engine and logger must outlive the dispatcher (and the servers using it). A request
  // whose head is above limits.max_header_bytes gets 431 and the connection closes.
  RequestDispatcher(const Router& router, engine::Engine& engine, Logger& logger, bool cors,
                    RequestLimits limits = {});

  // The whole life of one request, from its decoded head to the reply. Never throws for a
  // handler's failure; may throw Poco::Exception when the client's connection breaks.
  void dispatch(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response);

 private:
  const Router& router_;
  engine::Engine& engine_;
  Logger& logger_;
  const bool cors_;
  const RequestLimits limits_;
};

}  // namespace burrow::poco_server
