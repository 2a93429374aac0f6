#pragma once
// ApiClient: one client connection to burrowd's Unix socket speaking HTTP/1.1 by hand, for the
// load test (hardening_load_test.sh). Requests reuse the connection (keep-alive) and reconnect
// when the daemon closed it; attach() takes a fresh connection over (hijack) and reads the raw
// stream to its end. Every read and write has a timeout, so a stuck daemon fails the test
// instead of hanging it. Not thread-safe: one ApiClient per client thread.

#include <chrono>
#include <stdexcept>
#include <string>

namespace burrow::load_test {

struct Response {
  int status = 0;
  std::string headers;  // the head, lower-cased, without the status line
  std::string body;     // de-chunked
};

// A failure of the transport (connect, read, write, timeout, malformed HTTP).
struct TransportError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class ApiClient {
 public:
  ApiClient(std::string socket_path, std::chrono::seconds timeout);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // One request on the kept-alive connection. A non-empty body is sent as application/json.
  // Throws TransportError; an HTTP error status is a normal Response.
  Response request(const std::string& method, const std::string& path, const std::string& body = "");

  // POST `path` (an attach URL) on a new connection with Upgrade: tcp, checks the 101/200 head,
  // calls `started()` (to start the container from the kept-alive connection), then returns
  // every byte of the raw stream up to the daemon's close. Throws TransportError.
  template <typename Started>
  std::string attach(const std::string& path, Started started) {
    int fd = open_attach(path);
    try {
      started();
    } catch (...) {
      close_fd(fd);
      throw;
    }
    return read_to_end(fd);
  }

 private:
  int connect_socket() const;
  int open_attach(const std::string& path);
  std::string read_to_end(int fd);  // closes fd
  static void close_fd(int fd);
  Response exchange(const std::string& message);

  std::string socket_path_;
  std::chrono::seconds timeout_;
  int fd_ = -1;         // the kept-alive connection, -1 when closed
  std::string buffer_;  // bytes read past the last response on fd_
  std::string attach_early_;  // stream bytes that arrived with the attach response head
};

// Splits a multiplexed attach/logs stream (8-byte frames: stream, 0, 0, 0, big-endian size)
// into stdout and stderr. Returns false when the stream ends inside a frame.
bool demultiplex(const std::string& stream, std::string& out, std::string& err);

}  // namespace burrow::load_test
