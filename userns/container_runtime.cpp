#include "userns/container_runtime.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "base/child_process.h"
#include "base/error.h"
#include "base/logger.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "userns/attach_protocol.h"
#include "userns/log_line.h"
#include "userns/sandbox_plan.h"
#include "userns/shim_config.h"

namespace burrow::userns {

namespace {

// The flat JSON number or string after "key": in exit.json.
std::optional<std::string> json_field(const std::string& text, const std::string& key) {
  std::string quoted = "\"" + key + "\":";
  size_t pos = text.find(quoted);
  if (pos == std::string::npos) return std::nullopt;
  pos += quoted.size();
  if (pos < text.size() && text[pos] == '"') {
    size_t end = text.find('"', pos + 1);
    if (end == std::string::npos) return std::nullopt;
    return text.substr(pos + 1, end - pos - 1);
  }
  size_t end = text.find_first_of(",}", pos);
  if (end == std::string::npos) return std::nullopt;
  return text.substr(pos, end - pos);
}

// Parent pid (field 4 of /proc/PID/stat), or -1.
pid_t parent_of(pid_t pid) {
  auto stat = sys::try_read_file("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return -1;
  auto close = stat->rfind(')');
  if (close == std::string::npos) return -1;
  char state;
  int ppid = -1;
  if (std::sscanf(stat->c_str() + close + 1, " %c %d", &state, &ppid) != 2) return -1;
  return ppid;
}

// A pidfd for the shim of `bundle_dir`, or an invalid Fd when that shim is gone (the pid may
// have been recycled: its command line must name the bundle).
Fd open_shim_pidfd(pid_t shim_pid, const std::string& bundle_dir) {
  if (shim_pid <= 0) return Fd();
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, shim_pid, 0));
  if (fd < 0) return Fd();
  Fd pidfd(fd);
  auto cmdline = sys::try_read_file("/proc/" + std::to_string(shim_pid) + "/cmdline");
  if (!cmdline) return Fd();
  std::string needle = std::string("--bundle") + '\0' + bundle_dir + '\0';
  if (cmdline->find(needle) == std::string::npos) return Fd();
  return pidfd;
}

Fd connect_attach_socket(const std::string& bundle_dir) {
  auto dir = sys::try_open_at(AT_FDCWD, bundle_dir, O_PATH | O_DIRECTORY);
  if (!dir) throw Error::not_found("container bundle `" + bundle_dir + "` does not exist");
  Fd sock(sys::check(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0), "socket"));
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  std::string path = "/proc/self/fd/" + std::to_string(dir->get()) + "/attach.sock";
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int rc = sys::retry_eintr([&] { return ::connect(sock.get(), reinterpret_cast<struct sockaddr*>(&addr), sizeof addr); });
  if (rc < 0) {
    if (errno == ENOENT || errno == ECONNREFUSED) throw Error::conflict("container is not running");
    throw sys::error_from_errno(errno, "connect", bundle_dir + "/attach.sock");
  }
  return sock;
}

}  // namespace

ContainerRuntime::ContainerRuntime(RuntimeOptions options) : options_(std::move(options)) {}

StartedContainer ContainerRuntime::start(const ContainerSpec& spec) { return start(spec, nullptr); }

StartedContainer ContainerRuntime::start(const ContainerSpec& spec, const std::function<void(pid_t)>& prepare) {
  if (!is_full_id(spec.id)) throw Error::bad_parameter("container id `" + spec.id + "` is not 64 hex characters");
  if (spec.bundle_dir.empty() || spec.bundle_dir[0] != '/')
    throw Error::bad_parameter("bundle directory `" + spec.bundle_dir + "` must be absolute");
  if (spec.log_path.empty() || spec.log_path[0] != '/')
    throw Error::bad_parameter("log path `" + spec.log_path + "` must be absolute");
  // Validate here too, so a mistake is reported before any process starts.
  SandboxPlan::from_spec(spec, SandboxHost::current()).validate();
  sys::make_dirs(spec.bundle_dir, 0700);
  ::unlink((spec.bundle_dir + "/exit.json").c_str());
  ::unlink((spec.bundle_dir + "/attach.sock").c_str());
  sys::write_file_atomic(spec.bundle_dir + "/shim.conf", serialize_spec(spec), 0600);

  int p[2];
  sys::check(::pipe2(p, O_CLOEXEC), "pipe2");
  Fd sync_read(p[0]), sync_write(p[1]);
  Fd gate_read, gate_write;  // with `prepare`: the container execs once a byte arrives
  if (prepare) {
    sys::check(::pipe2(p, O_CLOEXEC), "pipe2");
    gate_read.reset(p[0]);
    gate_write.reset(p[1]);
  }
  // The shim must not hold burrowd's log: its own stderr goes to <bundle>/shim.log.
  Fd shim_log = sys::open(spec.bundle_dir + "/shim.log", O_WRONLY | O_APPEND | O_CREAT, 0600);
  SpawnOptions so;
  so.argv = {options_.shim_program, "--bundle", spec.bundle_dir, "--sync-fd", std::to_string(sync_write.get())};
  so.keep_fds = {sync_write.get()};
  if (prepare) {
    so.argv.insert(so.argv.end(), {"--gate-fd", std::to_string(gate_read.get())});
    so.keep_fds.push_back(gate_read.get());
  }
  so.stdout_fd = shim_log.get();
  so.stderr_fd = shim_log.get();
  so.new_session = true;
  ChildProcess first = ChildProcess::spawn(so);
  sync_write.reset();
  gate_read.reset();
  first.wait();  // the shim forked itself away; this one exits at once

  // Reports are lines: ["created SHIM PID"], then "ok SHIM PID STARTED" or "error ...".
  std::string buffer;
  std::optional<Error> prepare_error;
  char buf[4096];
  bool eof = false;
  auto next_line = [&]() -> std::optional<std::string> {
    for (;;) {
      size_t nl = buffer.find('\n');
      if (nl != std::string::npos) {
        std::string line = buffer.substr(0, nl);
        buffer.erase(0, nl + 1);
        return line;
      }
      if (eof) {
        if (buffer.empty()) return std::nullopt;
        std::string line = std::move(buffer);
        buffer.clear();
        return line;
      }
      struct pollfd pfd = {sync_read.get(), POLLIN, 0};
      int n = sys::retry_eintr([&] { return ::poll(&pfd, 1, options_.start_timeout_ms); });
      sys::check(n, "poll", "shim sync pipe");
      if (n == 0)
        throw Error::io("burrow-shim for " + short_id(spec.id) + " did not report within " +
                        std::to_string(options_.start_timeout_ms) + " ms (see " + spec.bundle_dir + "/shim.log)");
      size_t got = sys::read_some(sync_read.get(), buf, sizeof buf);
      if (got == 0) eof = true;
      buffer.append(buf, got);
    }
  };
  for (;;) {
    std::optional<std::string> line = next_line();
    if (!line) break;
    if (line->rfind("created ", 0) == 0) {
      int shim_pid = 0, pid = 0;
      if (std::sscanf(line->c_str(), "created %d %d", &shim_pid, &pid) != 2 || !prepare) continue;
      try {
        prepare(pid);
        sys::write_all(gate_write.get(), "g", 1);
      } catch (const Error& e) {
        prepare_error = e;
      } catch (const std::exception& e) {
        prepare_error = Error::internal(e.what());
      }
      gate_write.reset();  // without the byte: the init gives up and the shim reports it
      continue;
    }
    if (prepare_error) continue;  // drain the shim's report of the abort
    if (line->rfind("ok ", 0) == 0) {
      StartedContainer c;
      char started[128] = {};
      int shim_pid = 0, pid = 0;
      if (std::sscanf(line->c_str(), "ok %d %d %127s", &shim_pid, &pid, started) != 3)
        throw Error::internal("burrow-shim: unreadable report `" + *line + "`");
      c.shim_pid = shim_pid;
      c.pid = pid;
      c.started_at = started;
      if (options_.logger)
        options_.logger->debug("runtime " + short_id(spec.id), "started, pid " + std::to_string(pid) + ", shim " + std::to_string(shim_pid));
      return c;
    }
    if (line->rfind("error ", 0) == 0) {
      int err = 0, kind = static_cast<int>(Error::Kind::Io), consumed = 0;
      if (std::sscanf(line->c_str(), "error %d %d %n", &err, &kind, &consumed) >= 2 && consumed > 0) {
        if (kind < 0 || kind > static_cast<int>(Error::Kind::Internal)) kind = static_cast<int>(Error::Kind::Io);
        throw Error(static_cast<Error::Kind>(kind), line->substr(static_cast<size_t>(consumed)), err);
      }
    }
  }
  if (prepare_error) throw prepare_error->wrap("preparing container " + short_id(spec.id));
  auto log = sys::try_read_file(spec.bundle_dir + "/shim.log").value_or("");
  if (log.size() > 500) log = log.substr(log.size() - 500);
  throw Error::internal("burrow-shim for " + short_id(spec.id) + " exited without a report" + (log.empty() ? "" : ": " + log));
}

std::optional<ExitRecord> ContainerRuntime::exit_record(const std::string& bundle_dir) {
  auto text = sys::try_read_file(bundle_dir + "/exit.json");
  if (!text) return std::nullopt;
  auto code = json_field(*text, "exit_code");
  auto finished = json_field(*text, "finished_at");
  if (!code || !finished) throw Error::io("corrupt exit record `" + bundle_dir + "/exit.json`");
  try {
    return ExitRecord{std::stoi(*code), *finished};
  } catch (const std::exception&) {
    throw Error::io("corrupt exit record `" + bundle_dir + "/exit.json`");
  }
}

ExitRecord ContainerRuntime::wait(const StartedContainer& container, const std::string& bundle_dir) {
  Fd pidfd = open_shim_pidfd(container.shim_pid, bundle_dir);
  if (pidfd.valid()) {
    struct pollfd pfd = {pidfd.get(), POLLIN, 0};
    sys::check(sys::retry_eintr([&] { return ::poll(&pfd, 1, -1); }), "poll", "shim pidfd");
  }
  if (auto r = exit_record(bundle_dir)) return *r;
  if (options_.logger)
    options_.logger->warn("runtime", "shim " + std::to_string(container.shim_pid) + " of " + bundle_dir + " is gone without an exit record");
  return ExitRecord{-1, now_rfc3339_nano()};
}

bool ContainerRuntime::running(const StartedContainer& container, const std::string& bundle_dir) {
  if (exit_record(bundle_dir)) return false;
  return open_shim_pidfd(container.shim_pid, bundle_dir).valid();
}

void ContainerRuntime::kill(const StartedContainer& container, int sig) {
  if (container.pid <= 0) return;
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, container.pid, 0));
  if (fd < 0) return;  // already gone
  Fd pidfd(fd);
  // Only the shim's own child is the container; anything else is a recycled pid.
  if (parent_of(container.pid) != container.shim_pid) return;
  if (::syscall(SYS_pidfd_send_signal, pidfd.get(), sig, nullptr, 0) < 0 && errno != ESRCH)
    throw sys::error_from_errno(errno, "kill", "container pid " + std::to_string(container.pid));
}

Fd ContainerRuntime::attach(const std::string& bundle_dir, bool in, bool out, bool err) {
  return attach(bundle_dir, AttachRequest{in, out, err, false, std::nullopt});
}

Fd ContainerRuntime::attach(const std::string& bundle_dir, const AttachRequest& request) {
  Fd sock = connect_attach_socket(bundle_dir);
  std::string line = encode_attach_request(request);
  ssize_t n = ::send(sock.get(), line.data(), line.size(), MSG_NOSIGNAL);
  if (n != static_cast<ssize_t>(line.size())) throw Error::conflict("container is not running");
  return sock;
}

void ContainerRuntime::resize(const std::string& bundle_dir, unsigned rows, unsigned cols) {
  AttachRequest r;
  r.resize = std::make_pair(rows, cols);
  Fd sock = connect_attach_socket(bundle_dir);
  std::string line = encode_attach_request(r);
  if (::send(sock.get(), line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size()))
    throw Error::conflict("container is not running");
  // The shim closes the connection once it applied the size.
  char byte;
  struct pollfd pfd = {sock.get(), POLLIN, 0};
  if (sys::retry_eintr([&] { return ::poll(&pfd, 1, 2000); }) > 0)
    [[maybe_unused]] ssize_t r2 = ::read(sock.get(), &byte, 1);
}

}  // namespace burrow::userns
