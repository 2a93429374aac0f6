// burrow-sandbox-driver: drives the userns library the way burrowd will, for the shell tests
// (tests/integration/sandbox_*_test.sh) that run it as an unprivileged user.
//   preflight                         prints the report and the id mapping
//   ns --root DIR [-- CMD...]         enters the engine namespace, prints it, runs CMD inside
//   stop --root DIR                   stops the engine namespace holder
//   run --root DIR --bundle B --rootfs R [options] -- CMD...
//       starts CMD through ContainerRuntime (burrow-shim next to this program unless --shim);
//       attached (default): relays stdin/stdout/stderr, exits with the container's exit code;
//       --detach: records "shim_pid pid" in B/started and exits 0.
//       options: --tty -i --stdin-once --privileged --single-id --hostname H --env K=V --cwd D
//                --user UID:GID --groups G,G --bind SRC:DST[:ro]
//                --prepare-file PATH (a prepare hook writes PATH in the container before exec)
//                --prepare-fail (a prepare hook that throws)
//                --late-attach (attach after start, not before the command runs)
//   wait|running|kill|attach|resize --root DIR --bundle B [--signal N] [-i] [--size R:C]
// Driver failures exit 125 with the message on stderr (as docker run does).
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <iostream>
#include <string>
#include <vector>

#include "base/error.h"
#include "base/fd.h"
#include "base/logger.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "userns/attach_protocol.h"
#include "userns/container_runtime.h"
#include "userns/engine_namespace.h"
#include "userns/preflight.h"

using namespace burrow;
using namespace burrow::userns;

namespace {

struct Args {
  std::string root, bundle, rootfs, shim, hostname, cwd = "/", size;
  std::vector<std::string> env, rest;
  std::vector<BindMount> binds;
  std::vector<uint32_t> groups;
  uint32_t uid = 0, gid = 0;
  bool tty = false, in = false, stdin_once = false, privileged = false, detach = false;
  bool single_id = false;  // create the engine namespace with the single-id fallback map
  std::string prepare_file;  // start with a prepare hook writing this file in the container
  bool prepare_fail = false; // start with a prepare hook that throws
  bool late_attach = false;  // attach after start() returned instead of from the prepare hook
  int signal = SIGTERM;
};

Args parse(int argc, char** argv, int from) {
  Args a;
  auto need = [&](int& i) -> std::string {
    if (i + 1 >= argc) throw Error::bad_parameter(std::string(argv[i]) + " needs a value");
    return argv[++i];
  };
  for (int i = from; i < argc; ++i) {
    std::string s = argv[i];
    if (s == "--root") a.root = need(i);
    else if (s == "--bundle") a.bundle = need(i);
    else if (s == "--rootfs") a.rootfs = need(i);
    else if (s == "--shim") a.shim = need(i);
    else if (s == "--hostname") a.hostname = need(i);
    else if (s == "--cwd") a.cwd = need(i);
    else if (s == "--env") a.env.push_back(need(i));
    else if (s == "--size") a.size = need(i);
    else if (s == "--signal") a.signal = std::stoi(need(i));
    else if (s == "--user") {
      std::string v = need(i);
      auto colon = v.find(':');
      a.uid = static_cast<uint32_t>(std::stoul(v.substr(0, colon)));
      a.gid = colon == std::string::npos ? a.uid : static_cast<uint32_t>(std::stoul(v.substr(colon + 1)));
    } else if (s == "--groups") {
      std::string v = need(i);
      size_t pos = 0;
      while (pos < v.size()) {
        size_t comma = v.find(',', pos);
        a.groups.push_back(static_cast<uint32_t>(std::stoul(v.substr(pos, comma - pos))));
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
    } else if (s == "--bind") {
      std::string v = need(i);
      BindMount b;
      auto c1 = v.find(':');
      auto c2 = v.find(':', c1 + 1);
      b.source = v.substr(0, c1);
      b.destination = v.substr(c1 + 1, c2 == std::string::npos ? std::string::npos : c2 - c1 - 1);
      b.read_only = c2 != std::string::npos && v.substr(c2 + 1) == "ro";
      a.binds.push_back(b);
    } else if (s == "--tty") a.tty = true;
    else if (s == "-i") a.in = true;
    else if (s == "--stdin-once") a.stdin_once = true;
    else if (s == "--privileged") a.privileged = true;
    else if (s == "--detach") a.detach = true;
    else if (s == "--single-id") a.single_id = true;
    else if (s == "--prepare-file") a.prepare_file = need(i);
    else if (s == "--prepare-fail") a.prepare_fail = true;
    else if (s == "--late-attach") a.late_attach = true;
    else if (s == "--") {
      for (++i; i < argc; ++i) a.rest.push_back(argv[i]);
    } else {
      throw Error::bad_parameter("unknown argument `" + s + "`");
    }
  }
  return a;
}

int exec_rest(const std::vector<std::string>& rest) {
  std::vector<char*> argv;
  for (const auto& s : rest) argv.push_back(const_cast<char*>(s.c_str()));
  argv.push_back(nullptr);
  ::execvp(argv[0], argv.data());
  std::cerr << "exec " << rest[0] << ": " << std::strerror(errno) << "\n";
  return 127;
}

std::string self_dir() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return ".";
  buf[n] = '\0';
  return sys::dirname(buf);
}

StartedContainer read_started(const std::string& bundle) {
  StartedContainer c;
  std::string text = sys::read_file(bundle + "/started");
  std::sscanf(text.c_str(), "%d %d", &c.shim_pid, &c.pid);
  return c;
}

// Copies the attach stream to stdout/stderr (frames decoded) and stdin to the socket.
void pump(int sock, bool send_stdin) {
  bool stdin_open = send_stdin;
  std::string pending;
  char buf[65536];
  for (;;) {
    struct pollfd fds[2] = {{sock, POLLIN, 0}, {0, POLLIN, 0}};
    int n = ::poll(fds, stdin_open ? 2 : 1, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw sys::error_from_errno(errno, "poll");
    if (stdin_open && fds[1].revents) {
      ssize_t r = ::read(0, buf, sizeof buf);
      if (r <= 0) {
        ::shutdown(sock, SHUT_WR);
        stdin_open = false;
      } else {
        sys::write_all(sock, buf, static_cast<size_t>(r));
      }
    }
    if (fds[0].revents) {
      ssize_t r = ::read(sock, buf, sizeof buf);
      if (r <= 0) return;
      pending.append(buf, static_cast<size_t>(r));
      while (pending.size() >= 8) {
        auto h = decode_frame_header(pending);
        if (!h) throw Error::internal("bad frame from the shim");
        if (pending.size() < 8 + h->second) break;
        sys::write_all(h->first == 2 ? 2 : 1, pending.data() + 8, h->second);
        pending.erase(0, 8 + h->second);
      }
    }
  }
}

// The "log" strings of a json-file log, unescaped, to stdout/stderr: what an attach that came
// too late would have shown.
void replay_log(const std::string& path) {
  std::string text = sys::try_read_file(path).value_or("");
  size_t pos = 0;
  while ((pos = text.find("{\"log\":\"", pos)) != std::string::npos) {
    pos += 8;
    std::string out;
    while (pos < text.size() && text[pos] != '"') {
      char c = text[pos++];
      if (c != '\\') {
        out += c;
        continue;
      }
      char e = text[pos++];
      if (e == 'n') out += '\n';
      else if (e == 'r') out += '\r';
      else if (e == 't') out += '\t';
      else if (e == 'u') {
        unsigned cp = static_cast<unsigned>(std::stoul(text.substr(pos, 4), nullptr, 16));
        pos += 4;
        if (cp < 0x80) out += static_cast<char>(cp);
        else out += "?";
      } else out += e;
    }
    bool err = text.compare(pos, 21, "\",\"stream\":\"stderr\"") == 0;
    sys::write_all(err ? 2 : 1, out);
  }
}

EngineNamespaceOptions ns_options(const Args& a, Logger* logger) {
  EngineNamespaceOptions no;
  no.state_root = a.root;
  no.logger = logger;
  if (a.single_id) {
    no.uid_map = IdMap({{0, static_cast<uint32_t>(::getuid()), 1}});
    no.gid_map = IdMap({{0, static_cast<uint32_t>(::getgid()), 1}});
  }
  return no;
}

int run(const Args& a, Logger& logger) {
  enter_engine_namespace(ns_options(a, &logger));
  RuntimeOptions ro;
  ro.shim_program = a.shim.empty() ? self_dir() + "/burrow-shim" : a.shim;
  ro.logger = &logger;
  ContainerRuntime runtime(ro);
  ContainerSpec spec;
  spec.id = random_id();
  spec.bundle_dir = a.bundle;
  spec.rootfs = a.rootfs;
  spec.args = a.rest;
  spec.env = a.env;
  spec.cwd = a.cwd;
  spec.uid = a.uid;
  spec.gid = a.gid;
  spec.additional_gids = a.groups;
  spec.hostname = a.hostname;
  spec.tty = a.tty;
  spec.open_stdin = a.in;
  spec.stdin_once = a.stdin_once;
  spec.privileged = a.privileged;
  spec.binds = a.binds;
  spec.log_path = a.bundle + "/" + spec.id + "-json.log";
  sys::make_dirs(a.bundle, 0700);
  // Attached runs connect to the shim from the prepare hook, before the command runs, with
  // replay: nothing it prints can be missed (--late-attach connects after start() instead, as
  // a later `docker attach` would, and falls back to the log when the container is gone).
  bool early = !a.detach && !a.late_attach;
  Fd sock;
  AttachRequest request{a.in, true, true, true, std::nullopt};
  StartedContainer c;
  if (early || !a.prepare_file.empty() || a.prepare_fail) {
    c = runtime.start(spec, [&](pid_t pid) {
      if (a.prepare_fail) throw Error::unavailable("refused by the test's prepare hook");
      if (!a.prepare_file.empty())
        sys::write_file_atomic("/proc/" + std::to_string(pid) + "/root" + a.prepare_file, "prepared " + std::to_string(pid) + "\n");
      if (early) sock = runtime.attach(a.bundle, request);
    });
  } else {
    c = runtime.start(spec);
  }
  sys::write_file_atomic(a.bundle + "/started", std::to_string(c.shim_pid) + " " + std::to_string(c.pid) + "\n");
  std::cerr << "driver: started shim=" << c.shim_pid << " pid=" << c.pid << " at " << c.started_at << std::endl;
  if (a.detach) return 0;
  try {
    if (!sock.valid()) sock = runtime.attach(a.bundle, request);
    pump(sock.get(), a.in);
  } catch (const Error& e) {
    if (!e.is_conflict()) throw;
    runtime.wait(c, a.bundle);  // already exited: the log has the output
    replay_log(spec.log_path);
  }
  ExitRecord rec = runtime.wait(c, a.bundle);
  return rec.exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: burrow-sandbox-driver preflight|ns|stop|run|wait|running|kill|attach|resize ...\n";
    return 2;
  }
  std::string cmd = argv[1];
  Logger logger(2, false);
  try {
    if (cmd == "preflight") {
      PreflightReport r = run_preflight();
      std::cout << r.summary() << "ok=" << r.ok() << "\nuserns=" << r.userns_usable << "\nfuse=" << r.fuse_usable
                << "\nsingle_id=" << r.single_id_fallback << "\nuid_map=" << r.uid_map.to_text()
                << "\ngid_map=" << r.gid_map.to_text() << "\n";
      return r.ok() ? 0 : 1;
    }
    Args a = parse(argc, argv, 2);
    if (cmd == "ns") {
      EngineNamespace ns = enter_engine_namespace(ns_options(a, &logger));
      std::cout << "holder=" << ns.holder_pid << "\ncreated=" << ns.created << "\nuid_map=" << ns.id_mapping_text()
                << "\ngid_map=" << ns.gid_map.to_text() << "\nsingle_id=" << ns.single_id << "\nsetgroups=" << ns.setgroups_allowed
                << "\nuid=" << ::getuid() << std::endl;
      if (!a.rest.empty()) return exec_rest(a.rest);
      return 0;
    }
    if (cmd == "run") return run(a, logger);
    if (cmd == "wait" || cmd == "running" || cmd == "kill" || cmd == "attach" || cmd == "resize") {
      enter_engine_namespace(ns_options(a, nullptr));
      ContainerRuntime runtime(RuntimeOptions{});
      StartedContainer c = read_started(a.bundle);
      if (cmd == "wait") {
        ExitRecord r = runtime.wait(c, a.bundle);
        std::cout << r.exit_code << "\n";
        return 0;
      }
      if (cmd == "running") {
        std::cout << (runtime.running(c, a.bundle) ? "running" : "exited") << "\n";
        return 0;
      }
      if (cmd == "kill") {
        runtime.kill(c, a.signal);
        return 0;
      }
      if (cmd == "resize") {
        unsigned rows = 0, cols = 0;
        std::sscanf(a.size.c_str(), "%u:%u", &rows, &cols);
        runtime.resize(a.bundle, rows, cols);
        return 0;
      }
      Fd sock = runtime.attach(a.bundle, a.in, true, true);
      pump(sock.get(), a.in);
      return 0;
    }
    if (cmd == "stop") {
      bool stopped = stop_engine_namespace(a.root);
      std::cout << "stopped=" << stopped << "\n";
      return 0;
    }
    std::cerr << "unknown command " << cmd << "\n";
    return 2;
  } catch (const Error& e) {
    std::cerr << "burrow-sandbox-driver: " << e.what() << "\n";
    return 125;
  }
}
