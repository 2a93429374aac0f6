// burrow-net-probe: a small, statically linked network test and benchmark tool that also runs
// inside a busybox container (whose busybox has no UDP netcat). IPv4 only.
//   tcp-sink PORT              accept connections, read and discard, forever
//   tcp-send HOST PORT MIB     send MIB MiB over one connection; prints "Gbit/s N"
//   tcp-echo PORT              accept connections, echo what arrives, forever
//   tcp-check HOST PORT MIB    send MIB MiB of pseudo-random bytes to an echo server while
//                              reading the echo; prints "ok N bytes" when it came back exactly
//                              (count and content), exits 1 otherwise
//   tcp-source PORT MIB        accept connections, send each MIB MiB, then close, forever
//   tcp-recv HOST PORT         read until EOF; prints "Gbit/s N" (from connect to EOF)
//   tcp-rate HOST PORT SECS    connect, send one byte, read it back, reset; prints
//                              "conn/s N count M"
//   udp-echo PORT              echo every datagram to its sender, forever
//   udp-send HOST PORT TEXT    send TEXT, print the reply (exit 1 after 5 s without one)
//   tcp-get HOST PORT          connect, send nothing, print what arrives until EOF
//   tcp-say HOST PORT TEXT     connect, send TEXT, half-close, print what arrives until EOF
//   unix-call PATH TEXT        the same over a Unix socket (slirp4netns's API socket)
//   tcp-relay LISTEN HOST PORT [CC]
//                              accept on LISTEN, connect to HOST:PORT, splice both ways: the
//                              simplest user-space forwarder (two blocking threads and a 1 MiB
//                              pipe per direction, no epoll), bench/ports's two-hop baseline;
//                              CC names the congestion control of both its sockets
// Servers take PORT (0.0.0.0) or IP:PORT.

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace {

[[noreturn]] void die(const char* what) {
  std::fprintf(stderr, "burrow-net-probe: %s: %s\n", what, std::strerror(errno));
  std::exit(1);
}

sockaddr_in addr_of(const char* host, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host, &a.sin_addr) != 1) {
    errno = EINVAL;
    die("address");
  }
  return a;
}

// "PORT" listens on 0.0.0.0, "IP:PORT" on that address.
int listen_on(const std::string& where, int type) {
  auto colon = where.rfind(':');
  std::string ip = colon == std::string::npos ? "0.0.0.0" : where.substr(0, colon);
  int port = std::atoi(where.c_str() + (colon == std::string::npos ? 0 : colon + 1));
  int s = ::socket(AF_INET, type, 0);
  if (s < 0) die("socket");
  int one = 1;
  ::setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = addr_of(ip.c_str(), port);
  if (::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) die("bind");
  if (type == SOCK_STREAM && ::listen(s, 1024) < 0) die("listen");
  return s;
}

int connect_to(const char* host, int port) {
  int s = ::socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) die("socket");
  sockaddr_in a = addr_of(host, port);
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) die("connect");
  int one = 1;
  ::setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return s;
}

// Writes all `n` bytes; false once a write fails (the peer has gone).
bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Accepts TCP connections on `where` forever; each is handled by `handle` on a thread of its
// own and closed afterwards.
[[noreturn]] void serve_connections(const std::string& where, const std::function<void(int)>& handle) {
  int l = listen_on(where, SOCK_STREAM);
  for (;;) {
    int c = ::accept(l, nullptr, nullptr);
    if (c < 0) continue;
    std::thread([c, handle] {
      handle(c);
      ::close(c);
    }).detach();
  }
}

void serve(const std::string& where, bool echo) {
  serve_connections(where, [echo](int c) {
    std::vector<char> buf(1 << 18);
    for (;;) {
      ssize_t n = ::read(c, buf.data(), buf.size());
      if (n <= 0) break;
      if (echo && !write_all(c, buf.data(), static_cast<size_t>(n))) break;
    }
  });
}

int tcp_send(const char* host, int port, long mib) {
  int s = connect_to(host, port);
  std::vector<char> buf(1 << 20, 'x');
  auto t0 = std::chrono::steady_clock::now();
  for (long i = 0; i < mib; ++i)
    if (!write_all(s, buf.data(), buf.size())) die("write");
  ::shutdown(s, SHUT_WR);
  char c;
  while (::read(s, &c, 1) > 0) {
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("Gbit/s %.2f\n", mib * 8.0 * 1048576 / secs / 1e9);
  return 0;
}

// The stream tcp-check sends: xorshift64 bytes, the same for any chunking.
struct Noise {
  uint64_t state = 0x9e3779b97f4a7c15ull;
  void fill(char* p, size_t n) {
    for (size_t i = 0; i < n; ++i) {
      state ^= state << 13;
      state ^= state >> 7;
      state ^= state << 17;
      p[i] = static_cast<char>(state);
    }
  }
};

int tcp_check(const char* host, int port, long mib) {
  int s = connect_to(host, port);
  uint64_t total = static_cast<uint64_t>(mib) << 20;
  std::thread sender([s, total] {
    Noise noise;
    std::vector<char> buf(65521);  // a prime: chunks never line up with pages
    for (uint64_t sent = 0; sent < total;) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(buf.size(), total - sent));
      noise.fill(buf.data(), n);
      if (!write_all(s, buf.data(), n)) die("write");
      sent += n;
    }
    ::shutdown(s, SHUT_WR);
  });
  Noise expect;
  std::vector<char> buf(100003), want(100003);
  uint64_t got = 0;
  bool same = true;
  for (ssize_t n; (n = ::read(s, buf.data(), buf.size())) > 0;) {
    expect.fill(want.data(), static_cast<size_t>(n));
    if (same && std::memcmp(buf.data(), want.data(), static_cast<size_t>(n)) != 0) {
      std::fprintf(stderr, "burrow-net-probe: echo differs within bytes %llu-%llu\n",
                   static_cast<unsigned long long>(got), static_cast<unsigned long long>(got + n));
      same = false;
    }
    got += static_cast<uint64_t>(n);
  }
  sender.join();
  if (!same || got != total) {
    std::fprintf(stderr, "burrow-net-probe: sent %llu bytes, %llu came back\n",
                 static_cast<unsigned long long>(total), static_cast<unsigned long long>(got));
    return 1;
  }
  std::printf("ok %llu bytes\n", static_cast<unsigned long long>(got));
  return 0;
}

void serve_source(const std::string& where, long mib) {
  serve_connections(where, [mib](int c) {
    std::vector<char> buf(1 << 20, 'x');
    for (long i = 0; i < mib; ++i)
      if (!write_all(c, buf.data(), buf.size())) return;
  });
}

int tcp_recv(const char* host, int port) {
  auto t0 = std::chrono::steady_clock::now();
  int s = connect_to(host, port);
  std::vector<char> buf(1 << 18);
  uint64_t total = 0;
  for (ssize_t n; (n = ::read(s, buf.data(), buf.size())) > 0;) total += static_cast<uint64_t>(n);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("Gbit/s %.2f\n", static_cast<double>(total) * 8 / secs / 1e9);
  return 0;
}

int tcp_rate(const char* host, int port, double seconds) {
  auto t0 = std::chrono::steady_clock::now();
  auto end = t0 + std::chrono::duration<double>(seconds);
  long count = 0;
  while (std::chrono::steady_clock::now() < end) {
    int s = connect_to(host, port);
    char c = 'x';
    if (::write(s, &c, 1) != 1 || ::read(s, &c, 1) != 1) die("round trip");
    // Closed with a reset: thousands of TIME_WAIT entries a second would fill the host's port
    // range and slow every later connect (and every later path measured in the same run).
    linger abort{1, 0};
    ::setsockopt(s, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
    ::close(s);
    ++count;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("conn/s %.0f count %ld\n", count / secs, count);
  return 0;
}

int tcp_get_from(int s) {
  char buf[4096];
  ssize_t n;
  while ((n = ::read(s, buf, sizeof buf)) > 0) std::fwrite(buf, 1, static_cast<size_t>(n), stdout);
  return 0;
}

int tcp_get(const char* host, int port) { return tcp_get_from(connect_to(host, port)); }

int tcp_say(const char* host, int port, const char* text) {
  int s = connect_to(host, port);
  size_t len = std::strlen(text);
  if (!write_all(s, text, len)) die("write");
  ::shutdown(s, SHUT_WR);
  return tcp_get_from(s);
}

int unix_call(const char* path, const char* text) {
  int s = ::socket(AF_UNIX, SOCK_STREAM, 0);
  if (s < 0) die("socket");
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  std::strncpy(a.sun_path, path, sizeof a.sun_path - 1);
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) die("connect");
  size_t len = std::strlen(text);
  if (!write_all(s, text, len)) die("write");
  ::shutdown(s, SHUT_WR);
  return tcp_get_from(s);
}

// Blocking splice from `from` to `to` through a pipe until EOF, then passes the half-close on.
void splice_until_eof(int from, int to) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) die("pipe2");
  ::fcntl(p[1], F_SETPIPE_SZ, 1 << 20);  // best effort, as in burrow-net
  for (;;) {
    ssize_t n = ::splice(from, nullptr, p[1], nullptr, 1 << 20, SPLICE_F_MOVE | SPLICE_F_MORE);
    if (n <= 0) break;
    while (n > 0) {
      ssize_t m = ::splice(p[0], nullptr, to, nullptr, static_cast<size_t>(n), SPLICE_F_MOVE);
      if (m <= 0) break;
      n -= m;
    }
    if (n > 0) break;
  }
  ::shutdown(to, SHUT_WR);
  ::close(p[0]);
  ::close(p[1]);
}

int tcp_relay(const std::string& where, const char* host, int port, const std::string& cc) {
  int l = listen_on(where, SOCK_STREAM);
  for (;;) {
    int c = ::accept4(l, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    int one = 1;
    ::setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    int s = connect_to(host, port);
    for (int fd : {c, s})
      if (!cc.empty() && ::setsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, cc.data(), cc.size()) < 0) die("TCP_CONGESTION");
    std::thread([c, s] {
      std::thread down(splice_until_eof, s, c);
      splice_until_eof(c, s);
      down.join();
      ::close(c);
      ::close(s);
    }).detach();
  }
}

int udp_echo(const std::string& where) {
  int s = listen_on(where, SOCK_DGRAM);
  char buf[65536];
  for (;;) {
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(s, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) continue;
    ::sendto(s, buf, static_cast<size_t>(n), 0, reinterpret_cast<sockaddr*>(&from), len);
  }
}

int udp_send(const char* host, int port, const char* text) {
  int s = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (s < 0) die("socket");
  sockaddr_in a = addr_of(host, port);
  if (::connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) < 0) die("connect");
  // Resend every 250 ms: the first datagram may arrive before the server is up.
  for (int i = 0; i < 20; ++i) {
    if (::send(s, text, std::strlen(text), 0) < 0 && errno != ECONNREFUSED) die("send");
    pollfd p{s, POLLIN, 0};
    if (::poll(&p, 1, 250) > 0) {
      char buf[65536];
      ssize_t n = ::recv(s, buf, sizeof buf, 0);
      if (n >= 0) {
        std::fwrite(buf, 1, static_cast<size_t>(n), stdout);
        std::printf("\n");
        return 0;
      }
    }
  }
  std::fprintf(stderr, "burrow-net-probe: no UDP reply\n");
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "tcp-sink" && argc == 3) serve(argv[2], false);
  if (mode == "tcp-echo" && argc == 3) serve(argv[2], true);
  if (mode == "tcp-send" && argc == 5) return tcp_send(argv[2], std::atoi(argv[3]), std::atol(argv[4]));
  if (mode == "tcp-check" && argc == 5) return tcp_check(argv[2], std::atoi(argv[3]), std::atol(argv[4]));
  if (mode == "tcp-source" && argc == 4) serve_source(argv[2], std::atol(argv[3]));
  if (mode == "tcp-recv" && argc == 4) return tcp_recv(argv[2], std::atoi(argv[3]));
  if (mode == "tcp-rate" && argc == 5) return tcp_rate(argv[2], std::atoi(argv[3]), std::atof(argv[4]));
  if (mode == "tcp-get" && argc == 4) return tcp_get(argv[2], std::atoi(argv[3]));
  if (mode == "tcp-say" && argc == 5) return tcp_say(argv[2], std::atoi(argv[3]), argv[4]);
  if (mode == "tcp-relay" && (argc == 5 || argc == 6))
    return tcp_relay(argv[2], argv[3], std::atoi(argv[4]), argc == 6 ? argv[5] : "");
  if (mode == "unix-call" && argc == 4) return unix_call(argv[2], argv[3]);
  if (mode == "udp-echo" && argc == 3) return udp_echo(argv[2]);
  if (mode == "udp-send" && argc == 5) return udp_send(argv[2], std::atoi(argv[3]), argv[4]);
  std::fprintf(stderr,
               "usage: burrow-net-probe tcp-sink|tcp-echo|udp-echo PORT | tcp-send HOST PORT MIB |"
               " tcp-check HOST PORT MIB | tcp-source PORT MIB | tcp-recv HOST PORT |"
               " tcp-rate HOST PORT SECS | tcp-get HOST PORT | tcp-say HOST PORT TEXT |"
               " tcp-relay LISTEN HOST PORT [CC] | unix-call PATH TEXT | udp-send HOST PORT TEXT\n");
  return 2;
}
