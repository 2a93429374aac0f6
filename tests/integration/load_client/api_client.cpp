#include "tests/integration/load_client/api_client.h"

#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>

namespace burrow::load_test {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Appends what one read() returns; false at the peer's close. Throws on error or timeout.
bool fill(int fd, std::string& buffer) {
  char chunk[65536];
  for (;;) {
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n > 0) {
      buffer.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) throw TransportError("read timed out");
    throw TransportError(std::string("read: ") + std::strerror(errno));
  }
}

void write_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw TransportError(std::string("write: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
}

// Reads until the end of the head; returns its length including the blank line.
std::size_t read_head(int fd, std::string& buffer) {
  std::size_t end;
  while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
    if (buffer.size() > (1u << 20)) throw TransportError("response head above 1 MiB");
    if (!fill(fd, buffer)) throw TransportError(buffer.empty() ? "connection closed before a response"
                                                               : "connection closed inside a response head");
  }
  return end + 4;
}

int parse_status(const std::string& head) {
  if (head.rfind("HTTP/1.", 0) != 0 || head.size() < 12) throw TransportError("bad status line: " + head.substr(0, 40));
  return std::atoi(head.c_str() + 9);
}

// Decodes a chunked body starting at buffer[pos]; consumes it (and the trailer) from buffer.
std::string read_chunked(int fd, std::string& buffer, std::size_t pos) {
  std::string body;
  for (;;) {
    std::size_t line_end;
    while ((line_end = buffer.find("\r\n", pos)) == std::string::npos) {
      if (!fill(fd, buffer)) throw TransportError("connection closed inside a chunked body");
    }
    std::size_t size = std::strtoul(buffer.c_str() + pos, nullptr, 16);
    pos = line_end + 2;
    while (buffer.size() < pos + size + 2) {
      if (!fill(fd, buffer)) throw TransportError("connection closed inside a chunk");
    }
    if (size == 0) {
      // No trailers from burrowd: the last chunk is followed by the final CRLF.
      buffer.erase(0, pos + 2);
      return body;
    }
    body.append(buffer, pos, size);
    pos += size + 2;
  }
}

}  // namespace

ApiClient::ApiClient(std::string socket_path, std::chrono::seconds timeout)
    : socket_path_(std::move(socket_path)), timeout_(timeout) {}

ApiClient::~ApiClient() { close_fd(fd_); }

void ApiClient::close_fd(int fd) {
  if (fd >= 0) ::close(fd);
}

int ApiClient::connect_socket() const {
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw TransportError(std::string("socket: ") + std::strerror(errno));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, socket_path_.c_str(), sizeof addr.sun_path - 1);
  timeval tv{static_cast<time_t>(timeout_.count()), 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    int e = errno;
    ::close(fd);
    throw TransportError("connect " + socket_path_ + ": " + std::strerror(e));
  }
  return fd;
}

Response ApiClient::request(const std::string& method, const std::string& path, const std::string& body) {
  std::string message = method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: burrow-load-client\r\n";
  if (!body.empty()) message += "Content-Type: application/json\r\n";
  if (!body.empty() || method == "POST") message += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  message += "\r\n" + body;
  return exchange(message);
}

Response ApiClient::exchange(const std::string& message) {
  if (fd_ < 0) {
    fd_ = connect_socket();
    buffer_.clear();
  }
  try {
    write_all(fd_, message);
    std::size_t head_len = read_head(fd_, buffer_);
    Response r;
    std::string head = buffer_.substr(0, head_len);
    r.status = parse_status(head);
    r.headers = lower(head.substr(head.find("\r\n") + 2));
    bool keep = r.headers.find("connection: close") == std::string::npos;
    if (r.headers.find("transfer-encoding: chunked") != std::string::npos) {
      r.body = read_chunked(fd_, buffer_, head_len);
    } else if (auto cl = r.headers.find("content-length:"); cl != std::string::npos) {
      std::size_t length = std::strtoul(r.headers.c_str() + cl + 15, nullptr, 10);
      while (buffer_.size() < head_len + length) {
        if (!fill(fd_, buffer_)) throw TransportError("connection closed inside a body");
      }
      r.body = buffer_.substr(head_len, length);
      buffer_.erase(0, head_len + length);
    } else {
      // Neither length nor chunks: the body runs to the close.
      while (fill(fd_, buffer_)) {
      }
      r.body = buffer_.substr(head_len);
      keep = false;
    }
    if (!keep) {
      close_fd(fd_);
      fd_ = -1;
    }
    return r;
  } catch (...) {
    close_fd(fd_);
    fd_ = -1;
    throw;
  }
}

int ApiClient::open_attach(const std::string& path) {
  int fd = connect_socket();
  try {
    write_all(fd, "POST " + path +
                      " HTTP/1.1\r\nHost: localhost\r\nUser-Agent: burrow-load-client\r\nContent-Length: 0\r\n"
                      "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n");
    std::string head;
    std::size_t head_len = read_head(fd, head);
    int status = parse_status(head);
    if (status != 101 && status != 200) throw TransportError("attach answered " + head.substr(0, head.find("\r\n")));
    // The raw stream starts right after the head; keep what came with it.
    attach_early_ = head.substr(head_len);
    return fd;
  } catch (...) {
    close_fd(fd);
    throw;
  }
}

std::string ApiClient::read_to_end(int fd) {
  std::string stream = std::move(attach_early_);
  attach_early_.clear();
  try {
    while (fill(fd, stream)) {
    }
  } catch (...) {
    close_fd(fd);
    throw;
  }
  close_fd(fd);
  return stream;
}

bool demultiplex(const std::string& stream, std::string& out, std::string& err) {
  std::size_t pos = 0;
  while (pos + 8 <= stream.size()) {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(stream[pos + i]); };
    std::size_t size = (std::size_t{byte(4)} << 24) | (std::size_t{byte(5)} << 16) | (std::size_t{byte(6)} << 8) | byte(7);
    if (pos + 8 + size > stream.size()) return false;
    (byte(0) == 2 ? err : out).append(stream, pos + 8, size);
    pos += 8 + size;
  }
  return pos == stream.size();
}

}  // namespace burrow::load_test
