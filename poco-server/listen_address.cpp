#include "poco-server/listen_address.h"

#include <sys/un.h>

#include "base/error.h"

namespace burrow::poco_server {

namespace {

Error bad(const std::string& value, const std::string& why) {
  return Error::bad_parameter("invalid -H value '" + value + "': " + why +
                              " (use unix:///path/to/socket, tcp://127.0.0.1:PORT or fd://)");
}

bool all_digits(const std::string& s) { return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos; }

}  // namespace

ListenAddress ListenAddress::parse(const std::string& value) {
  ListenAddress a;
  a.text = value;
  if (value.rfind("unix://", 0) == 0) {
    a.kind = Kind::Unix;
    a.path = value.substr(7);
    if (a.path.empty() || a.path[0] != '/') throw bad(value, "the socket path must be absolute");
    if (a.path.size() >= sizeof(sockaddr_un{}.sun_path)) {
      throw bad(value, "the socket path is longer than " + std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) + " bytes");
    }
    return a;
  }
  if (value.rfind("tcp://", 0) == 0) {
    a.kind = Kind::Tcp;
    std::string rest = value.substr(6);
    if (!rest.empty() && rest.back() == '/') rest.pop_back();
    auto colon = rest.rfind(':');
    if (colon == std::string::npos) throw bad(value, "a port is required");
    a.host = rest.substr(0, colon);
    if (a.host.size() >= 2 && a.host.front() == '[' && a.host.back() == ']') a.host = a.host.substr(1, a.host.size() - 2);
    if (a.host.empty()) a.host = "127.0.0.1";
    std::string port = rest.substr(colon + 1);
    if (!all_digits(port) || port.size() > 5 || std::stoul(port) == 0 || std::stoul(port) > 65535) {
      throw bad(value, "the port must be a number from 1 to 65535");
    }
    a.port = static_cast<std::uint16_t>(std::stoul(port));
    return a;
  }
  if (value.rfind("fd://", 0) == 0) {
    a.kind = Kind::Fd;
    std::string n = value.substr(5);
    if (!n.empty()) {
      if (!all_digits(n) || n.size() > 6) throw bad(value, "fd:// takes a descriptor number");
      a.fd = std::stoi(n);
    }
    return a;
  }
  throw bad(value, "unknown scheme");
}

}  // namespace burrow::poco_server
