// burrowd: the per-user daemon. main is the startup sequence, top to bottom:
// parse options -> preflight -> enter the engine namespace -> block signals (before any thread)
// -> locks and listeners -> engine -> serve -> wait for SIGTERM/SIGINT -> clean shutdown.
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <Poco/Exception.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "base/error.h"
#include "base/logger.h"
#include "base/sys.h"
#include "engine/build_info.h"
#include "engine/engine.h"
#include "poco-server/api_server.h"
#include "poco-server/daemon_options.h"
#include "poco-server/instance_lock.h"
#include "poco-server/listeners.h"
#include "poco-server/routes.h"
#include "poco-server/systemd.h"
#include "userns/engine_namespace.h"
#include "userns/preflight.h"

using namespace burrow;
using namespace burrow::poco_server;

namespace {

constexpr const char* kComponent = "burrowd";

std::string absolute(const std::string& path) {
  if (!path.empty() && path[0] == '/') return path;
  char cwd[PATH_MAX];
  if (!::getcwd(cwd, sizeof cwd)) throw Error::io("cannot resolve " + path + ": getcwd failed");
  return std::string(cwd) + "/" + path;
}

// The state directory holds the engine namespace record, image layers and container configs:
// another user who can write to it could swap any of them. An existing one must be ours, a
// real directory, and writable by nobody else; one that others can read or search is made
// owner-only (0700, as a new one is created), with a log line saying so.
void check_state_root(const std::string& root, Logger& logger) {
  auto st = sys::try_lstat(root);
  if (!st) return;
  if (!S_ISDIR(st->st_mode)) throw Error::unavailable("the state directory " + root + " is not a directory");
  if (st->st_uid != ::getuid()) {
    throw Error::unavailable("the state directory " + root + " belongs to uid " + std::to_string(st->st_uid) +
                             ", not to you; give burrowd a directory of your own with --root");
  }
  if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st->st_mode & 07777));
    throw Error::unavailable("refusing to use the state directory " + root + ": it is writable by others (mode " + mode +
                             "); run chmod 700 " + root);
  }
  if ((st->st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    sys::check(::chmod(root.c_str(), st->st_mode & S_IRWXU), "chmod", root);
    logger.info(kComponent, "made the state directory " + root + " owner-only (mode 0700)");
  }
}

// Where burrow-shim and burrow-overlay are: next to this program.
std::string program_dir() {
  char exe[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return {};
  return sys::dirname(std::string(exe, static_cast<std::size_t>(n)));
}

// Checks the host; fatal problems end the start with one line each. Returns the warnings
// (announced fallbacks) for the logs and /info.
userns::PreflightReport preflight(Logger& logger, std::vector<std::string>& warnings) {
  userns::PreflightReport report = userns::run_preflight();
  for (const auto& issue : report.issues) {
    if (issue.severity == userns::PreflightIssue::Severity::Fatal) {
      logger.error(kComponent, issue.message);
    } else {
      logger.warn(kComponent, issue.message);
      warnings.push_back(issue.message);
    }
  }
  if (!report.ok()) throw Error::unavailable("cannot run rootless containers on this host (see above)");
  return report;
}

// Blocks the termination signals in this (still single) thread, so every thread started later
// inherits the mask and main can sigwait for them. A write to a closed connection must not kill
// the daemon, so SIGPIPE is ignored.
sigset_t block_termination_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGQUIT);
  ::pthread_sigmask(SIG_BLOCK, &set, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  return set;
}

int wait_for_termination(const sigset_t& set, Logger& logger) {
  for (;;) {
    int sig = 0;
    if (::sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      logger.info(kComponent, "SIGHUP ignored (there is no configuration to reload)");
      continue;
    }
    return sig;
  }
}

// --stop-containers-on-exit (Docker 0.8's shutdown): every running container gets SIGTERM and,
// after 10 s, SIGKILL; all at once, so the shutdown takes at most about 10 s however many run.
void stop_running_containers(engine::ContainerManager& containers, Logger& logger) {
  std::vector<std::thread> stoppers;
  for (const auto& c : containers.list()) {
    if (!c.state.running) continue;
    logger.info(kComponent, "stopping container " + c.short_id());
    stoppers.emplace_back([&containers, &logger, id = c.id] {
      try {
        containers.stop(id, 10);
      } catch (const std::exception& e) {
        logger.warn(kComponent, "stopping container " + id.substr(0, 12) + ": " + e.what());
      }
    });
  }
  for (auto& t : stoppers) t.join();
}

int run(const DaemonOptions& options, const std::vector<int>& activated) {
  Logger logger(2, options.debug);
  check_state_root(options.root, logger);
  std::vector<std::string> warnings;
  userns::PreflightReport report = preflight(logger, warnings);

  // The user namespace can only be entered while this process is single-threaded.
  userns::EngineNamespaceOptions ns_options;
  ns_options.state_root = options.root;
  ns_options.logger = &logger;
  ns_options.uid_map = report.uid_map;
  ns_options.gid_map = report.gid_map;
  if (!report.newuidmap.empty()) ns_options.newuidmap = report.newuidmap;
  if (!report.newgidmap.empty()) ns_options.newgidmap = report.newgidmap;
  userns::EngineNamespace ns = userns::enter_engine_namespace(ns_options);
  logger.info(kComponent, std::string(ns.created ? "started" : "joined") + " the engine namespace (holder pid " +
                              std::to_string(ns.holder_pid) + ", uid map " + ns.uid_map.to_text() +
                              ", gid map " + ns.gid_map.to_text() + ")");
  sigset_t signals = block_termination_signals();

  std::vector<ListenAddress> addresses;
  for (const auto& h : options.hosts) addresses.push_back(ListenAddress::parse(h));
  Listeners listeners = Listeners::open(addresses, activated, logger);
  InstanceLock root_lock = InstanceLock::acquire(
      options.root + "/burrowd.lock",
      "another burrowd (pid {pid}) already uses the state directory " + options.root +
          "; stop it first or give this one another directory with --root");

  engine::Engine engine(engine::EngineOptions{.root = options.root,
                                              .logger = logger,
                                              .debug = options.debug,
                                              .program_dir = program_dir(),
                                              .warnings = warnings,
                                              .allow_host_loopback = options.allow_host_loopback,
                                              .insecure_registries = options.insecure_registries});
  Router router;
  add_all_routes(router);
  ApiServer server(std::move(router), engine, logger, listeners.sockets(),
                   ApiServerOptions{.cors = options.cors, .max_threads = options.max_connections, .limits = options.limits});
  logger.debug(kComponent, "limits: " + std::to_string(options.max_connections) + " connections, JSON bodies up to " +
                               std::to_string(options.limits.max_json_body) + " bytes, request heads up to " +
                               std::to_string(options.limits.max_header_bytes) + " bytes");
  server.start();
  for (const auto& d : listeners.descriptions()) logger.info(kComponent, "API listening on " + d);
  systemd::notify("READY=1");

  int sig = wait_for_termination(signals, logger);
  logger.info(kComponent, std::string("received ") + ::strsignal(sig) + ", shutting down");
  systemd::notify("STOPPING=1");
  if (options.stop_containers_on_exit) stop_running_containers(engine.containers(), logger);
  engine.shutdown();
  bool drained = server.stop(std::chrono::seconds(5));
  listeners.close();
  if (!drained) {
    // A handler that ignores the shutdown would keep the pool's destructor waiting forever.
    logger.warn(kComponent, "some requests did not finish within 5 s; exiting without waiting for them");
    std::fflush(nullptr);
    std::_Exit(0);
  }
  logger.info(kComponent, "stopped");
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> activated = systemd::take_listen_fds();  // LISTEN_PID names this very process
  // Request threads come and go; one malloc arena per thread would keep megabytes resident in an
  // idle daemon for no gain at its request rates.
  ::mallopt(M_ARENA_MAX, 2);
  DaemonOptions options;
  try {
    options = DaemonOptions::parse(std::vector<std::string>(argv + 1, argv + argc), user_home());
  } catch (const Error& e) {
    std::cerr << "burrowd: " << e.what() << "\nTry 'burrowd --help'.\n";
    return 2;
  }
  if (options.help) {
    std::cout << daemon_usage();
    return 0;
  }
  if (options.version) {
    const auto& b = engine::build_info();
    std::cout << "burrowd version " << b.version << ", build " << b.git_commit << " (Docker Remote API "
              << kServedApiVersion.to_string() << ", " << b.compiler << ")\n";
    return 0;
  }
  try {
    options.root = absolute(options.root);
    return run(options, activated);
  } catch (const Error& e) {
    std::cerr << "burrowd: " << e.what() << "\n";
  } catch (const Poco::Exception& e) {
    std::cerr << "burrowd: " << e.displayText() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "burrowd: " << e.what() << "\n";
  }
  return 1;
}
