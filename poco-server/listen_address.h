#pragma once
// ListenAddress: one -H value of burrowd: unix:///path, tcp://HOST:PORT or fd:// (every socket
// systemd passed) / fd://N (one of them). A plain value.

#include <cstdint>
#include <string>

namespace burrow::poco_server {

struct ListenAddress {
  enum class Kind { Unix, Tcp, Fd };
  Kind kind = Kind::Unix;
  std::string path;        // Unix: absolute socket path
  std::string host;        // Tcp: host (default 127.0.0.1)
  std::uint16_t port = 0;  // Tcp
  int fd = -1;             // Fd: the descriptor, or -1 for all passed ones
  std::string text;        // as given, for messages

  // Throws Error(BadParameter) with the accepted forms when `value` is none of them.
  static ListenAddress parse(const std::string& value);
};

}  // namespace burrow::poco_server
