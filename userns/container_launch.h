#pragma once
// launch_container: the shim's step from a validated SandboxPlan to a running container:
// clone(2) with new mount, pid, uts, ipc and network namespaces, the init (container_init.h)
// in the child, and the parent waiting on the sync socket until the command has exec'd or a
// setup step failed. Runs in burrow-shim (single-threaded); not for use inside burrowd.

#include <sys/types.h>

#include <functional>

#include "base/fd.h"

namespace burrow::userns {

class SandboxPlan;
class CapabilityPlan;

struct LaunchedContainer {
  pid_t pid = -1;    // the container's pid 1, our child
  Fd pidfd;          // pidfd of it (readable when it exits)
  Fd pty_master;     // tty: the pty master from the container's devpts
  Fd stdin_write;    // no tty, open_stdin: write end of the container's stdin pipe
  Fd stdout_read;    // no tty: read ends of stdout and stderr
  Fd stderr_read;
};

// Returns once the command exec'd. Throws burrow::Error naming the failed step and path
// ("mount proc `/proc`: Operation not permitted", "exec `nosuch`: No such file or directory"
// as NotFound); the child is reaped before the throw.
// With gate_fd >= 0 the init stops before exec: `on_ready(pid)` is called, and the init goes
// on once a byte arrives on gate_fd (EOF: it gives up, reported as "wait for the go-ahead").
LaunchedContainer launch_container(const SandboxPlan& plan, const CapabilityPlan& caps, bool open_stdin,
                                   int gate_fd = -1, const std::function<void(pid_t)>& on_ready = {});

}  // namespace burrow::userns
