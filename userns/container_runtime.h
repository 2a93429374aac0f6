#pragma once
// ContainerRuntime: burrowd's side of running a container. start() hands a ContainerSpec to a
// new burrow-shim (an exec'd, single-threaded, detached program: own session, not burrowd's
// child) that builds the sandbox, owns the container's stdio or pty, writes its log and its
// exit record. Everything else works from the bundle directory and pids alone, so containers
// started by an earlier burrowd are handled the same way. Thread-safe: the object holds only
// constant options; calls for different containers may run concurrently.

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/fd.h"
#include "userns/attach_protocol.h"

namespace burrow {
class Logger;
}

namespace burrow::userns {

struct BindMount {
  std::string source;       // host path (in the engine namespace); must exist
  std::string destination;  // absolute path in the container; created if missing
  bool read_only = false;
};

struct ContainerSpec {                 // everything the shim needs; decided by the engine
  std::string id;                      // 64-hex container id
  std::string bundle_dir;              // <root>/containers/<id>; the shim writes its files here
  std::string rootfs;                  // directory (or mounted overlay) to pivot_root into
  std::vector<std::string> args;       // argv; args[0] looked up in the container's PATH
  std::vector<std::string> env;        // "K=V"
  std::string cwd = "/";               // created if missing
  uint32_t uid = 0, gid = 0;           // already resolved by the engine
  std::vector<uint32_t> additional_gids;
  std::string hostname;
  bool tty = false, open_stdin = false, stdin_once = false, privileged = false;
  std::vector<BindMount> binds;        // also used for /etc/hosts, /etc/hostname, /etc/resolv.conf
  std::string log_path;                // the JSON-lines log (<bundle>/<id>-json.log)
};

struct StartedContainer {
  pid_t shim_pid = -1;     // burrow-shim (host pid)
  pid_t pid = -1;          // the container's pid 1 (host pid), what `docker top` and inspect show
  std::string started_at;  // RFC3339Nano, UTC
};

struct ExitRecord {
  int exit_code = 0;        // N, or 128+N after signal N; -1 when the shim vanished unrecorded
  std::string finished_at;  // RFC3339Nano, UTC
};

struct RuntimeOptions {
  std::string shim_program = "burrow-shim";  // path, or a name looked up on PATH
  Logger* logger = nullptr;                  // optional; must outlive the runtime
  // How long start() waits for the shim to report the container exec'd.
  int start_timeout_ms = 30000;
};

class ContainerRuntime {
 public:
  explicit ContainerRuntime(RuntimeOptions options);

  // Validates the spec (Error BadParameter naming the field), writes <bundle>/shim.conf,
  // starts burrow-shim and returns once the container's process has exec'd. Failures come
  // back as burrow::Error naming the failed setup step and path ("mount proc `/proc`: ...",
  // "exec `nosuch`: No such file or directory" as NotFound), never "exit 1". Stale
  // exit.json/attach.sock in the bundle are removed first.
  StartedContainer start(const ContainerSpec& spec);
  // The same, with `prepare(pid)` called once the container's namespaces are set up and before
  // its command runs (pid: the init's host pid), e.g. to configure its network namespace. If
  // prepare throws, the container is killed before its command ran and the error is rethrown.
  StartedContainer start(const ContainerSpec& spec, const std::function<void(pid_t pid)>& prepare);

  // The exit record the shim wrote (<bundle>/exit.json), once the container has exited;
  // nullopt while it runs (or when it never ran). Throws Error(Io) for a corrupt record.
  std::optional<ExitRecord> exit_record(const std::string& bundle_dir);

  // Blocks until the container has exited: the shim is gone and exit.json written. Works for
  // containers started by an earlier burrowd (pidfd on the shim). When the shim died without
  // a record (SIGKILL), returns exit_code -1 and the time it noticed.
  ExitRecord wait(const StartedContainer& container, const std::string& bundle_dir);

  // Sends `sig` to the container's pid 1, only if it is still the shim's child (a recycled
  // pid is never signalled). A container that already exited is not an error.
  void kill(const StartedContainer& container, int sig);

  // True while the container's process runs (shim alive and no exit record).
  bool running(const StartedContainer& container, const std::string& bundle_dir);

  // A connection to the shim's attach socket (<bundle>/attach.sock), past the handshake line.
  // Read: output frames [stream(1 stdout, 2 stderr),0,0,0,len_be32]+bytes (tty: stream 1 only),
  // ending at EOF when the container exits. Write: bytes go to the container's stdin (when
  // `in` and the container has open_stdin); shutdown(SHUT_WR) closes stdin when stdin_once
  // and no tty (a tty stays open for later clients, as in Docker).
  // Throws Error(Conflict) "container is not running" when the shim is gone.
  Fd attach(const std::string& bundle_dir, bool in, bool out, bool err);
  // The same with the full request; `replay` first sends the output since the container
  // started (its last 1 MiB): use it for an attach that was requested before start() returned
  // (docker run), so that nothing printed in between is lost. When the container is already
  // gone (Conflict), everything it printed is in the log file.
  Fd attach(const std::string& bundle_dir, const AttachRequest& request);

  // Sets the tty window size (no-op without a tty). Throws like attach() when not running.
  void resize(const std::string& bundle_dir, unsigned rows, unsigned cols);

 private:
  RuntimeOptions options_;
};

}  // namespace burrow::userns
