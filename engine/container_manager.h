#pragma once
// ContainerManager: the containers' lifecycle behind the API (create, start, stop, kill,
// restart, wait, remove, top, changes, attach streams) on top of ContainerStore (records),
// image::ImageStore (layers), fuse_overlay::OverlayMount (the rootfs, mounted at start and
// unmounted when the container exits: a created container holds no FUSE process, and changes
// of a stopped container are read from its upper dir) and userns::ContainerRuntime (the shim).
// Events create/start/die/stop/kill/restart/destroy go to the EventBus. Running containers are
// adopted again after a burrowd restart. Thread-safe; per container, operations that change
// its state are serialised (lock order: op lock, then live_mutex_, then the store's mutex).

#include <sys/stat.h>

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <Poco/JSON/Object.h>

#include "base/error.h"
#include "base/fd.h"
#include "base/logger.h"
#include "engine/container.h"
#include "engine/container_cgroup.h"
#include "engine/container_log.h"
#include "engine/container_store.h"
#include "engine/container_top.h"
#include "engine/container_watcher.h"
#include "engine/stream_cursor.h"
#include "userns/container_runtime.h"
#include "userns/net/container_network.h"

namespace burrow::image {
class ImageStore;
}
namespace burrow::fuse_overlay {
class OverlayMount;
}

namespace burrow::engine {

class EventBus;

struct ContainerManagerOptions {
  std::string root;                    // state root; containers/ and volumes/ live below it
  Logger& logger;                      // not owned
  EventBus& events;                    // not owned
  image::ImageStore& images;           // not owned
  std::string shim_program;            // burrow-shim
  std::string overlay_program;         // burrow-overlay
  // Networking (userns/net): the per-container helper, and burrowd --allow-host-loopback.
  std::string net_program = "burrow-net";
  bool allow_host_loopback = false;
};

// What docker cp's stat header reports of a path in a container.
struct ContainerPathStat {
  std::string name;         // base name
  struct stat st {};        // lstat of the path
  std::string link_target;  // for a symlink
};

struct CreateResult {
  std::string id;
  std::vector<std::string> warnings;
};

struct ContainerChange {
  std::string path;
  int kind = 0;  // 0 modified, 1 added, 2 deleted
};

class ContainerManager {
 public:
  // Loads the stored containers, adopts those still running (and records the exit of those
  // that ended while burrowd was down) and starts the exit watcher. The referenced options
  // must outlive the manager.
  explicit ContainerManager(ContainerManagerOptions options);
  ~ContainerManager();
  ContainerManager(const ContainerManager&) = delete;
  ContainerManager& operator=(const ContainerManager&) = delete;

  // POST /containers/create. `name` may be empty (a random one is chosen). NotFound "No such
  // image: x" when the image is missing; BadParameter for a bad name or config; Conflict when
  // the name is taken.
  CreateResult create(const Poco::JSON::Object::Ptr& body, const std::string& name);
  // Starts the container; `start_body` is a v1.9 HostConfig (may be null or empty). Returns
  // warnings. Conflict when it is already running; the failed setup step otherwise.
  std::vector<std::string> start(const std::string& name_or_id, const Poco::JSON::Object::Ptr& start_body);
  // SIGTERM, then SIGKILL after `timeout_s`; a stopped container is left alone.
  void stop(const std::string& name_or_id, int timeout_s);
  void restart(const std::string& name_or_id, int timeout_s);
  // Sends `sig` (SIGKILL waits for the exit). Conflict when the container is not running.
  void kill(const std::string& name_or_id, int sig);
  // Blocks until the container is not running; returns its exit code.
  int wait(const std::string& name_or_id);
  // Removes the container (force: kill it first; volumes: remove its own volume directories).
  // Conflict when it is running and !force. `before_event` (when set) runs once the container
  // is gone, with no lock held, before the destroy event: the API answers the client there,
  // because docker run --rm cancels its DELETE request as soon as it sees the destroy event.
  void remove(const std::string& name_or_id, bool remove_volumes, bool force,
              const std::function<void()>& before_event = {});

  Container inspect(const std::string& name_or_id) const { return store_.get(name_or_id); }
  std::vector<Container> list() const { return store_.list(); }
  TopResult top(const std::string& name_or_id, const std::string& ps_args) const;
  std::vector<ContainerChange> changes(const std::string& name_or_id) const;
  void resize(const std::string& name_or_id, unsigned rows, unsigned cols);
  // Size in bytes of the container's writable layer (SizeRw) and of its image layers.
  long long size_rw(const Container& c) const;
  long long size_root_fs(const Container& c) const;

  // Streams output of the container to `sink` as `request` says; with stdin_, bytes read from
  // `stdin_fd` (the client connection; `pending_stdin` first) go to the container's stdin and
  // the client's end of input closes it. Returns when the stream is over or the client is gone.
  void stream_output(const std::string& name_or_id, const StreamRequest& request, const OutputSink& sink,
                     int stdin_fd = -1, std::string pending_stdin = {});
  // The same in two steps: open_stream takes the cursor (NotFound for an unknown container;
  // NotFound also when it is removed meanwhile) and is called before the client learns that
  // its attach stands, stream_output(cursor, ...) then streams. A container that starts, runs
  // and is removed between the two is still streamed in full from the held log.
  StreamCursor open_stream(const std::string& name_or_id, const StreamRequest& request);
  void stream_output(StreamCursor& cursor, const OutputSink& sink, int stdin_fd = -1, std::string pending_stdin = {});

  // Writes the container's merged root file system as a tar to `sink` (GET .../export).
  // NotFound for an unknown container; what the sink throws ends it early.
  void export_rootfs(const std::string& name_or_id, const std::function<void(const char*, size_t)>& sink);

  // docker cp: what `path` (absolute, inside the container) is, and a tar of it under its own
  // name (a directory with its tree). NotFound when the container or the path is missing.
  ContainerPathStat stat_path(const std::string& name_or_id, const std::string& path);
  void archive_path(const std::string& name_or_id, const std::string& path,
                    const std::function<void(const char*, size_t)>& sink);

  // True while any container (in any state) uses the image: image deletion is refused then.
  bool image_in_use(const std::string& image_id) const;
  bool limits_enforced() const { return cgroup_.has_value(); }
  const ContainerStore& store() const { return store_; }
  std::string log_path(const Container& c) const { return store_.bundle_dir(c.id) + "/" + c.id + "-json.log"; }

  // Stops watching (containers keep running for the next burrowd). Idempotent.
  void shutdown();

 private:
  struct Live;
  std::shared_ptr<std::mutex> op_lock(const std::string& id);
  void start_locked(const std::string& id, const Poco::JSON::Object::Ptr& start_body,
                    std::vector<std::string>& warnings);
  void remove_locked(const std::string& id, bool remove_volumes, bool force);
  // Runs fn with the container's merged root file system: the live mount, or a read-only view
  // mounted for the call (the op lock held, so the container cannot start meanwhile).
  void view_rootfs(const std::string& name_or_id, const std::function<void(const std::string& rootfs)>& fn);
  // Records a start that failed as an exit with a die event; returns the error to throw.
  Error failed_start(const Container& c, const Error& e);
  void handle_exit(const std::string& id);
  // The burrow-overlay of a running container died: records State.Error and kills the container
  // (its root file system is gone); handle_exit then records the exit.
  void handle_overlay_exit(const std::string& id);
  void watch_overlay(const std::string& id, pid_t overlay_pid);
  void adopt(const Container& c);
  void publish(const std::string& status, const Container& c, std::map<std::string, std::string> attrs = {});
  // Waits until `id` is not running or `timeout_ms` passed; returns whether it stopped.
  bool wait_stopped(const std::string& id, int timeout_ms);
  void notify_state_change();
  void unmount_rootfs(const std::string& id, std::unique_ptr<fuse_overlay::OverlayMount> mount);
  void follow_log(StreamCursor& cursor, const OutputSink& sink, int client_fd);
  void follow_shim(StreamCursor& cursor, const OutputSink& sink, int client_fd, std::string pending_stdin);
  // Waits for a change of the bundle; false when the stream should end (burrowd shuts down,
  // the client hung up, or the cursor's wait for a start ran out).
  bool wait_for_change(StreamCursor& cursor, int client_fd, bool waiting_for_start);

  ContainerManagerOptions options_;
  ContainerStore store_;
  userns::ContainerRuntime runtime_;
  std::optional<CgroupDelegation> cgroup_;
  std::string volumes_dir_;
  userns::net::ContainerNetwork network_;  // published ports, slirp4netns, links (burrow-net)

  std::mutex ops_mutex_;  // guards ops_
  std::map<std::string, std::shared_ptr<std::mutex>> ops_;

  std::mutex live_mutex_;  // guards live_
  std::map<std::string, std::unique_ptr<Live>> live_;

  std::mutex state_mutex_;  // pairs with state_cv_: notified after every state change
  std::condition_variable state_cv_;

  Fd shutdown_fd_;  // eventfd, readable once shutdown() ran: streams poll it and end

  std::unique_ptr<ExitWatcher> watcher_;  // last: its thread calls back into the members above
  std::unique_ptr<ExitWatcher> overlay_watcher_;  // the same for the containers' burrow-overlay
};

}  // namespace burrow::engine
