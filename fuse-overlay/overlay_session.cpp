#include "fuse-overlay/overlay_session.h"

#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <memory>
#include <string>
#include <vector>

#include "base/error.h"
#include "fuse-overlay/overlay_fs.h"

namespace burrow::fuse_overlay {

namespace {

void tell_ready(int fd, const std::string& message) {
  if (fd < 0) return;
  std::string line = message + "\n";
  [[maybe_unused]] ssize_t n = ::write(fd, line.data(), line.size());
  ::close(fd);
}

void raise_fd_limit() {
  struct rlimit lim;
  if (::getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &lim);
  }
}

struct SessionDeleter {
  void operator()(fuse_session* se) const { fuse_session_destroy(se); }
};
struct ArgsDeleter {
  void operator()(fuse_args* a) const { fuse_opt_free_args(a); }
};
struct LoopConfigDeleter {
  void operator()(fuse_loop_config* c) const { fuse_loop_cfg_destroy(c); }
};

// A hint for the usual reasons a FUSE mount fails for an unprivileged user.
std::string mount_hint() {
  if (::access("/dev/fuse", R_OK | W_OK) != 0)
    return ": /dev/fuse is not usable by this user (make it mode 0666, or run scripts/setup-test-host)";
  return "";
}

}  // namespace

int run_overlay(const OverlayOptions& options, Logger& logger) {
  ::umask(0);
  raise_fd_limit();
  std::unique_ptr<OverlayFs> fs;
  try {
    fs = std::make_unique<OverlayFs>(options, logger);
  } catch (const Error& e) {
    logger.error("burrow-overlay", e.what());
    tell_ready(options.ready_fd, e.what());
    return 1;
  }
  std::string mount_opts = "fsname=burrow-overlay,subtype=burrow-overlay,default_permissions";
  if (::geteuid() == 0) mount_opts += ",allow_other";
  if (options.upperdir.empty()) mount_opts += ",ro";
  for (const auto& o : options.fuse_options) mount_opts += "," + o;
  std::vector<std::string> argv_s{"burrow-overlay", "-o", mount_opts};
  if (options.debug) argv_s.push_back("-d");
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  fuse_args args = FUSE_ARGS_INIT(static_cast<int>(argv.size()), argv.data());
  // fuse_session_new leaves a copy of the arguments it allocated in args: ours to free.
  std::unique_ptr<fuse_args, ArgsDeleter> args_owner(&args);

  std::unique_ptr<fuse_session, SessionDeleter> se(
      fuse_session_new(&args, &OverlayFs::operations(), sizeof(fuse_lowlevel_ops), fs.get()));
  if (!se) {
    std::string m = "cannot create the FUSE session (bad options: " + mount_opts + ")";
    logger.error("burrow-overlay", m);
    tell_ready(options.ready_fd, m);
    return 1;
  }
  if (fuse_set_signal_handlers(se.get()) != 0) {
    tell_ready(options.ready_fd, "cannot install signal handlers");
    return 1;
  }
  if (fuse_session_mount(se.get(), options.mountpoint.c_str()) != 0) {
    std::string m = "cannot mount `" + options.mountpoint + "`" + mount_hint();
    logger.error("burrow-overlay", m);
    tell_ready(options.ready_fd, m);
    fuse_remove_signal_handlers(se.get());
    return 1;
  }
  tell_ready(options.ready_fd, "ok");
  fuse_daemonize(options.foreground ? 1 : 0);

  std::unique_ptr<fuse_loop_config, LoopConfigDeleter> cfg(fuse_loop_cfg_create());
  fuse_loop_cfg_set_clone_fd(cfg.get(), 1);
  fuse_loop_cfg_set_max_threads(cfg.get(), options.threads);
  fuse_loop_cfg_set_idle_threads(cfg.get(), options.threads);
  int rc = fuse_session_loop_mt(se.get(), cfg.get());
  fuse_session_unmount(se.get());
  fuse_remove_signal_handlers(se.get());
  return rc == 0 ? 0 : 1;
}

}  // namespace burrow::fuse_overlay
