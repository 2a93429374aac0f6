// ContainerManager's read side: output streams for attach and logs (the JSON-lines log,
// followed with inotify on the bundle directory, which also sees state.json being replaced),
// stdin forwarding to the shim's attach socket, changes and sizes.
#include <poll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>

#include "base/error.h"
#include "base/sys.h"
#include "engine/container_files.h"
#include "engine/container_log.h"
#include "engine/container_manager.h"
#include "engine/container_time.h"
#include "userns/attach_protocol.h"
#include "fuse-overlay/changes.h"
#include "image/image_store.h"

namespace burrow::engine {

namespace {

void emit(const std::vector<LogEntry>& entries, const StreamRequest& r, const OutputSink& sink) {
  for (const auto& e : entries) {
    int stream = e.stream == "stderr" ? 2 : 1;
    if ((stream == 1 && !r.stdout_) || (stream == 2 && !r.stderr_)) continue;
    sink(stream, e.log, e.time);
  }
}

std::string run_marker(const ContainerState& s) { return s.started_at + "|" + s.finished_at; }

void emit_frame(int stream, std::string_view data, const StreamRequest& r, const OutputSink& sink) {
  if ((stream == 1 && !r.stdout_) || (stream == 2 && !r.stderr_)) return;
  sink(stream, data, now_rfc3339_nano());
}

enum class Wake { kChange, kShutdown, kClientGone };

// Waits until the inotify fd, the shutdown eventfd or the client (hang-up only: docker run
// half-closes its end at once when it sends no stdin) has something, at most `timeout_ms`.
Wake wait_for_events(int inotify_fd, int shutdown_fd, int client_fd, int timeout_ms) {
  struct pollfd fds[3] = {{inotify_fd, POLLIN, 0}, {shutdown_fd, POLLIN, 0}, {client_fd, 0, 0}};
  int n = ::poll(fds, client_fd >= 0 ? 3 : 2, timeout_ms);
  if (n < 0 && errno != EINTR) sys::check(n, "poll");
  if (n <= 0) return Wake::kChange;
  if (fds[0].revents & POLLIN) {
    char buf[4096];
    while (::read(inotify_fd, buf, sizeof buf) > 0) {
    }
  }
  if (fds[1].revents & POLLIN) return Wake::kShutdown;
  if (client_fd >= 0 && (fds[2].revents & (POLLHUP | POLLERR))) return Wake::kClientGone;
  return Wake::kChange;
}

}  // namespace

StreamCursor ContainerManager::open_stream(const std::string& key, const StreamRequest& r) {
  Container c = store_.get(key);
  const std::string path = log_path(c);
  const std::string bundle = store_.bundle_dir(c.id);
  // The log offset is taken before the state, so output written in between is not missed.
  StreamCursor cur{c.id, r, {}, LogReader(path, r.logs ? 0 : file_size(path)), {}, false};
  // Watch the bundle before reading anything, so no write between a read and a wait is missed.
  cur.inotify.reset(sys::check(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK), "inotify_init1"));
  sys::check(::inotify_add_watch(cur.inotify.get(), bundle.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF),
             "inotify_add_watch", bundle);
  if (r.follow) {
    try {
      cur.reader.hold();
    } catch (const Error& e) {
      if (e.kind() == Error::Kind::NotFound) throw Error::not_found("No such container: " + key);
      throw;
    }
  }
  c = store_.get(c.id);
  // A run is marked by its start and end times: a new start, or a start that failed (which
  // records an exit without starting), changes it.
  cur.run_at_start = run_marker(c.state);
  cur.running_at_start = c.state.running;
  if (r.logs) cur.replay = cur.reader.read_new();
  return cur;
}

void ContainerManager::stream_output(const std::string& key, const StreamRequest& r, const OutputSink& sink,
                                     int client_fd, std::string pending_stdin) {
  StreamCursor cursor = open_stream(key, r);
  stream_output(cursor, sink, client_fd, std::move(pending_stdin));
}

void ContainerManager::stream_output(StreamCursor& cur, const OutputSink& sink, int client_fd,
                                     std::string pending_stdin) {
  const StreamRequest& r = cur.request;
  if (r.logs) {
    auto entries = std::move(cur.replay);
    if (r.tail >= 0 && entries.size() > static_cast<size_t>(r.tail))
      entries.erase(entries.begin(), entries.end() - r.tail);
    emit(entries, r, sink);
  }
  if (!r.follow) return;
  if (!cur.running_at_start && !r.wait_for_start) return;
  if (r.live_from_shim)
    follow_shim(cur, sink, client_fd, std::move(pending_stdin));
  else
    follow_log(cur, sink, client_fd);
}

bool ContainerManager::wait_for_change(StreamCursor& cur, int client_fd, bool waiting_for_start) {
  const std::string tag = "engine " + cur.id.substr(0, 12);
  int timeout_ms = 1000;
  if (waiting_for_start && cur.request.start_wait_ms >= 0) {
    auto waited = std::chrono::steady_clock::now() - cur.opened_at;
    long long left = cur.request.start_wait_ms - std::chrono::duration_cast<std::chrono::milliseconds>(waited).count();
    if (left <= 0) {
      options_.logger.info(tag, "an attach waited " + std::to_string(cur.request.start_wait_ms / 1000) +
                                    " s for a start that did not come; ending it");
      return false;
    }
    timeout_ms = static_cast<int>(std::min<long long>(left, timeout_ms));
  }
  Wake wake = wait_for_events(cur.inotify.get(), shutdown_fd_.get(), client_fd, timeout_ms);
  if (wake == Wake::kClientGone && waiting_for_start)
    options_.logger.debug(tag, "an attach waiting for a start ended: the client hung up");
  return wake == Wake::kChange;
}

void ContainerManager::follow_log(StreamCursor& cur, const OutputSink& sink, int client_fd) {
  const StreamRequest& r = cur.request;
  for (;;) {
    auto now = store_.find(cur.id);
    // Removed: its last run is over, and what it printed is in the log we hold.
    emit(cur.reader.read_new(), r, sink);
    if (!now) return;
    bool ran = cur.running_at_start || run_marker(now->state) != cur.run_at_start;
    if (ran && !now->state.running) {
      emit(cur.reader.read_new(), r, sink);
      return;
    }
    if (!wait_for_change(cur, client_fd, !ran)) return;
  }
}

void ContainerManager::follow_shim(StreamCursor& cur, const OutputSink& sink, int client_fd, std::string pending_stdin) {
  const StreamRequest& r = cur.request;
  const std::string bundle = store_.bundle_dir(cur.id);
  Fd shim;
  // Connect once the run we follow is up; with replay when we waited for its start, so that
  // what it printed before we connected comes too.
  for (;;) {
    auto now = store_.find(cur.id);
    bool ours = now && (cur.running_at_start || run_marker(now->state) != cur.run_at_start);
    if (ours && now->state.running) {
      try {
        userns::AttachRequest req;
        req.in = r.stdin_;
        req.out = r.stdout_;
        req.err = r.stderr_;
        req.replay = !cur.running_at_start;
        shim = runtime_.attach(bundle, req);
        break;
      } catch (const Error& e) {
        if (e.kind() != Error::Kind::Conflict) throw;
        // Gone before we connected: wait for the exit to be recorded, then read the log.
      }
    }
    if (!now || (ours && !now->state.running)) {
      // The run ended (and the container may be removed already, as docker run --rm does on
      // the die event) before we could connect: everything it printed is in the held log.
      emit(cur.reader.read_new(), r, sink);
      return;
    }
    if (!wait_for_change(cur, client_fd, !ours)) return;
  }

  bool client_eof = client_fd < 0 || !r.stdin_;
  if (r.stdin_) {
    if (!pending_stdin.empty()) sys::write_all(shim.get(), pending_stdin);
    if (client_fd < 0) ::shutdown(shim.get(), SHUT_WR);
  }
  std::string frames;  // bytes from the shim not yet parsed into whole frames
  for (;;) {
    struct pollfd fds[3] = {{shim.get(), POLLIN, 0},
                            {shutdown_fd_.get(), POLLIN, 0},
                            {client_fd, static_cast<short>(client_eof ? 0 : POLLIN), 0}};
    int n = ::poll(fds, client_fd >= 0 ? 3 : 2, -1);
    if (n < 0 && errno == EINTR) continue;
    sys::check(n, "poll");
    if (fds[1].revents & POLLIN) return;  // burrowd shuts down; the container keeps running
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[65536];
      ssize_t got = sys::retry_eintr([&] { return ::read(shim.get(), buf, sizeof buf); });
      if (got <= 0) return;  // the container has exited (or the shim is gone)
      frames.append(buf, static_cast<size_t>(got));
      size_t pos = 0;
      while (frames.size() - pos >= 8) {
        auto header = userns::decode_frame_header(std::string_view(frames).substr(pos, 8));
        if (!header) throw Error::internal("attach: malformed frame from the shim");
        size_t len = header->second;
        if (frames.size() - pos - 8 < len) break;
        emit_frame(header->first, std::string_view(frames).substr(pos + 8, len), r, sink);
        pos += 8 + len;
      }
      frames.erase(0, pos);
    }
    if (client_fd < 0) continue;
    if (!client_eof && (fds[2].revents & (POLLIN | POLLHUP | POLLERR))) {
      char buf[16384];
      ssize_t got = sys::retry_eintr([&] { return ::read(client_fd, buf, sizeof buf); });
      if (got > 0) {
        try {
          sys::write_all(shim.get(), buf, static_cast<size_t>(got));
        } catch (const Error&) {
          client_eof = true;  // the container closed its stdin
        }
      } else {
        client_eof = true;
        ::shutdown(shim.get(), SHUT_WR);
      }
    } else if (fds[2].revents & (POLLHUP | POLLERR)) {
      return;  // the client is gone
    }
  }
}

std::vector<ContainerChange> ContainerManager::changes(const std::string& key) const {
  Container c = store_.get(key);
  std::vector<ContainerChange> out;
  std::string upper = store_.bundle_dir(c.id) + "/upper";
  if (!sys::exists(upper)) return out;
  for (const auto& ch : fuse_overlay::changes(upper, options_.images.layer_dirs(c.image_id)))
    out.push_back({ch.path, ch.kind});
  return out;
}

long long ContainerManager::size_rw(const Container& c) const {
  return directory_size(store_.bundle_dir(c.id) + "/upper");
}

long long ContainerManager::size_root_fs(const Container& c) const {
  long long total = 0;
  try {
    for (const auto& dir : options_.images.layer_dirs(c.image_id)) total += directory_size(dir);
  } catch (const Error&) {
    // The image is gone: no size to report.
  }
  return total;
}

}  // namespace burrow::engine
