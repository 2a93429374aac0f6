#include "poco-server/api_server.h"

#include <fcntl.h>

#include <Poco/Net/HTTPServerParams.h>

#include <thread>

#include "engine/build_info.h"
#include "poco-server/api_socket.h"

namespace burrow::poco_server {

namespace {

Poco::Net::HTTPServerParams::Ptr make_params(const ApiServerOptions& options) {
  Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
  params->setMaxThreads(options.max_threads);
  params->setMaxQueued(options.max_threads);
  params->setThreadIdleTime(Poco::Timespan(10, 0));
  params->setKeepAlive(true);
  params->setKeepAliveTimeout(Poco::Timespan(options.keep_alive_seconds, 0));
  // The receive timeout bounds both an idle keep-alive wait and a stalled request.
  params->setTimeout(Poco::Timespan(options.keep_alive_seconds, 0));
  params->setMaxKeepAliveRequests(0);
  params->setSoftwareVersion("Burrow/" + engine::build_info().version + " (linux)");
  return params;
}

}  // namespace

ApiServer::ApiServer(Router router, engine::Engine& engine, Logger& logger,
                     std::vector<Poco::Net::ServerSocket> sockets, ApiServerOptions options)
    : router_(std::move(router)),
      dispatcher_(router_, engine, logger, options.cors, options.limits),
      pool_("api", 1, options.max_threads, 10) {
  Poco::Net::HTTPServerParams::Ptr params = make_params(options);
  connections_ = new ApiConnectionFactory(dispatcher_, params);
  for (auto& socket : sockets) {
    // Listening sockets must not leak into the programs burrowd spawns.
    ::fcntl(socket.impl()->sockfd(), F_SETFD, FD_CLOEXEC);
    servers_.push_back(std::make_unique<Poco::Net::TCPServer>(connections_, pool_, ApiListenSocket(socket), params));
  }
}

ApiServer::~ApiServer() { stop(std::chrono::seconds(2)); }

void ApiServer::start() {
  for (auto& server : servers_) server->start();
}

bool ApiServer::stop(std::chrono::milliseconds grace) {
  if (!stopped_) {
    stopped_ = true;
    for (auto& server : servers_) server->stop();
    connections_->shutdown_all();
  }
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (pool_.used() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pool_.used() == 0;
}

}  // namespace burrow::poco_server
