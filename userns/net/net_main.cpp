// burrow-net: one container's network helper (see helper_config.h). Started by burrowd in its
// own session, so it outlives a burrowd restart like burrow-shim does. Order matters:
// 1. open the container's pidfd and network namespace while /proc/PID is certainly ours;
// 2. start slirp4netns from the host network namespace (it needs the host side);
// 3. enter the container's namespace and bind the link listeners there (the published ports
//    were bound by burrowd in the host namespace and arrive as inherited descriptors);
// 4. report "ready", then forward until the container's init exits or SIGTERM arrives;
// 5. on the way out, slirp4netns ends with its exit fd.

#include <arpa/inet.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/fd.h"
#include "base/logger.h"
#include "base/sys.h"
#include "userns/net/forwarder.h"
#include "userns/net/helper_config.h"
#include "userns/net/host_ports.h"
#include "userns/net/netns.h"
#include "userns/net/slirp.h"

using namespace burrow;
using namespace burrow::userns::net;

namespace {

sockaddr_in ipv4(const std::string& ip, int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  return a;
}

// Every relayed connection holds two sockets: the soft limit of 1024 descriptors would cap a
// container at about 500 connections, so take what the hard limit allows.
void allow_more_descriptors() {
  rlimit nofile{};
  if (::getrlimit(RLIMIT_NOFILE, &nofile) != 0 || nofile.rlim_cur >= nofile.rlim_max) return;
  nofile.rlim_cur = nofile.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &nofile);  // best effort: the soft limit serves otherwise
}

Fd block_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  ::sigprocmask(SIG_BLOCK, &set, nullptr);
  return Fd(sys::check(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK), "signalfd"));
}

}  // namespace

int main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  HelperConfig cfg;
  try {
    cfg = HelperConfig::parse(std::vector<std::string>(argv + 1, argv + argc));
  } catch (const Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  allow_more_descriptors();
  // Host ports asked for on the command line are bound first, in the host namespace.
  std::vector<BoundPort> bound;
  try {
    HostPortBinder binder;
    bound = binder.bind(cfg.bind);
    for (const auto& b : bound) {
      cfg.publish.push_back({b.socket.get(), b.port.container});
      std::printf("%s:%d -> %s\n", b.port.host_ip.c_str(), b.port.host_port, to_string(b.port.container).c_str());
    }
    std::fflush(stdout);
  } catch (const Error& e) {
    std::fprintf(stderr, "burrow-net: %s\n", e.what());
    return 1;
  }
  // Detach from burrowd like burrow-shim: the launched process exits at once and burrowd reaps
  // it; this one carries on in the background (re-parented), reporting over the ready fd.
  if (!cfg.foreground) {
    pid_t child = ::fork();
    if (child < 0) {
      std::perror("burrow-net: fork");
      return 1;
    }
    if (child > 0) ::_exit(0);
  }
  Logger logger(2, cfg.debug);
  const std::string component = "burrow-net " + std::to_string(cfg.pid);
  Fd ready(cfg.ready_fd);
  // Inherited descriptors must not leak further (slirp4netns would keep the host ports bound).
  ::fcntl(cfg.ready_fd, F_SETFD, FD_CLOEXEC);
  for (const auto& p : cfg.publish) ::fcntl(p.fd, F_SETFD, FD_CLOEXEC);
  for (auto& b : bound) b.socket.release();  // the routes own them from here on
  auto report = [&](const std::string& line) {
    if (!ready) return;
    try {
      sys::write_all(ready.get(), line + "\n");
    } catch (const Error&) {
      ready.reset();  // burrowd stopped listening; carry on
    }
  };
  report("pid " + std::to_string(::getpid()));
  try {
    Fd signals = block_signals();
    // A short-lived container may be gone already: nothing to set up then.
    Fd pidfd, netns;
    try {
      pidfd = open_pidfd(cfg.pid);
      netns = open_netns(cfg.pid);
    } catch (const Error& e) {
      if (e.kind() != Error::Kind::NotFound && e.sys_errno() != ESRCH) throw;
      report("gone");
      return 0;
    }
    std::map<pid_t, Fd> link_netns;
    for (const auto& l : cfg.links)
      if (!link_netns.count(l.pid)) link_netns.emplace(l.pid, open_netns(l.pid));

    // The container exited meanwhile: report it rather than a network failure.
    auto exited = [&] {
      pollfd p{pidfd.get(), POLLIN, 0};
      return ::poll(&p, 1, 0) > 0;
    };
    std::optional<SlirpProcess> slirp;
    if (!cfg.slirp_program.empty() && !exited()) {
      SlirpOptions so;
      so.program = cfg.slirp_program;
      so.pid = cfg.pid;
      so.mtu = cfg.mtu;
      so.allow_host_loopback = cfg.allow_host_loopback;
      so.api_socket = cfg.api_socket;
      try {
        slirp.emplace(SlirpProcess::start(so));
        logger.info(component, "slirp4netns " + std::to_string(slirp->pid()) + " configured tap0");
      } catch (const Error& e) {
        if (exited()) {
          report("gone");
          return 0;
        }
        report(std::string("warning: no outbound network: ") + e.what());
        logger.warn(component, std::string("no outbound network: ") + e.what());
      }
    }

    ForwarderOptions fo;
    fo.logger = &logger;
    fo.log_component = component;
    Forwarder forwarder(fo);
    NetnsSwitcher switcher;
    int own_ns = netns.get();
    for (const auto& p : cfg.publish) {
      Route r;
      r.listener.reset(p.fd);
      r.proto = p.container.proto;
      r.target = ipv4("127.0.0.1", p.container.port);
      r.factory = [&switcher, own_ns](int type) { return switcher.socket_in(own_ns, type); };
      r.name = "published " + to_string(p.container);
      forwarder.add_route(std::move(r));
    }
    switcher.enter(own_ns);  // from here on, no socket of the host namespace is made
    for (const auto& l : cfg.links) {
      Route r;
      r.listener = bind_socket(l.address, l.port.port, l.port.proto);
      r.proto = l.port.proto;
      r.target = ipv4("127.0.0.1", l.port.port);
      int target_ns = link_netns.at(l.pid).get();
      r.factory = [&switcher, target_ns](int type) { return switcher.socket_in(target_ns, type); };
      r.name = "link " + l.address + ":" + to_string(l.port);
      forwarder.add_route(std::move(r));
    }
    report("ready");
    ready.reset();
    logger.debug(component, "forwarding " + std::to_string(cfg.publish.size()) + " published ports and " +
                                std::to_string(cfg.links.size()) + " link ports");
    int ended_by = forwarder.run({pidfd.get(), signals.get()});
    logger.debug(component, ended_by == pidfd.get() ? "container exited" : "stopped by signal");
    return 0;
  } catch (const Error& e) {
    report(std::string("error: ") + e.what());
    logger.error(component, e.what());
    return 1;
  }
}
