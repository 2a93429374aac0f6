#pragma once
// Listeners: the API's listening sockets, opened from the -H addresses. A unix socket gets its
// directory (created 0700), an InstanceLock next to it (<path>.lock: a second burrowd on the same
// socket stops with a clear message and leaves the first serving), a stale socket file from a
// crashed burrowd removed, and mode 0600. tcp:// binds the address; fd:// adopts the sockets
// systemd passed (socket activation). close() removes the socket files this process created.
// Not thread-safe; used by burrowd's main thread.

#include <Poco/Net/ServerSocket.h>

#include <string>
#include <sys/types.h>
#include <vector>

#include "base/logger.h"
#include "poco-server/instance_lock.h"
#include "poco-server/listen_address.h"

namespace burrow::poco_server {

class Listeners {
 public:
  // Opens every address in order. `activated` are the descriptors systemd passed (for fd://).
  // Throws Error: Conflict when a socket is in use (by another burrowd: its pid and how to
  // proceed), BadParameter for an fd:// without such a socket, Io/Unavailable otherwise, each
  // naming the address. On failure, what was opened so far is closed again.
  static Listeners open(const std::vector<ListenAddress>& addresses, const std::vector<int>& activated, Logger& logger);

  Listeners() = default;
  Listeners(Listeners&&) = default;
  Listeners& operator=(Listeners&&) = default;
  ~Listeners() { close(); }

  std::vector<Poco::Net::ServerSocket> sockets() const;
  std::vector<std::string> descriptions() const;
  // Closes the sockets and removes the unix socket files, if they are still the ones we made.
  void close() noexcept;

 private:
  struct Entry {
    Poco::Net::ServerSocket socket;
    std::string description;
    std::string unix_path;  // removed at close()
    ino_t unix_inode = 0;
    InstanceLock lock;
  };
  std::vector<Entry> entries_;
};

}  // namespace burrow::poco_server
