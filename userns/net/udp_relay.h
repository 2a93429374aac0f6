#pragma once
// UdpRoute: the UDP side of the Forwarder for one published port. Each client address gets its
// own socket connected to the target inside the namespace (so replies find their way back to
// that client through the listening socket), dropped after it idled for the forwarder's UDP
// timeout, as Docker's userland UDP proxy did. Used only from the forwarder's thread.

#include <netinet/in.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/fd.h"
#include "userns/net/forwarder.h"

namespace burrow::userns::net {

class UdpRoute : public EventHandler {
 public:
  // `forwarder` must outlive the route; registers the listener.
  UdpRoute(Forwarder& forwarder, Route route);
  ~UdpRoute() override;

  void handle(uint32_t events) override;  // datagrams from clients
  // Drops sessions idle since before `now - timeout`.
  void expire(std::chrono::steady_clock::time_point now);
  size_t sessions() const { return sessions_.size(); }

 private:
  struct ClientKey {
    uint32_t addr;
    uint16_t port;
    auto operator<=>(const ClientKey&) const = default;
  };
  class Session : public EventHandler {
   public:
    Session(UdpRoute& route, sockaddr_in client, Fd inside);
    ~Session() override;
    void handle(uint32_t events) override;  // replies from inside
    int fd() const { return inside_.get(); }
    std::chrono::steady_clock::time_point last_active;
   private:
    UdpRoute& route_;
    sockaddr_in client_;
    Fd inside_;
  };

  Session* session_for(const sockaddr_in& client);

  Forwarder& forwarder_;
  Route route_;
  std::map<ClientKey, std::unique_ptr<Session>> sessions_;
  std::vector<char> buffer_;
};

}  // namespace burrow::userns::net
