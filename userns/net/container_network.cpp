#include "userns/net/container_network.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <sstream>

#include "base/child_process.h"
#include "base/error.h"
#include "base/logger.h"
#include "base/process_start_time.h"
#include "base/sys.h"
#include "userns/net/netns.h"
#include "userns/net/slirp.h"

namespace burrow::userns::net {

namespace {

constexpr const char* kRecordFile = "/network.state";

// Waits until `pid` has exited (pidfd) or `ms` passed; true when gone.
bool wait_gone(pid_t pid, int ms) {
  Fd pidfd;
  try {
    pidfd = open_pidfd(pid);
  } catch (const Error&) {
    return true;  // ESRCH: already gone
  }
  pollfd p{pidfd.get(), POLLIN, 0};
  int rc = sys::retry_eintr([&] { return ::poll(&p, 1, ms); });
  if (rc > 0) {
    ::waitpid(pid, nullptr, WNOHANG);  // reap it if it happens to be our child
    return true;
  }
  return false;
}

// Reads "pid N", "warning: ...", then "ready" or "error: ..." from burrow-net.
struct HelperReport {
  pid_t pid = 0;
  std::vector<std::string> warnings;
  std::optional<std::string> error;
  bool ready = false;
  bool gone = false;  // the container exited before its network was set up
};

HelperReport read_report(int fd, int timeout_ms) {
  HelperReport r;
  std::string buf;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      if (line.rfind("pid ", 0) == 0) r.pid = std::atoi(line.c_str() + 4);
      else if (line.rfind("warning: ", 0) == 0) r.warnings.push_back(line.substr(9));
      else if (line.rfind("error: ", 0) == 0) r.error = line.substr(7);
      else if (line == "ready") r.ready = true;
      else if (line == "gone") r.gone = true;
      if (r.ready || r.error || r.gone) return r;
    }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      r.error = "burrow-net was not ready within " + std::to_string(timeout_ms / 1000) + " s";
      return r;
    }
    pollfd p{fd, POLLIN, 0};
    int rc = sys::retry_eintr([&] { return ::poll(&p, 1, static_cast<int>(left.count())); });
    if (rc <= 0) continue;
    char chunk[512];
    size_t n = sys::read_some(fd, chunk, sizeof chunk);
    if (n == 0) {
      r.error = "burrow-net exited before it was ready (see its log)";
      return r;
    }
    buf.append(chunk, n);
  }
}

}  // namespace

std::string NetworkRecord::ip_address() const { return slirp ? kSlirpAddress : ""; }
int NetworkRecord::prefix_len() const { return slirp ? kSlirpPrefixLen : 0; }
std::string NetworkRecord::gateway() const { return slirp ? kSlirpGateway : ""; }
std::string NetworkRecord::bridge() const { return slirp ? "tap0" : ""; }

ContainerNetwork::ContainerNetwork(ContainerNetworkOptions options)
    : options_(std::move(options)), slirp_path_(find_program(options_.slirp_program)) {}

bool ContainerNetwork::outbound_available() const { return slirp_path_.has_value(); }

std::optional<std::string> ContainerNetwork::outbound_warning() const {
  if (slirp_path_) return std::nullopt;
  if (options_.slirp_program.empty()) return std::nullopt;  // switched off on purpose
  return "slirp4netns not found: the container has loopback networking only (install the slirp4netns package)";
}

std::vector<BoundPort> ContainerNetwork::bind_ports(const std::vector<PortRequest>& requests) {
  return binder_.bind(requests);
}

NetworkStart ContainerNetwork::attach(const std::string& bundle_dir, pid_t pid, std::vector<BoundPort> ports,
                                      const std::vector<LinkTarget>& links, bool outbound) {
  NetworkStart out;
  HelperConfig cfg;
  cfg.pid = pid;
  cfg.mtu = options_.mtu;
  cfg.allow_host_loopback = options_.allow_host_loopback;
  cfg.debug = options_.debug;
  if (outbound && slirp_path_) {
    cfg.slirp_program = *slirp_path_;
    std::string api = bundle_dir + "/slirp.sock";
    if (api.size() < 100) cfg.api_socket = api;  // sun_path holds 108 bytes
  } else if (outbound) {
    if (auto w = outbound_warning()) out.warnings.push_back(*w);
  }
  int fds[2];
  sys::check(::pipe2(fds, O_CLOEXEC), "pipe2");
  Fd ready_read(fds[0]), ready_write(fds[1]);
  cfg.ready_fd = ready_write.get();
  SpawnOptions spawn;
  spawn.keep_fds.push_back(ready_write.get());
  for (const auto& p : ports) {
    cfg.publish.push_back({p.socket.get(), p.port.container});
    spawn.keep_fds.push_back(p.socket.get());
  }
  for (const auto& l : links)
    for (const auto& port : l.ports) cfg.links.push_back({l.address, port, l.pid});
  spawn.argv = cfg.to_argv(options_.helper_program);
  spawn.new_session = true;
  // burrow-net's own log lines go to <bundle>/net.log.
  Fd log = sys::open(bundle_dir + "/net.log", O_WRONLY | O_CREAT | O_APPEND, 0644);
  spawn.stderr_fd = log.get();
  spawn.stdout_fd = log.get();
  ChildProcess first = ChildProcess::spawn(spawn);
  ready_write.reset();
  first.wait();  // it forked itself away and exited
  HelperReport report = read_report(ready_read.get(), options_.ready_timeout_ms);
  if (report.gone) return out;  // nothing to forward for a container that already exited
  if (!report.ready) {
    if (report.pid > 0) {
      ::kill(report.pid, SIGKILL);
      wait_gone(report.pid, 2000);
    }
    throw Error::unavailable("setting up the network: " + report.error.value_or("burrow-net failed"));
  }
  NetworkRecord& rec = out.record;
  for (const auto& p : ports) rec.ports.push_back(p.port);
  ports.clear();  // the host ports now live in burrow-net; our copies close here
  rec.helper_pid = report.pid;
  rec.helper_start_time = process_start_time(report.pid);
  rec.slirp = !cfg.slirp_program.empty() && report.warnings.empty();
  rec.allow_host_loopback = cfg.allow_host_loopback;
  rec.links = cfg.links;
  for (auto& w : report.warnings) out.warnings.push_back(std::move(w));
  store(bundle_dir, rec);
  return out;
}

void ContainerNetwork::detach(const std::string& bundle_dir) {
  auto rec = load(bundle_dir);
  if (!rec) return;
  if (helper_alive(*rec)) {
    ::kill(rec->helper_pid, SIGTERM);
    if (!wait_gone(rec->helper_pid, 2000)) {
      ::kill(rec->helper_pid, SIGKILL);
      wait_gone(rec->helper_pid, 2000);
    }
  }
  ::unlink((bundle_dir + kRecordFile).c_str());
}

std::vector<std::string> ContainerNetwork::adopt(const std::string& bundle_dir, pid_t pid) {
  auto rec = load(bundle_dir);
  if (!rec || helper_alive(*rec)) return {};
  std::vector<PortRequest> requests;
  for (const auto& p : rec->ports) requests.push_back({p.host_ip, p.host_port, p.container});
  std::vector<LinkTarget> links;
  for (const auto& l : rec->links) {
    if (links.empty() || links.back().address != l.address || links.back().pid != l.pid) links.push_back({l.address, l.pid, {}});
    links.back().ports.push_back(l.port);
  }
  return attach(bundle_dir, pid, bind_ports(requests), links, rec->slirp).warnings;
}

bool ContainerNetwork::helper_alive(const NetworkRecord& record) {
  if (record.helper_pid <= 0) return false;
  unsigned long long t = process_start_time(record.helper_pid);
  return t != 0 && t == record.helper_start_time;
}

void ContainerNetwork::store(const std::string& bundle_dir, const NetworkRecord& r) {
  std::ostringstream out;
  out << "helper " << r.helper_pid << " " << r.helper_start_time << "\n";
  out << "slirp " << (r.slirp ? 1 : 0) << " " << (r.allow_host_loopback ? 1 : 0) << "\n";
  for (const auto& p : r.ports) out << "port " << p.host_ip << " " << p.host_port << " " << to_string(p.container) << "\n";
  for (const auto& l : r.links) out << "link " << l.address << " " << to_string(l.port) << " " << l.pid << "\n";
  sys::write_file_atomic(bundle_dir + kRecordFile, out.str(), 0644);
}

std::optional<NetworkRecord> ContainerNetwork::load(const std::string& bundle_dir) {
  auto text = sys::try_read_file(bundle_dir + kRecordFile);
  if (!text) return std::nullopt;
  NetworkRecord r;
  std::istringstream in(*text);
  for (std::string line; std::getline(in, line);) {
    std::istringstream words(line);
    std::string kind;
    words >> kind;
    try {
      if (kind == "helper") {
        words >> r.helper_pid >> r.helper_start_time;
      } else if (kind == "slirp") {
        int s = 0, l = 0;
        words >> s >> l;
        r.slirp = s != 0;
        r.allow_host_loopback = l != 0;
      } else if (kind == "port") {
        PublishedPort p;
        std::string key;
        words >> p.host_ip >> p.host_port >> key;
        p.container = parse_port_key(key);
        r.ports.push_back(p);
      } else if (kind == "link") {
        HelperConfig::Link l;
        std::string key;
        words >> l.address >> key >> l.pid;
        l.port = parse_port_key(key);
        r.links.push_back(l);
      }
    } catch (const Error&) {
      // A damaged line is skipped: the record is advisory and rewritten at the next start.
    }
  }
  return r;
}

}  // namespace burrow::userns::net
