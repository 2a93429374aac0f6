#pragma once
// Network namespace plumbing for the forwarder: opening a process's namespace, and making
// sockets inside other namespaces from one thread. setns(CLONE_NEWNET) changes only the calling
// thread; a rootless process may enter namespaces owned by its user namespace (the containers')
// but never return to the host's, so burrow-net binds every host socket before it first enters
// a container. Not thread-safe per object.

#include <sys/types.h>

#include "base/fd.h"

namespace burrow::userns::net {

// /proc/PID/ns/net, opened read-only. Throws NotFound when the process is gone.
Fd open_netns(pid_t pid);

// pidfd_open(pid): readable once the process has exited. Throws when unsupported or gone.
Fd open_pidfd(pid_t pid);

class NetnsSwitcher {
 public:
  // Enters `netns` (a descriptor from open_netns, which must stay open while in use) unless the
  // thread is already there. Throws Error(Unavailable) "setns ...: Operation not permitted" when
  // the namespace belongs to another user namespace.
  void enter(int netns);
  // A non-blocking, CLOEXEC socket of `type` (SOCK_STREAM, SOCK_DGRAM) in `netns`.
  Fd socket_in(int netns, int type);

 private:
  int current_ = -1;  // the descriptor last entered
};

}  // namespace burrow::userns::net
