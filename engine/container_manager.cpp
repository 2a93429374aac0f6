#include "engine/container_manager.h"

#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mount.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "base/error.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "engine/container_config.h"
#include "engine/container_files.h"
#include "engine/container_names.h"
#include "engine/container_network.h"
#include "engine/container_time.h"
#include "engine/container_user.h"
#include "engine/container_volumes.h"
#include "engine/event_bus.h"
#include "fuse-overlay/overlay_mount.h"
#include "image/image_store.h"

namespace burrow::engine {

using Poco::JSON::Object;

struct ContainerManager::Live {
  userns::StartedContainer started;
  std::unique_ptr<fuse_overlay::OverlayMount> overlay;  // null for a container adopted after a restart
};

ContainerManager::ContainerManager(ContainerManagerOptions options)
    : options_(std::move(options)),
      store_(options_.root + "/containers"),
      runtime_(userns::RuntimeOptions{options_.shim_program, &options_.logger}),
      volumes_dir_(options_.root + "/volumes"),
      network_([this] {
        userns::net::ContainerNetworkOptions n;
        n.helper_program = options_.net_program;
        n.allow_host_loopback = options_.allow_host_loopback;
        n.logger = &options_.logger;
        return n;
      }()) {
  sys::make_dirs(volumes_dir_, 0700);
  shutdown_fd_ = Fd(sys::check(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd"));
  std::string reason;
  cgroup_ = CgroupDelegation::detect(&reason);
  if (!cgroup_)
    options_.logger.info("engine", "resource limits (Memory, MemorySwap, CpuShares) are not enforced: " + reason);
  for (const auto& bad : store_.load()) options_.logger.warn("engine", "skipping unreadable container " + bad);
  watcher_ = std::make_unique<ExitWatcher>([this](const std::string& id) { handle_exit(id); });
  overlay_watcher_ = std::make_unique<ExitWatcher>([this](const std::string& id) { handle_overlay_exit(id); });
  for (const auto& c : store_.list())
    if (c.state.running) adopt(c);
  options_.images.set_in_use_check([this](const std::string& image_id) { return image_in_use(image_id); });
}

ContainerManager::~ContainerManager() { shutdown(); }

void ContainerManager::shutdown() {
  if (watcher_) watcher_->stop();
  if (overlay_watcher_) overlay_watcher_->stop();
  uint64_t one = 1;  // ends every attach and logs stream (the containers keep running)
  (void)!::write(shutdown_fd_.get(), &one, sizeof one);
}

std::shared_ptr<std::mutex> ContainerManager::op_lock(const std::string& id) {
  std::lock_guard lock(ops_mutex_);
  auto& m = ops_[id];
  if (!m) m = std::make_shared<std::mutex>();
  return m;
}

void ContainerManager::publish(const std::string& status, const Container& c,
                               std::map<std::string, std::string> attrs) {
  attrs["name"] = c.bare_name();
  attrs["image"] = c.image_name();
  options_.events.publish(status, c.id, c.image_name(), std::move(attrs));
}

void ContainerManager::notify_state_change() {
  std::lock_guard lock(state_mutex_);
  state_cv_.notify_all();
}

CreateResult ContainerManager::create(const Object::Ptr& body, const std::string& name) {
  std::string slash_name;
  if (!name.empty()) {
    slash_name = normalize_container_name(name);
    if (store_.name_taken(slash_name)) {
      auto other = store_.find(slash_name);
      throw Error::conflict("Conflict, The name " + slash_name + " is already assigned to " +
                            (other ? other->short_id() : std::string("another container")) +
                            ". You have to delete (or rename) that container to be able to assign " + slash_name +
                            " to a container again.");
    }
  }
  std::string image_name = json_string(body, "Image");
  if (image_name.empty()) throw Error::bad_parameter("Bad parameter: no Image given");
  auto image = options_.images.resolve(image_name);
  if (!image) throw Error::not_found("No such image: " + image_name);

  Container c;
  c.id = random_id();
  PreparedConfig prepared = prepare_config(body, image->config, c.id, limits_enforced());
  c.name = slash_name.empty()
               ? "/" + random_container_name([this](const std::string& n) { return store_.name_taken(n); })
               : slash_name;
  c.created = now_rfc3339_nano();
  c.path = prepared.path;
  c.args = prepared.args;
  c.image_id = image->id;
  c.config = prepared.config;
  c.host_config = prepared.host_config;
  migrate_port_specs(c);  // Config.PortSpecs -> ExposedPorts + PortBindings (Docker 0.8)
  if (auto w = network_.outbound_warning(); w && !json_bool(c.config, "NetworkDisabled")) prepared.warnings.push_back(*w);
  c.state.started_at = kZeroTime;
  c.state.finished_at = kZeroTime;
  std::string bundle = store_.bundle_dir(c.id);
  c.hostname_path = bundle + "/hostname";
  c.hosts_path = bundle + "/hosts";
  c.resolv_conf_path = bundle + "/resolv.conf";
  create_fresh_volumes(c, volumes_dir_);
  try {
    store_.add(c);
  } catch (const Error&) {
    remove_volumes(c, {}, volumes_dir_);  // a lost race for the name: nothing of it stays
    throw;
  }
  publish("create", c);
  return {c.id, prepared.warnings};
}

std::vector<std::string> ContainerManager::start(const std::string& key, const Object::Ptr& start_body) {
  std::string id = store_.get(key).id;
  auto lock_ptr = op_lock(id);
  std::lock_guard lock(*lock_ptr);
  std::vector<std::string> warnings;
  start_locked(id, start_body, warnings);
  return warnings;
}

void ContainerManager::start_locked(const std::string& id, const Object::Ptr& start_body,
                                    std::vector<std::string>& warnings) {
  auto t0 = std::chrono::steady_clock::now();
  auto ms_since = [](std::chrono::steady_clock::time_point t) {
    return std::to_string(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t).count());
  };
  Container c = store_.get(id);
  if (c.state.running) throw Error::conflict("Conflict, The container " + c.short_id() + " is already running.");
  if (start_body && start_body->size() > 0) {
    c.host_config = merge_start_host_config(c.host_config, start_body, warnings);
  }
  VolumePlan plan = plan_volumes(c, store_, volumes_dir_);
  bool changed = plan.volumes != c.volumes || plan.volumes_rw != c.volumes_rw || (start_body && start_body->size() > 0);
  c.volumes = plan.volumes;
  c.volumes_rw = plan.volumes_rw;
  if (changed) store_.update_config(c);  // each durable write costs an fsync pair: only when needed
  write_container_files(c);
  // Networking: links resolved and host ports bound before anything runs, so that a taken port
  // fails the start cleanly; burrow-net takes the sockets once the container's init exists.
  NetworkPlan net_plan;
  std::vector<userns::net::BoundPort> bound_ports;
  try {
    net_plan = plan_network(c, store_);
    write_network_files(c, net_plan, network_.outbound_available());
    bound_ports = network_.bind_ports(net_plan.ports);
  } catch (const Error& e) {
    // A failed start (exit 128 and a die event for docker run); NotFound is no missing program.
    throw failed_start(c, Error(e.kind() == Error::Kind::BadParameter ? e.kind() : Error::Kind::Conflict, e.what()));
  }

  std::string bundle = store_.bundle_dir(id);
  std::string rootfs = bundle + "/rootfs";
  for (const char* d : {"/upper", "/work", "/rootfs"}) sys::make_dirs(bundle + d, 0755);
  fuse_overlay::OverlayMountOptions mount_options;
  mount_options.program = options_.overlay_program;
  mount_options.lowerdirs = options_.images.layer_dirs(c.image_id);
  mount_options.upperdir = bundle + "/upper";
  mount_options.workdir = bundle + "/work";
  mount_options.mountpoint = rootfs;
  mount_options.log_path = bundle + "/overlay.log";
  std::unique_ptr<fuse_overlay::OverlayMount> overlay;
  try {
    overlay = fuse_overlay::OverlayMount::mount(mount_options);
    options_.logger.debug("engine " + c.short_id(), "rootfs mounted after " + ms_since(t0) + " ms");
  } catch (const Error& e) {
    throw Error(Error::Kind::Internal, "Cannot start container " + c.short_id() + ": mounting the rootfs: " + e.what());
  }

  userns::StartedContainer started;
  try {
    ContainerUser user = resolve_container_user(rootfs, json_string(c.config, "User"));
    userns::ContainerSpec spec;
    spec.id = id;
    spec.bundle_dir = bundle;
    spec.rootfs = rootfs;
    spec.args.push_back(c.path);
    spec.args.insert(spec.args.end(), c.args.begin(), c.args.end());
    spec.env = json_strings(c.config, "Env");
    bool has_home = false;
    for (const auto& e : spec.env) has_home = has_home || e.rfind("HOME=", 0) == 0;
    if (!has_home) spec.env.push_back("HOME=" + user.home);
    spec.env.insert(spec.env.end(), net_plan.env.begin(), net_plan.env.end());  // link variables
    spec.cwd = json_string(c.config, "WorkingDir");
    if (spec.cwd.empty()) spec.cwd = "/";
    spec.uid = user.uid;
    spec.gid = user.gid;
    spec.additional_gids = user.additional_gids;
    spec.hostname = json_string(c.config, "Hostname");
    spec.tty = json_bool(c.config, "Tty");
    spec.open_stdin = json_bool(c.config, "OpenStdin");
    spec.stdin_once = json_bool(c.config, "StdinOnce");
    spec.privileged = json_bool(c.host_config, "Privileged");
    spec.binds.push_back({c.hostname_path, "/etc/hostname", false});
    spec.binds.push_back({c.hosts_path, "/etc/hosts", false});
    spec.binds.push_back({c.resolv_conf_path, "/etc/resolv.conf", false});
    for (const auto& m : plan.mounts) spec.binds.push_back({m.source, m.destination, m.read_only});
    spec.log_path = log_path(c);
    // The network (burrow-net: ports, slirp4netns, links) is set up while the init waits at its
    // gate, so the command starts with it in place; if that fails the command never runs.
    started = runtime_.start(spec, [&](pid_t pid) {
      auto net = network_.attach(bundle, pid, std::move(bound_ports), net_plan.links, net_plan.outbound);
      warnings.insert(warnings.end(), net.warnings.begin(), net.warnings.end());
    });
    options_.logger.debug("engine " + c.short_id(), "container running after " + ms_since(t0) + " ms");
  } catch (const Error& e) {
    try {
      overlay->unmount();
    } catch (const std::exception& ue) {
      options_.logger.warn("engine " + c.short_id(), std::string("unmounting the rootfs: ") + ue.what());
    }
    throw failed_start(c, e);
  }

  if (cgroup_) {
    CgroupLimits limits;
    limits.memory = std::max(json_int(c.config, "Memory"), json_int(c.host_config, "Memory"));
    limits.memory_swap = std::max(json_int(c.config, "MemorySwap"), json_int(c.host_config, "MemorySwap"));
    limits.cpu_shares = std::max(json_int(c.config, "CpuShares"), json_int(c.host_config, "CpuShares"));
    if (limits.memory > 0 || limits.memory_swap != 0 || limits.cpu_shares > 0) {
      try {
        cgroup_->apply(id, started.pid, limits);
      } catch (const Error& e) {
        warnings.push_back(std::string("resource limits not applied: ") + e.what());
      }
    }
  }

  unsigned long long start_time = process_start_time(started.shim_pid);
  Container now = store_.update_state(id, [&](ContainerState& s) {
    s.running = true;
    s.pid = started.pid;
    s.exit_code = 0;
    s.started_at = started.started_at.empty() ? now_rfc3339_nano() : started.started_at;
    s.finished_at = kZeroTime;
    s.ghost = false;
    s.shim_pid = started.shim_pid;
    s.shim_start_time = start_time;
    s.overlay_pid = overlay->pid();
    s.error.clear();
  });
  {
    std::lock_guard lock(live_mutex_);
    auto live = std::make_unique<Live>();
    live->started = started;
    live->overlay = std::move(overlay);
    live_[id] = std::move(live);
  }
  notify_state_change();
  publish("start", now);
  options_.logger.debug("engine " + c.short_id(), "start recorded after " + ms_since(t0) + " ms");
  watcher_->watch(id, started.shim_pid);
  watch_overlay(id, now.state.overlay_pid);
}

Error ContainerManager::failed_start(const Container& c, const Error& e) {
  // As Docker does: the failed start is an exit (127 command not found, 126 not executable,
  // 128 otherwise) with a die event, which docker run waits for before it removes (--rm).
  int code = e.kind() == Error::Kind::NotFound ? 127 : e.kind() == Error::Kind::Unavailable ? 126 : 128;
  std::string why = e.what();
  if (code == 127) why += " (executable file not found in $PATH: no such file or directory)";
  if (code == 126) why += " (permission denied)";
  try {
    Container now = store_.update_state(c.id, [&](ContainerState& s) {
      s.running = false;
      s.pid = 0;
      s.exit_code = code;
      s.finished_at = now_rfc3339_nano();
    });
    notify_state_change();
    publish("die", now, {{"exitCode", std::to_string(code)}});
  } catch (const std::exception& se) {
    options_.logger.error("engine " + c.short_id(), std::string("recording the failed start: ") + se.what());
  }
  Error::Kind kind = e.kind() == Error::Kind::BadParameter ? e.kind() : Error::Kind::Internal;
  return Error(kind, "Cannot start container " + c.short_id() + ": " + why);
}

void ContainerManager::adopt(const Container& c) {
  std::string tag = "engine " + c.short_id();
  if (c.state.shim_pid > 0 && process_start_time(c.state.shim_pid) == c.state.shim_start_time &&
      c.state.shim_start_time != 0) {
    auto live = std::make_unique<Live>();
    live->started = {c.state.shim_pid, c.state.pid, c.state.started_at};
    if (c.state.overlay_pid > 0) {
      try {
        live->overlay = fuse_overlay::OverlayMount::adopt(c.state.overlay_pid, store_.bundle_dir(c.id) + "/rootfs");
      } catch (const std::exception& e) {
        options_.logger.warn(tag, std::string("adopting the rootfs mount: ") + e.what());
      }
    }
    {
      std::lock_guard lock(live_mutex_);
      live_[c.id] = std::move(live);
    }
    try {
      for (const auto& w : network_.adopt(store_.bundle_dir(c.id), c.state.pid)) options_.logger.warn(tag, w);
    } catch (const std::exception& e) {
      options_.logger.warn(tag, std::string("re-establishing the network: ") + e.what());
    }
    watcher_->watch(c.id, c.state.shim_pid);
    watch_overlay(c.id, c.state.overlay_pid);  // one that died while burrowd was down is reported now
    options_.logger.info(tag, "adopted running container (shim pid " + std::to_string(c.state.shim_pid) + ")");
    return;
  }
  std::optional<userns::ExitRecord> rec;
  try {
    rec = runtime_.exit_record(store_.bundle_dir(c.id));
  } catch (const std::exception& e) {
    options_.logger.warn(tag, std::string("reading the exit record: ") + e.what());
  }
  // A helper that died while burrowd was down is reported as for a live container. Only a
  // dead overlay's pid is checked: after a normal exit nobody has unmounted it yet.
  std::string error;
  if (!rec)
    error = "burrow-shim (pid " + std::to_string(c.state.shim_pid) + ") died without recording the exit";
  else if (c.state.overlay_pid > 0 && process_start_time(c.state.overlay_pid) == 0)
    error = "burrow-overlay (pid " + std::to_string(c.state.overlay_pid) + "), the container's root file system, died";
  if (!error.empty()) options_.logger.error(tag, error);
  unmount_rootfs(c.id, nullptr);
  network_.detach(store_.bundle_dir(c.id));
  Container ended = store_.update_state(c.id, [&](ContainerState& s) {
    s.running = false;
    s.pid = 0;
    s.exit_code = rec ? rec->exit_code : -127;
    s.finished_at = rec && !rec->finished_at.empty() ? rec->finished_at : now_rfc3339_nano();
    if (!error.empty()) s.error = error;
  });
  publish("die", ended, {{"exitCode", std::to_string(ended.state.exit_code)}});
  options_.logger.info(tag, "container ended while burrowd was down (exit " +
                                std::to_string(ended.state.exit_code) + ")");
}

void ContainerManager::unmount_rootfs(const std::string& id, std::unique_ptr<fuse_overlay::OverlayMount> mount) {
  std::string tag = "engine " + id.substr(0, 12);
  try {
    if (mount) {
      mount->unmount();
      return;
    }
    std::string rootfs = store_.bundle_dir(id) + "/rootfs";
    if (::umount2(rootfs.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
      throw sys::error_from_errno(errno, "umount2", rootfs);
  } catch (const std::exception& e) {
    options_.logger.warn(tag, std::string("unmounting the rootfs: ") + e.what());
  }
}

void ContainerManager::handle_exit(const std::string& id) {
  try {
    std::unique_ptr<Live> live;
    {
      std::lock_guard lock(live_mutex_);
      auto it = live_.find(id);
      if (it == live_.end()) return;
      live = std::move(it->second);
      live_.erase(it);
    }
    auto t0 = std::chrono::steady_clock::now();
    auto ms_since = [&] {
      return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count());
    };
    std::string bundle = store_.bundle_dir(id);
    userns::ExitRecord rec = runtime_.wait(live->started, bundle);
    std::string error;
    if (!runtime_.exit_record(bundle)) {
      error = "burrow-shim (pid " + std::to_string(live->started.shim_pid) + ") died without recording the exit";
      options_.logger.error("engine " + id.substr(0, 12), error);
    } else if (live->overlay && !live->overlay->alive()) {
      // The container may die of its vanished rootfs before handle_overlay_exit sees the overlay go.
      error = "burrow-overlay (pid " + std::to_string(live->overlay->pid()) + "), the container's root file system, died";
      options_.logger.error("engine " + id.substr(0, 12), error);
    }
    network_.detach(bundle);  // burrow-net and slirp4netns go; the host ports are free again
    std::string waited = ms_since();
    unmount_rootfs(id, std::move(live->overlay));
    options_.logger.debug("engine " + id.substr(0, 12), "exit record after " + waited + " ms, unmounted after " + ms_since() + " ms");
    if (cgroup_) cgroup_->remove(id);
    Container c = store_.update_state(id, [&](ContainerState& s) {
      s.running = false;
      s.pid = 0;
      s.exit_code = rec.exit_code;
      s.finished_at = rec.finished_at.empty() ? now_rfc3339_nano() : rec.finished_at;
      s.ghost = false;
      if (!error.empty()) s.error = error;
    });
    notify_state_change();
    publish("die", c, {{"exitCode", std::to_string(rec.exit_code)}});
  } catch (const std::exception& e) {
    options_.logger.error("engine " + id.substr(0, 12), std::string("handling the exit: ") + e.what());
    notify_state_change();
  }
}

void ContainerManager::watch_overlay(const std::string& id, pid_t overlay_pid) {
  if (overlay_pid <= 0) return;
  try {
    overlay_watcher_->watch(id, overlay_pid);
  } catch (const std::exception& e) {
    options_.logger.warn("engine " + id.substr(0, 12), std::string("watching burrow-overlay: ") + e.what());
  }
}

void ContainerManager::handle_overlay_exit(const std::string& id) {
  std::string tag = "engine " + id.substr(0, 12);
  try {
    userns::StartedContainer started;
    {
      std::lock_guard lock(live_mutex_);
      auto it = live_.find(id);
      // Gone from live_: the container ended and its rootfs was unmounted on purpose. A live
      // overlay: the container was started again with a new one.
      if (it == live_.end() || (it->second->overlay && it->second->overlay->alive())) return;
      started = it->second->started;
    }
    auto c = store_.find(id);
    if (!c || !c->state.running) return;
    std::string error = "burrow-overlay (pid " + std::to_string(c->state.overlay_pid) +
                        "), the container's root file system, died";
    options_.logger.error(tag, error + "; killing the container");
    store_.update_state(id, [&](ContainerState& s) { s.error = error; });
    notify_state_change();
    runtime_.kill(started, SIGKILL);  // handle_exit records the exit
  } catch (const std::exception& e) {
    options_.logger.error(tag, std::string("handling the death of burrow-overlay: ") + e.what());
  }
}

bool ContainerManager::wait_stopped(const std::string& id, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  std::unique_lock lock(state_mutex_);
  for (;;) {
    auto c = store_.find(id);
    if (!c || !c->state.running) return true;
    if (timeout_ms >= 0 && std::chrono::steady_clock::now() >= deadline) return false;
    auto step = std::chrono::steady_clock::now() + std::chrono::milliseconds(500);
    state_cv_.wait_until(lock, timeout_ms >= 0 ? std::min(step, deadline) : step);
  }
}

int ContainerManager::wait(const std::string& key) {
  std::string id = store_.get(key).id;
  wait_stopped(id, -1);
  auto c = store_.find(id);
  return c ? c->state.exit_code : -1;
}

namespace {

std::optional<userns::StartedContainer> started_of(const Container& c) {
  if (!c.state.running) return std::nullopt;
  return userns::StartedContainer{c.state.shim_pid, c.state.pid, c.state.started_at};
}

}  // namespace

void ContainerManager::stop(const std::string& key, int timeout_s) {
  Container c = store_.get(key);
  auto lock_ptr = op_lock(c.id);
  std::lock_guard lock(*lock_ptr);
  c = store_.get(c.id);
  auto started = started_of(c);
  if (!started) return;
  runtime_.kill(*started, SIGTERM);
  if (!wait_stopped(c.id, std::max(timeout_s, 0) * 1000)) {
    options_.logger.info("engine " + c.short_id(),
                         "no exit " + std::to_string(timeout_s) + " s after SIGTERM, sending SIGKILL");
    runtime_.kill(*started, SIGKILL);
    if (!wait_stopped(c.id, 30000)) throw Error::internal("container " + c.short_id() + " did not stop after SIGKILL");
  }
  publish("stop", c);
}

void ContainerManager::kill(const std::string& key, int sig) {
  Container c = store_.get(key);
  auto lock_ptr = op_lock(c.id);
  std::lock_guard lock(*lock_ptr);
  c = store_.get(c.id);
  auto started = started_of(c);
  if (!started) throw Error::conflict("Conflict, Container " + c.short_id() + " is not running");
  runtime_.kill(*started, sig);
  publish("kill", c, {{"signal", std::to_string(sig)}});  // before the die it causes, as Docker
  if (sig == SIGKILL && !wait_stopped(c.id, 30000))
    throw Error::internal("container " + c.short_id() + " did not exit after SIGKILL");
}

void ContainerManager::restart(const std::string& key, int timeout_s) {
  std::string id = store_.get(key).id;
  stop(id, timeout_s);
  auto lock_ptr = op_lock(id);
  std::lock_guard lock(*lock_ptr);
  std::vector<std::string> warnings;
  start_locked(id, nullptr, warnings);
  publish("restart", store_.get(id));
}

void ContainerManager::remove(const std::string& key, bool remove_volumes_too, bool force,
                              const std::function<void()>& before_event) {
  Container c = store_.get(key);
  {
    auto lock_ptr = op_lock(c.id);
    std::lock_guard lock(*lock_ptr);
    remove_locked(c.id, remove_volumes_too, force);
  }
  notify_state_change();
  if (before_event) {
    before_event();
    // docker run --rm below API 1.25 removes the container itself and returns (cancelling its
    // DELETE request) as soon as the destroy event arrives on its /events stream. The answer
    // went out first; this pause lets the client take it in before the event overtakes it.
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  publish("destroy", c);
}

void ContainerManager::remove_locked(const std::string& id, bool remove_volumes_too, bool force) {
  Container c = store_.get(id);
  if (auto started = started_of(c)) {
    if (!force)
      throw Error::conflict("Conflict, You cannot remove a running container " + c.short_id() +
                            ". Stop the container before attempting removal or use -f");
    runtime_.kill(*started, SIGKILL);
    if (!wait_stopped(c.id, 30000)) throw Error::internal("container " + c.short_id() + " did not exit after SIGKILL");
  }
  if (remove_volumes_too)
    for (const auto& err : remove_volumes(c, store_.list(), volumes_dir_))
      options_.logger.warn("engine " + c.short_id(), "removing a volume: " + err);
  unmount_rootfs(c.id, nullptr);  // a no-op unless an earlier unmount failed
  store_.remove(c.id);
  std::lock_guard lock(ops_mutex_);
  ops_.erase(c.id);
}

TopResult ContainerManager::top(const std::string& key, const std::string& ps_args) const {
  Container c = store_.get(key);
  if (!c.state.running) throw Error::conflict("Conflict, Container " + c.short_id() + " is not running");
  return container_top(c.state.pid, ps_args);
}

void ContainerManager::resize(const std::string& key, unsigned rows, unsigned cols) {
  Container c = store_.get(key);
  if (!c.state.running) throw Error::conflict("Conflict, Container " + c.short_id() + " is not running");
  runtime_.resize(store_.bundle_dir(c.id), rows, cols);
}

bool ContainerManager::image_in_use(const std::string& image_id) const {
  for (const auto& c : store_.list())
    if (c.image_id == image_id) return true;
  return false;
}

}  // namespace burrow::engine
