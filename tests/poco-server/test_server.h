#pragma once
// TestServer: a real ApiServer serving `router` on a Unix socket, with a real Engine in a
// temporary state root; on destruction both are stopped and the directory removed. Shared by
// the poco-server tests that talk to a server over a socket.

#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/SocketAddress.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/logger.h"
#include "engine/engine.h"
#include "poco-server/api_server.h"
#include "poco-server/router.h"
#include "tests/base/temp_dir.h"

namespace burrow::testing {

struct TestServer {
  TempDir dir;  // first: removed after everything below has stopped
  std::string sock = dir.path + "/api.sock";
  Logger logger{2, false};
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<poco_server::ApiServer> server;

  TestServer(poco_server::Router router, poco_server::ApiServerOptions options) {
    engine = std::make_unique<engine::Engine>(engine::EngineOptions{.root = dir.path + "/state", .logger = logger});
    std::vector<Poco::Net::ServerSocket> sockets;
    sockets.emplace_back(Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, sock));
    server = std::make_unique<poco_server::ApiServer>(std::move(router), *engine, logger, std::move(sockets), options);
    server->start();
  }
  ~TestServer() {
    engine->shutdown();
    server->stop(std::chrono::seconds(3));
    server.reset();
    engine.reset();
  }
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;
};

}  // namespace burrow::testing
