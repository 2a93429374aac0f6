#pragma once
// TcpConnection: one relayed TCP connection of the Forwarder: the accepted client socket and the
// socket connected inside the target namespace. splice(2) moves the bytes of each direction
// through a pipe from the forwarder's PipePool without copying them to user space; a direction
// holds its pipe only while bytes wait in it. End of input in one direction is passed on as
// shutdown(SHUT_WR); the connection retires when both directions have ended or either side
// fails. Used only from the forwarder's thread.

#include <netinet/in.h>

#include <cstddef>
#include <cstdint>

#include "base/fd.h"
#include "userns/net/forwarder.h"
#include "userns/net/pipe_pool.h"

namespace burrow::userns::net {

class TcpConnection {
 public:
  // Takes the accepted client socket and the non-blocking inside socket whose connect() to
  // `target` has been issued; registers both with the forwarder, which must outlive this.
  TcpConnection(Forwarder& forwarder, Fd client, Fd inside, bool connected);
  ~TcpConnection();
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  // Starts a connection for an accepted client: makes the inside socket with `factory`,
  // connects it to `target`. Returns null (client closed) when that fails at once.
  static std::unique_ptr<TcpConnection> open(Forwarder& forwarder, Fd client, const SocketFactory& factory,
                                             const sockaddr_in& target, const std::string& route_name);

 private:
  struct Direction {
    int from = -1, to = -1;
    Pipe pipe;              // from the pool while bytes wait in it, else empty
    bool eof = false;       // `from` reached end of input
    bool shut = false;      // shutdown(to, SHUT_WR) done
  };
  class Side : public EventHandler {
   public:
    Side(TcpConnection& c, bool inside) : c_(c), inside_(inside) {}
    void handle(uint32_t events) override { c_.on_event(inside_, events); }
   private:
    TcpConnection& c_;
    bool inside_;
  };

  void on_event(bool inside, uint32_t events);
  // Moves what it can, then gives an emptied pipe back; false when the direction failed.
  bool pump(Direction& d);
  bool move(Direction& d, bool can_write);
  void finish();

  Forwarder& forwarder_;
  Fd client_, inside_;
  bool connected_;
  bool finished_ = false;
  Direction up_, down_;  // client -> inside, inside -> client
  Side client_side_, inside_side_;
};

}  // namespace burrow::userns::net
