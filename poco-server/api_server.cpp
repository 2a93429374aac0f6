#include "poco-server/api_server.h"

#include <fcntl.h>

#include <thread>

#include "engine/build_info.h"
#include "poco-server/request_dispatcher.h"

namespace burrow::poco_server {

ApiServer::ApiServer(Router router, engine::Engine& engine, Logger& logger,
                     std::vector<Poco::Net::ServerSocket> sockets, ApiServerOptions options)
    : router_(std::move(router)),
      pool_("api", 1, options.max_threads, 10),
      dispatcher_(new RequestDispatcher(router_, engine, logger, options.cors)) {
  for (auto& socket : sockets) {
    // Listening sockets must not leak into the programs burrowd spawns.
    ::fcntl(socket.impl()->sockfd(), F_SETFD, FD_CLOEXEC);
    Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
    params->setMaxThreads(options.max_threads);
    params->setMaxQueued(options.max_threads);
    params->setKeepAlive(true);
    params->setKeepAliveTimeout(Poco::Timespan(options.keep_alive_seconds, 0));
    params->setMaxKeepAliveRequests(0);
    params->setSoftwareVersion("Burrow/" + engine::build_info().version + " (linux)");
    servers_.push_back(std::make_unique<Poco::Net::HTTPServer>(dispatcher_, pool_, socket, params));
  }
}

ApiServer::~ApiServer() { stop(std::chrono::seconds(2)); }

void ApiServer::start() {
  for (auto& server : servers_) server->start();
}

bool ApiServer::stop(std::chrono::milliseconds grace) {
  if (stopped_) return pool_.used() == 0;
  stopped_ = true;
  for (auto& server : servers_) server->stopAll(true);
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (pool_.used() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return pool_.used() == 0;
}

}  // namespace burrow::poco_server
