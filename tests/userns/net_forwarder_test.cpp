// The forwarder's relays without namespaces: the "inside" is this process's own loopback, so
// these run as any user; tests/integration/net_forwarder_test.sh covers the namespaces.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "base/error.h"
#include "base/sys.h"
#include "userns/net/forwarder.h"
#include "userns/net/host_ports.h"
#include "tests/userns/net_harness.h"

using namespace burrow;
using namespace burrow::userns::net;
using namespace burrow::userns::net::testing;

TEST_CASE("TCP is relayed both ways, and a half-close passes through", "[net][forwarder]") {
  Fd server = bind_socket("127.0.0.1", 0, Proto::Tcp);
  set_blocking(server.get());
  int server_port = port_of(server.get());
  // The server reads everything until EOF, then answers with its byte count and closes.
  std::thread srv([&] {
    Fd c(::accept4(server.get(), nullptr, nullptr, SOCK_CLOEXEC));
    std::vector<char> buf(1 << 16);
    size_t total = 0;
    for (size_t n; (n = sys::read_some(c.get(), buf.data(), buf.size())) > 0;) total += n;
    sys::write_all(c.get(), "got " + std::to_string(total));
  });
  Harness h(Proto::Tcp, server_port);
  Fd client = blocking_connect(h.port);
  std::string chunk(1 << 20, 'x');
  for (int i = 0; i < 16; ++i) sys::write_all(client.get(), chunk);
  ::shutdown(client.get(), SHUT_WR);
  CHECK(sys::read_fd(client.get()) == "got " + std::to_string(16u << 20));
  srv.join();
}

TEST_CASE("a refused inside connection closes the client", "[net][forwarder]") {
  Fd unused = bind_socket("127.0.0.1", 0, Proto::Udp);  // a port nobody listens on for TCP
  Harness h(Proto::Tcp, port_of(unused.get()));
  Fd client = blocking_connect(h.port);
  char c;
  ssize_t n = ::read(client.get(), &c, 1);
  CHECK(n <= 0);
}

TEST_CASE("many connections at once are relayed independently", "[net][forwarder]") {
  Fd server = bind_socket("127.0.0.1", 0, Proto::Tcp);
  set_blocking(server.get());
  int server_port = port_of(server.get());
  constexpr int kClients = 50;
  std::thread srv([&] {
    std::vector<std::thread> workers;
    for (int i = 0; i < kClients; ++i) {
      int c = ::accept4(server.get(), nullptr, nullptr, SOCK_CLOEXEC);
      workers.emplace_back([c] {
        Fd conn(c);
        char buf[256];
        for (size_t n; (n = sys::read_some(conn.get(), buf, sizeof buf)) > 0;) sys::write_all(conn.get(), buf, n);
      });
    }
    for (auto& w : workers) w.join();
  });
  Harness h(Proto::Tcp, server_port);
  std::vector<Fd> clients;
  for (int i = 0; i < kClients; ++i) clients.push_back(blocking_connect(h.port));
  for (int i = 0; i < kClients; ++i) sys::write_all(clients[i].get(), "client " + std::to_string(i));
  for (int i = 0; i < kClients; ++i) {
    ::shutdown(clients[i].get(), SHUT_WR);
    CHECK(sys::read_fd(clients[i].get()) == "client " + std::to_string(i));
  }
  srv.join();
  clients.clear();
  // Every relay retires once both sides closed.
  for (int i = 0; i < 100 && h.forwarder.open_connections() > 0; ++i) ::usleep(10000);
  CHECK(h.forwarder.accepted() == kClients);
}

TEST_CASE("UDP datagrams are relayed per client and replies come back", "[net][forwarder]") {
  Fd server = bind_socket("127.0.0.1", 0, Proto::Udp);
  set_blocking(server.get());
  int server_port = port_of(server.get());
  std::atomic<bool> done{false};
  std::thread srv([&] {
    char buf[2048];
    while (!done) {
      pollfd p{server.get(), POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      sockaddr_in from{};
      socklen_t len = sizeof from;
      ssize_t n = ::recvfrom(server.get(), buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n <= 0) continue;
      std::string reply = "echo " + std::string(buf, static_cast<size_t>(n));
      ::sendto(server.get(), reply.data(), reply.size(), 0, reinterpret_cast<sockaddr*>(&from), len);
    }
  });
  Harness h(Proto::Udp, server_port);
  for (int i = 0; i < 3; ++i) {
    Fd c = blocking_connect(h.port, SOCK_DGRAM);
    std::string msg = "ping " + std::to_string(i);
    ::send(c.get(), msg.data(), msg.size(), 0);
    pollfd p{c.get(), POLLIN, 0};
    REQUIRE(::poll(&p, 1, 5000) == 1);
    char buf[2048];
    ssize_t n = ::recv(c.get(), buf, sizeof buf, 0);
    CHECK(std::string(buf, static_cast<size_t>(std::max<ssize_t>(n, 0))) == "echo " + msg);
  }
  done = true;
  srv.join();
}

TEST_CASE("host ports: a taken port is a clear conflict and nothing stays bound", "[net][ports]") {
  HostPortBinder binder;
  Fd taken = bind_socket("127.0.0.1", 0, Proto::Tcp);
  int taken_port = port_of(taken.get());
  Fd free_probe = bind_socket("127.0.0.1", 0, Proto::Tcp);
  int free_port = port_of(free_probe.get());
  free_probe.reset();
  try {
    binder.bind({{"127.0.0.1", free_port, {80, Proto::Tcp}}, {"127.0.0.1", taken_port, {81, Proto::Tcp}}});
    FAIL("bind should have failed");
  } catch (const Error& e) {
    CHECK(e.kind() == Error::Kind::Conflict);
    CHECK(std::string(e.what()) ==
          "Bind for 127.0.0.1:" + std::to_string(taken_port) + "/tcp failed: port is already allocated");
  }
  // The first port was released again.
  CHECK_NOTHROW(bind_socket("127.0.0.1", free_port, Proto::Tcp));
}

TEST_CASE("host ports: random ports come from 49153-65535 and differ", "[net][ports]") {
  HostPortBinder binder;
  auto ports = binder.bind({{"127.0.0.1", 0, {80, Proto::Tcp}}, {"127.0.0.1", 0, {81, Proto::Tcp}},
                            {"127.0.0.1", 0, {53, Proto::Udp}}});
  REQUIRE(ports.size() == 3);
  for (const auto& p : ports) {
    CHECK(p.port.host_port >= kFirstRandomPort);
    CHECK(p.port.host_port <= kLastRandomPort);
    CHECK(port_of(p.socket.get()) == p.port.host_port);
  }
  CHECK(ports[0].port.host_port != ports[1].port.host_port);
}
