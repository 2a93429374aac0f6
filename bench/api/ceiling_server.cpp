// The ceiling for bench/api/run.sh: the least an HTTP/1.1 server over a Unix socket can do per
// request on this machine, with burrowd's connection model (one thread per connection, blocking
// reads, keep-alive). It reads each request head up to the blank line and answers every request
// with the same small reply ("200 OK", body "OK") in one write. No parsing beyond that, no
// routing, no bodies; not part of the product or of ctest.
//   ceiling_server SOCKET
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>

namespace {

constexpr char kReply[] =
    "HTTP/1.1 200 OK\r\nApi-Version: 1.9\r\nContent-Length: 2\r\nContent-Type: text/plain; charset=utf-8\r\n"
    "Date: Thu, 01 Jan 2026 00:00:00 GMT\r\nServer: ceiling\r\n\r\nOK";

void serve(int fd) {
  std::string buf;
  char tmp[16384];
  for (;;) {
    std::size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::read(fd, tmp, sizeof tmp);
      if (n <= 0) {
        ::close(fd);
        return;
      }
      buf.append(tmp, static_cast<std::size_t>(n));
    }
    buf.erase(0, end + 4);
    if (::write(fd, kReply, sizeof kReply - 1) != static_cast<ssize_t>(sizeof kReply - 1)) {
      ::close(fd);
      return;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: ceiling_server SOCKET\n");
    return 2;
  }
  std::signal(SIGPIPE, SIG_IGN);
  int listener = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, argv[1], sizeof addr.sun_path - 1);
  ::unlink(argv[1]);
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::listen(listener, 128) != 0) {
    std::perror("ceiling_server");
    return 1;
  }
  for (;;) {
    int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd >= 0) std::thread(serve, fd).detach();
  }
}
