#pragma once
// ShimRelay: burrow-shim's event loop (one thread, poll). It moves the container's output
// (pipes, or the pty master) into the json-file log and to attached clients as frames, keeps
// the last kReplayLimit bytes of frames for clients that ask for a replay, feeds client input
// to the container's stdin (closing it after the first stdin client leaves with stdin_once and
// no tty), answers resize requests, and reaps the container. Keeps working with no client.

#include <sys/types.h>

#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "base/fd.h"
#include "userns/container_launch.h"

namespace burrow {
class Logger;
}

namespace burrow::userns {

class LogWriter;

struct RelayOptions {
  bool tty = false;
  bool open_stdin = false;
  bool stdin_once = false;
};

class ShimRelay {
 public:
  // `log` and `logger` must outlive the relay; `listener` is the listening attach socket.
  ShimRelay(LaunchedContainer container, LogWriter& log, Fd listener, RelayOptions options, Logger& logger);
  ~ShimRelay();

  // Runs until the container exited and its output is drained (or 2 s passed after its exit,
  // for output held open by something else). Returns the wait status. Throws only for a
  // broken poll(2).
  int run();

  // Stops accepting, gives attached clients up to `timeout_ms` to take their pending output,
  // then closes them (they see EOF).
  void finish(int timeout_ms);

 private:
  struct Client;
  void accept_clients();
  void on_output(int stream, int fd);
  void on_client_readable(Client& c);
  void on_client_writable(Client& c);
  void handle_request(Client& c, const std::string& line);
  void flush_stdin();
  void close_stdin();
  void broadcast(int stream, const std::string& frame);
  void drop_closed_clients();
  // True while a live client is kClientBufferLimit or more behind (output reading pauses);
  // drops clients that made no progress for too long.
  bool clients_behind();
  int stdin_target() const;

  LaunchedContainer c_;
  LogWriter& log_;
  Fd listener_;
  RelayOptions options_;
  Logger& logger_;
  std::vector<std::unique_ptr<Client>> clients_;
  std::deque<std::pair<int, std::string>> replay_;  // (stream, frame), oldest first
  size_t replay_bytes_ = 0;
  std::string stdin_buffer_;
  bool stdin_closing_ = false;  // close stdin once stdin_buffer_ is written
  bool stdin_open_ = false;
  bool out_open_ = false, err_open_ = false;
  bool exited_ = false;
  int status_ = 0;
};

}  // namespace burrow::userns
