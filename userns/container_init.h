#pragma once
// The container init: what the cloned child runs, in new mount, pid, uts, ipc and network
// namespaces, from clone to exec. It walks the SandboxPlan in one fixed order (see
// container_init.cpp) using async-signal-safe calls only: no allocation, no locks, no throwing.
// A failure is reported as an InitMessage naming the step and path over the sync socket, then
// the child _exits; success is the sync socket closing at exec (CLOEXEC).

#include <cstdint>

namespace burrow::userns {

class SandboxPlan;
class CapabilityPlan;

// Messages on the SOCK_SEQPACKET sync socket from the container init to the shim.
struct InitMessage {
  enum Type : int32_t {
    kError = 1,
    kPtyMaster = 2,  // the fd rides along as SCM_RIGHTS
    kReady = 3,      // set up and waiting at the gate (only with a gate fd)
  };
  int32_t type = 0;
  int32_t err = 0;     // errno of the failed step
  char step[64] = {};  // "mount proc", "pivot_root", "exec"
  char path[1024] = {};
};

// Everything the child reads; all of it built before clone and left untouched after.
struct InitContext {
  const SandboxPlan* plan = nullptr;
  const CapabilityPlan* caps = nullptr;
  int sync_fd = -1;
  int stdio[3] = {-1, -1, -1};    // without a tty: the container's stdin, stdout, stderr
  int gate_fd = -1;               // >= 0: send kReady, then exec only after a byte arrives here
  char* const* argv = nullptr;    // null-terminated, from plan->args
  char* const* envp = nullptr;    // null-terminated, from plan->env
};

// Never returns: execs the container's command or reports and _exits(1) (127 for exec).
[[noreturn]] void run_container_init(const InitContext& ctx) noexcept;

}  // namespace burrow::userns
