#include "poco-server/listeners.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <Poco/Exception.h>
#include <Poco/Net/ServerSocketImpl.h>
#include <Poco/Net/SocketAddress.h>

#include <algorithm>
#include <cstring>

#include "base/error.h"
#include "base/sys.h"

namespace burrow::poco_server {

namespace {

// POCO has no public way to wrap an existing listening descriptor; these two subclasses reach
// the protected constructors meant for it.
class AdoptedSocketImpl : public Poco::Net::ServerSocketImpl {
 public:
  explicit AdoptedSocketImpl(int fd) { reset(fd); }
};
class AdoptedServerSocket : public Poco::Net::ServerSocket {
 public:
  explicit AdoptedServerSocket(int fd) : Poco::Net::ServerSocket(new AdoptedSocketImpl(fd), true) {}
};

bool is_listening_stream_socket(int fd) {
  int type = 0, listening = 0;
  socklen_t len = sizeof type;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) != 0 || type != SOCK_STREAM) return false;
  len = sizeof listening;
  return ::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening != 0;
}

// True when something accepts connections on the unix socket at `path`.
bool socket_answers(const std::string& path) {
  Fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) return false;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  return ::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
}

void remove_stale_socket(const std::string& path, const std::string& text, Logger& logger) {
  auto st = sys::try_lstat(path);
  if (!st) return;
  if (!S_ISSOCK(st->st_mode)) {
    throw Error::conflict(text + ": " + path + " exists and is not a socket; move it away or choose another socket with -H");
  }
  if (socket_answers(path)) {
    throw Error::conflict(text + " is already served by another program (it holds no burrowd lock); stop it or choose another socket with -H");
  }
  sys::check(::unlink(path.c_str()), "unlink stale socket", path);
  logger.info("burrowd", "removed stale socket " + path + " left by an earlier burrowd");
}

Poco::Net::ServerSocket bind_unix(const std::string& path, const std::string& text) {
  // The socket is created 0600 (umask) so there is no moment another user could connect.
  mode_t old = ::umask(0177);
  try {
    Poco::Net::ServerSocket socket(Poco::Net::SocketAddress(Poco::Net::SocketAddress::UNIX_LOCAL, path), 128);
    ::umask(old);
    sys::check(::chmod(path.c_str(), 0600), "chmod", path);
    return socket;
  } catch (const Poco::Exception& e) {
    ::umask(old);
    throw Error::io(text + ": cannot listen: " + e.displayText());
  }
}

}  // namespace

Listeners Listeners::open(const std::vector<ListenAddress>& addresses, const std::vector<int>& activated, Logger& logger) {
  Listeners out;
  for (const ListenAddress& a : addresses) {
    switch (a.kind) {
      case ListenAddress::Kind::Unix: {
        Entry e;
        e.description = "unix://" + a.path;
        sys::make_dirs(sys::dirname(a.path), 0700);
        e.lock = InstanceLock::acquire(
            a.path + ".lock", "another burrowd (pid {pid}) is already serving " + e.description +
                                  "; stop it first (kill {pid}, or systemctl --user stop burrow.service) or give this one another socket with -H unix:///path");
        remove_stale_socket(a.path, e.description, logger);
        e.socket = bind_unix(a.path, e.description);
        e.unix_path = a.path;
        if (auto st = sys::try_lstat(a.path)) e.unix_inode = st->st_ino;
        out.entries_.push_back(std::move(e));
        break;
      }
      case ListenAddress::Kind::Tcp: {
        Entry e;
        e.description = "tcp://" + a.host + ":" + std::to_string(a.port);
        try {
          e.socket = Poco::Net::ServerSocket(Poco::Net::SocketAddress(a.host, a.port), 128);
        } catch (const Poco::Exception& ex) {
          throw Error::conflict(e.description + ": cannot listen: " + ex.displayText() +
                                " (is another burrowd or docker using that port? choose another with -H)");
        }
        if (a.host != "127.0.0.1" && a.host != "localhost" && a.host != "::1") {
          logger.warn("burrowd", e.description + " is reachable from other machines and has no authentication: anyone who can connect controls your containers");
        }
        out.entries_.push_back(std::move(e));
        break;
      }
      case ListenAddress::Kind::Fd: {
        std::vector<int> fds;
        if (a.fd >= 0) {
          if (std::find(activated.begin(), activated.end(), a.fd) == activated.end()) {
            throw Error::bad_parameter(a.text + ": descriptor " + std::to_string(a.fd) + " was not passed by systemd (LISTEN_FDS)");
          }
          fds.push_back(a.fd);
        } else {
          fds = activated;
        }
        if (fds.empty()) {
          throw Error::bad_parameter(a.text + ": no sockets were passed (LISTEN_FDS is not set for this process); start burrowd through burrow.socket or use -H unix:///path");
        }
        for (int fd : fds) {
          if (!is_listening_stream_socket(fd)) {
            throw Error::bad_parameter(a.text + ": descriptor " + std::to_string(fd) + " is not a listening stream socket (check ListenStream= in burrow.socket)");
          }
          Entry e;
          e.description = "fd://" + std::to_string(fd);
          e.socket = AdoptedServerSocket(fd);
          out.entries_.push_back(std::move(e));
        }
        break;
      }
    }
  }
  return out;
}

std::vector<Poco::Net::ServerSocket> Listeners::sockets() const {
  std::vector<Poco::Net::ServerSocket> out;
  for (const auto& e : entries_) out.push_back(e.socket);
  return out;
}

std::vector<std::string> Listeners::descriptions() const {
  std::vector<std::string> out;
  for (const auto& e : entries_) out.push_back(e.description);
  return out;
}

void Listeners::close() noexcept {
  for (auto& e : entries_) {
    try {
      e.socket.close();
    } catch (const std::exception&) {
      // Already closed by the server's stop.
    }
    struct stat st;
    if (!e.unix_path.empty() && ::lstat(e.unix_path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode) &&
        st.st_ino == e.unix_inode) {
      ::unlink(e.unix_path.c_str());
    }
  }
  entries_.clear();
}

}  // namespace burrow::poco_server
