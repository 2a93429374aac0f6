#pragma once
// ApiServer: the API's servers, one POCO TCPServer per listening socket, sharing one large
// thread pool, one RequestDispatcher over the routes and one ApiConnectionFactory (each
// connection is served by an ApiConnection on a pool thread). Long-lived requests (events,
// attach, logs -f) each hold a pool thread, hence the large pool. start() and stop() are called
// from one thread.

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/TCPServer.h>
#include <Poco/ThreadPool.h>

#include <chrono>
#include <memory>
#include <vector>

#include "base/logger.h"
#include "poco-server/api_connection.h"
#include "poco-server/request_dispatcher.h"
#include "poco-server/request_limits.h"
#include "poco-server/router.h"

namespace burrow::engine {
class Engine;
}

namespace burrow::poco_server {

struct ApiServerOptions {
  bool cors = false;        // --api-enable-cors
  int max_threads = 256;    // concurrent connections (streams included): --max-connections
  RequestLimits limits;     // --max-json-body, --max-header-bytes
  int keep_alive_seconds = 60;  // an idle keep-alive connection is closed after this
};

class ApiServer {
 public:
  // engine and logger must outlive the server. The sockets are bound and listening.
  ApiServer(Router router, engine::Engine& engine, Logger& logger, std::vector<Poco::Net::ServerSocket> sockets,
            ApiServerOptions options = {});
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  // Starts accepting on every socket.
  void start();
  // Stops accepting, closes the listening sockets, shuts down open connections and waits up to
  // `grace` for running handlers to return. Returns false when some are still running (a stuck
  // stream); the caller may then exit regardless. Idempotent. Call engine.shutdown() first so
  // that event streams end.
  bool stop(std::chrono::milliseconds grace);

  const Router& router() const { return router_; }

 private:
  Router router_;
  RequestDispatcher dispatcher_;
  Poco::ThreadPool pool_;  // destroyed after servers_
  Poco::SharedPtr<ApiConnectionFactory> connections_;
  std::vector<std::unique_ptr<Poco::Net::TCPServer>> servers_;
  bool stopped_ = false;
};

}  // namespace burrow::poco_server
