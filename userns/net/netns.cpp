#include "userns/net/netns.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>

#include "base/sys.h"

namespace burrow::userns::net {

Fd open_netns(pid_t pid) { return sys::open("/proc/" + std::to_string(pid) + "/ns/net", O_RDONLY); }

Fd open_pidfd(pid_t pid) {
  long fd = ::syscall(SYS_pidfd_open, pid, 0);
  return Fd(static_cast<int>(sys::check(fd, "pidfd_open", "pid " + std::to_string(pid))));
}

void NetnsSwitcher::enter(int netns) {
  if (netns == current_) return;
  sys::check(::setns(netns, CLONE_NEWNET), "setns", "network namespace");
  current_ = netns;
}

Fd NetnsSwitcher::socket_in(int netns, int type) {
  enter(netns);
  return Fd(sys::check(::socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), "socket"));
}

}  // namespace burrow::userns::net
