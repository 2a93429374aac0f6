#include "userns/shim_relay.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "base/error.h"
#include "base/logger.h"
#include "base/sys.h"
#include "userns/attach_protocol.h"
#include "userns/log_writer.h"

namespace burrow::userns {

namespace {

// Backpressure, as Docker's attach has it: while an attached client is this far behind, the
// shim stops reading the container's output (the container blocks on write) instead of losing
// the client's output. A client that makes no progress for kStalledClientMs while behind has
// stopped reading and is dropped, so it cannot hold the container forever.
constexpr size_t kClientBufferLimit = 8 * 1024 * 1024;
constexpr long long kStalledClientMs = 30000;
constexpr size_t kStdinBufferLimit = 256 * 1024;        // stop reading clients beyond this
constexpr int kDrainAfterExitMs = 2000;

void set_nonblocking(int fd) {
  if (fd < 0) return;
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

long long now_ms() {
  struct timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

}  // namespace

struct ShimRelay::Client {
  Fd fd;
  std::string request;     // the request line while it arrives
  bool ready = false;      // request parsed
  bool want_in = false, want_out = false, want_err = false;
  bool read_closed = false;
  bool dead = false;
  std::string out;         // frames not yet written
  long long last_progress_ms = 0;  // when the client last took bytes (or connected)
};

ShimRelay::ShimRelay(LaunchedContainer container, LogWriter& log, Fd listener, RelayOptions options, Logger& logger)
    : c_(std::move(container)), log_(log), listener_(std::move(listener)), options_(options), logger_(logger) {
  set_nonblocking(listener_.get());
  set_nonblocking(c_.pty_master.get());
  set_nonblocking(c_.stdout_read.get());
  set_nonblocking(c_.stderr_read.get());
  set_nonblocking(c_.stdin_write.get());
  out_open_ = options_.tty ? c_.pty_master.valid() : c_.stdout_read.valid();
  err_open_ = !options_.tty && c_.stderr_read.valid();
  stdin_open_ = options_.open_stdin && (options_.tty ? c_.pty_master.valid() : c_.stdin_write.valid());
}

ShimRelay::~ShimRelay() = default;

int ShimRelay::stdin_target() const { return options_.tty ? c_.pty_master.get() : c_.stdin_write.get(); }

void ShimRelay::accept_clients() {
  for (;;) {
    int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) return;  // EAGAIN, or a transient error: try on the next wake-up
    auto c = std::make_unique<Client>();
    c->fd.reset(fd);
    c->last_progress_ms = now_ms();
    clients_.push_back(std::move(c));
  }
}

void ShimRelay::broadcast(int stream, const std::string& frame) {
  replay_.emplace_back(stream, frame);
  replay_bytes_ += frame.size();
  while (replay_bytes_ > kReplayLimit && !replay_.empty()) {
    replay_bytes_ -= replay_.front().second.size();
    replay_.pop_front();
  }
  for (auto& c : clients_) {
    if (!c->ready || c->dead) continue;
    if (!(stream == 1 ? c->want_out : c->want_err)) continue;
    c->out += frame;
  }
}

bool ShimRelay::clients_behind() {
  bool behind = false;
  for (auto& c : clients_) {
    if (c->dead || c->out.size() < kClientBufferLimit) continue;
    if (now_ms() - c->last_progress_ms > kStalledClientMs) {
      logger_.warn("shim", "dropping an attached client that stopped reading");
      c->dead = true;
      continue;
    }
    behind = true;
  }
  return behind;
}

void ShimRelay::on_output(int stream, int fd) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      std::string_view data(buf, static_cast<size_t>(n));
      log_.write(stream == 1 ? "stdout" : "stderr", data);
      broadcast(stream, encode_frame(static_cast<uint8_t>(stream), data));
      if (clients_behind()) return;  // read more once the slow client caught up
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    // EOF on a pipe, EIO on a pty master once every slave is closed.
    if (stream == 1) out_open_ = false;
    else err_open_ = false;
    if (options_.tty) stdin_open_ = false;
    return;
  }
}

void ShimRelay::handle_request(Client& c, const std::string& line) {
  AttachRequest r;
  try {
    r = parse_attach_request(line);
  } catch (const Error& e) {
    logger_.warn("shim", std::string("bad attach request: ") + e.what());
    c.dead = true;
    return;
  }
  if (r.resize) {
    if (c_.pty_master.valid()) {
      struct winsize ws = {};
      ws.ws_row = static_cast<unsigned short>(r.resize->first);
      ws.ws_col = static_cast<unsigned short>(r.resize->second);
      ::ioctl(c_.pty_master.get(), TIOCSWINSZ, &ws);
    }
    c.dead = true;  // answered by closing
    return;
  }
  c.ready = true;
  c.want_in = r.in && options_.open_stdin;
  c.want_out = r.out;
  c.want_err = r.err || (options_.tty && r.out);
  if (r.replay)
    for (const auto& [stream, frame] : replay_)
      if (stream == 1 ? c.want_out : c.want_err) c.out += frame;
}

void ShimRelay::on_client_readable(Client& c) {
  char buf[65536];
  for (;;) {
    if (c.ready && c.want_in && stdin_buffer_.size() >= kStdinBufferLimit) return;
    ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n <= 0) {
      c.read_closed = true;
      if (!c.ready) {
        c.dead = true;
      } else if (c.want_in && options_.stdin_once && !options_.tty) {
        // The first stdin client is done: the container sees EOF. A tty stays the container's
        // terminal (Docker closes stdin only without one), so later clients can still type.
        stdin_closing_ = true;
      }
      return;
    }
    size_t used = 0;
    if (!c.ready) {
      while (used < static_cast<size_t>(n) && !c.ready && !c.dead) {
        char ch = buf[used++];
        if (ch == '\n') {
          handle_request(c, c.request);
          c.request.clear();
        } else if (c.request.size() >= kMaxRequestLine) {
          c.dead = true;
        } else {
          c.request += ch;
        }
      }
      if (c.dead) return;
    }
    if (c.ready && c.want_in && stdin_open_ && !stdin_closing_) stdin_buffer_.append(buf + used, static_cast<size_t>(n) - used);
  }
}

void ShimRelay::on_client_writable(Client& c) {
  while (!c.out.empty()) {
    ssize_t n = ::send(c.fd.get(), c.out.data(), c.out.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n < 0) {
      c.dead = true;  // the client went away
      return;
    }
    c.out.erase(0, static_cast<size_t>(n));
    c.last_progress_ms = now_ms();
  }
}

void ShimRelay::close_stdin() {
  stdin_buffer_.clear();
  stdin_open_ = false;
  if (!options_.tty) c_.stdin_write.reset();
}

void ShimRelay::flush_stdin() {
  while (stdin_open_ && !stdin_buffer_.empty()) {
    ssize_t n = ::write(stdin_target(), stdin_buffer_.data(), stdin_buffer_.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return;
    if (n < 0) {  // EPIPE: the container closed its stdin
      close_stdin();
      return;
    }
    stdin_buffer_.erase(0, static_cast<size_t>(n));
  }
  if (stdin_closing_ && stdin_buffer_.empty() && stdin_open_) close_stdin();
}

void ShimRelay::drop_closed_clients() {
  std::erase_if(clients_, [](const std::unique_ptr<Client>& c) { return c->dead; });
}

int ShimRelay::run() {
  long long exited_at = 0;
  for (;;) {
    const bool paused = clients_behind();
    // While output is paused for a slow client, the drain time after exit does not run out.
    if (paused && exited_) exited_at = now_ms();
    if (exited_ && (!(out_open_ || err_open_) || now_ms() - exited_at > kDrainAfterExitMs)) break;
    std::vector<struct pollfd> fds;
    enum Slot { kPid, kOut, kErr, kStdin, kListen };
    int slots[5] = {-1, -1, -1, -1, -1};
    auto add = [&](int slot, int fd, short events) {
      slots[slot] = static_cast<int>(fds.size());
      fds.push_back({fd, events, 0});
    };
    if (!exited_) add(kPid, c_.pidfd.get(), POLLIN);
    int out_fd = options_.tty ? c_.pty_master.get() : c_.stdout_read.get();
    if (out_open_ && !paused) add(kOut, out_fd, POLLIN);
    if (err_open_ && !paused) add(kErr, c_.stderr_read.get(), POLLIN);
    if (stdin_open_ && !stdin_buffer_.empty() && !options_.tty) add(kStdin, stdin_target(), POLLOUT);
    if (stdin_open_ && !stdin_buffer_.empty() && options_.tty && slots[kOut] >= 0) fds[slots[kOut]].events |= POLLOUT;
    add(kListen, listener_.get(), POLLIN);
    size_t first_client = fds.size();
    for (auto& c : clients_) {
      short ev = 0;
      if (!c->read_closed && (!c->ready || (c->want_in && stdin_buffer_.size() < kStdinBufferLimit) || !c->want_in)) ev |= POLLIN;
      if (!c->out.empty()) ev |= POLLOUT;
      fds.push_back({c->fd.get(), ev, 0});
    }
    int timeout = exited_ ? 100 : paused ? 1000 : -1;
    int n = ::poll(fds.data(), fds.size(), timeout);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw sys::error_from_errno(errno, "poll", "shim loop");
    }
    auto fired = [&](int slot) { return slots[slot] >= 0 && fds[slots[slot]].revents != 0; };
    if (fired(kOut)) {
      if (fds[slots[kOut]].revents & (POLLIN | POLLHUP | POLLERR)) on_output(1, out_fd);
      if (options_.tty && (fds[slots[kOut]].revents & POLLOUT)) flush_stdin();
    }
    if (fired(kErr)) on_output(2, c_.stderr_read.get());
    if (fired(kStdin)) flush_stdin();
    // Clients: index into fds by order (clients_ may grow below; new ones are polled next time).
    for (size_t i = 0; i < clients_.size() && first_client + i < fds.size(); ++i) {
      short re = fds[first_client + i].revents;
      Client& c = *clients_[i];
      if (re & (POLLIN | POLLHUP | POLLERR)) on_client_readable(c);
      if (re & POLLOUT) on_client_writable(c);
      if ((re & POLLERR) || ((re & POLLHUP) && c.read_closed)) c.dead = true;  // gone both ways
    }
    flush_stdin();
    if (fired(kListen)) accept_clients();
    if (fired(kPid)) {
      int status = 0;
      pid_t r = sys::retry_eintr([&] { return ::waitpid(c_.pid, &status, WNOHANG); });
      if (r == c_.pid) {
        exited_ = true;
        status_ = status;
        exited_at = now_ms();
      }
    }
    // Push freshly queued output without waiting for another round.
    for (auto& c : clients_)
      if (!c->out.empty() && !c->dead) on_client_writable(*c);
    drop_closed_clients();
  }
  log_.flush();
  return status_;
}

void ShimRelay::finish(int timeout_ms) {
  // The caller unlinked the socket path, so no new client can come; those still in the
  // listen backlog connected in time and get served (their replay) like the others.
  accept_clients();
  listener_.reset();
  long long deadline = now_ms() + timeout_ms;
  for (;;) {
    drop_closed_clients();
    std::vector<struct pollfd> fds;
    std::vector<Client*> who;
    for (auto& c : clients_) {
      short ev = 0;
      if (!c->ready && !c->read_closed) ev |= POLLIN;  // its request line is on the way
      if (!c->out.empty()) ev |= POLLOUT;
      if (ev == 0) continue;
      fds.push_back({c->fd.get(), ev, 0});
      who.push_back(c.get());
    }
    long long left = deadline - now_ms();
    if (fds.empty() || left <= 0) break;
    int n = ::poll(fds.data(), fds.size(), static_cast<int>(left));
    if (n < 0 && errno != EINTR) break;
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        if (!who[i]->ready) on_client_readable(*who[i]);
        else if (fds[i].revents & (POLLHUP | POLLERR)) who[i]->dead = true;
      }
      if ((fds[i].revents & POLLOUT) && !who[i]->dead) {
        size_t before = who[i]->out.size();
        on_client_writable(*who[i]);
        // A client still taking its output keeps the shim serving it.
        if (who[i]->out.size() < before) deadline = std::max(deadline, now_ms() + timeout_ms);
      }
    }
  }
  for (auto& c : clients_) ::shutdown(c->fd.get(), SHUT_RDWR);
  clients_.clear();
}

}  // namespace burrow::userns
