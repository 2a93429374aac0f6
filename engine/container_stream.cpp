// ContainerManager's read side: output streams for attach and logs (the JSON-lines log,
// followed with inotify on the bundle directory, which also sees state.json being replaced),
// stdin forwarding to the shim's attach socket, changes and sizes.
#include <poll.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>

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

// Waits until the inotify fd, the shutdown eventfd or the client (hang-up only) has something;
// false when the client has gone or burrowd shuts down.
bool wait_for_change(int inotify_fd, int shutdown_fd, int client_fd) {
  struct pollfd fds[3] = {{inotify_fd, POLLIN, 0}, {shutdown_fd, POLLIN, 0}, {client_fd, 0, 0}};
  int n = ::poll(fds, client_fd >= 0 ? 3 : 2, 1000);
  if (n < 0 && errno != EINTR) sys::check(n, "poll");
  if (n <= 0) return true;
  if (fds[0].revents & POLLIN) {
    char buf[4096];
    while (::read(inotify_fd, buf, sizeof buf) > 0) {
    }
  }
  if (fds[1].revents & POLLIN) return false;
  return client_fd < 0 || !(fds[2].revents & (POLLHUP | POLLERR));
}

}  // namespace

void ContainerManager::stream_output(const std::string& key, const StreamRequest& r, const OutputSink& sink,
                                     int client_fd, std::string pending_stdin) {
  Container c = store_.get(key);
  const std::string id = c.id;
  const std::string path = log_path(c);
  const std::string bundle = store_.bundle_dir(id);

  // Watch the bundle before reading anything, so no write between a read and a wait is missed.
  Fd inotify(sys::check(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK), "inotify_init1"));
  sys::check(::inotify_add_watch(inotify.get(), bundle.c_str(), IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF),
             "inotify_add_watch", bundle);
  c = store_.get(id);
  // A run is marked by its start and end times: a new start, or a start that failed (which
  // records an exit without starting), changes it.
  const std::string run_at_start = run_marker(c.state);
  const bool running_at_start = c.state.running;
  const std::uint64_t offset_at_start = file_size(path);

  LogReader reader(path, r.logs ? 0 : offset_at_start);
  if (r.logs) {
    auto entries = reader.read_new();
    if (r.tail >= 0 && entries.size() > static_cast<size_t>(r.tail))
      entries.erase(entries.begin(), entries.end() - r.tail);
    emit(entries, r, sink);
  }
  if (!r.follow) return;
  if (!running_at_start && !r.wait_for_start) return;
  if (r.live_from_shim)
    follow_shim(id, reader.offset(), r, sink, client_fd, std::move(pending_stdin), inotify.get(), run_at_start,
                running_at_start);
  else
    follow_log(id, reader, r, sink, client_fd, inotify.get(), run_at_start, running_at_start);
}

void ContainerManager::follow_log(const std::string& id, LogReader& reader, const StreamRequest& r,
                                  const OutputSink& sink, int client_fd, int inotify_fd,
                                  const std::string& run_at_start, bool running_at_start) {
  for (;;) {
    auto now = store_.find(id);
    if (!now) return;  // removed
    bool ran = running_at_start || run_marker(now->state) != run_at_start;
    emit(reader.read_new(), r, sink);
    if (ran && !now->state.running) {
      emit(reader.read_new(), r, sink);
      return;
    }
    if (!wait_for_change(inotify_fd, shutdown_fd_.get(), client_fd)) return;
  }
}

void ContainerManager::follow_shim(const std::string& id, std::uint64_t log_offset, const StreamRequest& r,
                                   const OutputSink& sink, int client_fd, std::string pending_stdin, int inotify_fd,
                                   const std::string& run_at_start, bool running_at_start) {
  const std::string bundle = store_.bundle_dir(id);
  Fd shim;
  // Connect once the run we follow is up; with replay when we waited for its start, so that
  // what it printed before we connected comes too.
  for (;;) {
    auto now = store_.find(id);
    if (!now) return;
    bool new_run = run_marker(now->state) != run_at_start;
    if (now->state.running && (running_at_start || new_run)) {
      try {
        userns::AttachRequest req;
        req.in = r.stdin_;
        req.out = r.stdout_;
        req.err = r.stderr_;
        req.replay = !running_at_start;
        shim = runtime_.attach(bundle, req);
        break;
      } catch (const Error& e) {
        if (e.kind() != Error::Kind::Conflict) throw;
        // Gone before we connected: wait for the exit to be recorded, then read the log.
      }
    }
    if ((running_at_start || new_run) && !now->state.running) {
      // The run ended before we could connect: everything it printed is in the log.
      LogReader reader(store_.bundle_dir(id) + "/" + id + "-json.log", log_offset);
      emit(reader.read_new(), r, sink);
      return;
    }
    if (!wait_for_change(inotify_fd, shutdown_fd_.get(), client_fd)) return;
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
