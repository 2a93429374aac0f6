#include "userns/container_launch.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <vector>

#include "base/error.h"
#include "base/sys.h"
#include "userns/capabilities.h"
#include "userns/container_init.h"
#include "userns/sandbox_plan.h"

namespace burrow::userns {

namespace {

struct Pipe {
  Fd read, write;
};

Pipe make_pipe() {
  int fds[2];
  sys::check(::pipe2(fds, O_CLOEXEC), "pipe2");
  return {Fd(fds[0]), Fd(fds[1])};
}

// One message from the init, with a passed fd if any. Returns false at EOF (the exec).
bool receive(int sock, InitMessage* m, Fd* passed) {
  union {
    char buf[CMSG_SPACE(sizeof(int))];
    struct cmsghdr align;
  } control = {};
  struct iovec iov = {m, sizeof *m};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.buf;
  msg.msg_controllen = sizeof control.buf;
  ssize_t n = sys::retry_eintr([&] { return ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC); });
  sys::check(n, "recvmsg", "container sync socket");
  if (n == 0) return false;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      passed->reset(fd);
    }
  }
  if (static_cast<size_t>(n) != sizeof *m) throw Error::internal("container sync socket: short message");
  m->step[sizeof m->step - 1] = '\0';
  m->path[sizeof m->path - 1] = '\0';
  return true;
}

}  // namespace

LaunchedContainer launch_container(const SandboxPlan& plan, const CapabilityPlan& caps, bool open_stdin, int gate_fd,
                                   const std::function<void(pid_t)>& on_ready) {
  LaunchedContainer out;
  int sv[2];
  sys::check(::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv), "socketpair");
  Fd sync_parent(sv[0]), sync_child(sv[1]);

  Pipe in, outp, errp;
  Fd devnull;
  InitContext ctx;
  if (!plan.tty) {
    outp = make_pipe();
    errp = make_pipe();
    if (open_stdin) {
      in = make_pipe();
      ctx.stdio[0] = in.read.get();
    } else {
      devnull = sys::open("/dev/null", O_RDONLY);
      ctx.stdio[0] = devnull.get();
    }
    ctx.stdio[1] = outp.write.get();
    ctx.stdio[2] = errp.write.get();
  }
  // Everything the child touches is built now: no allocation after clone.
  std::vector<char*> argv, envp;
  for (const auto& a : plan.args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const auto& e : plan.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  ctx.plan = &plan;
  ctx.caps = &caps;
  ctx.sync_fd = sync_child.get();
  ctx.gate_fd = gate_fd;
  ctx.argv = argv.data();
  ctx.envp = envp.data();

  constexpr unsigned long kFlags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET;
  // The raw syscall with no new stack behaves like fork (bubblewrap's raw_clone).
  long pid = ::syscall(SYS_clone, kFlags | SIGCHLD, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) throw sys::error_from_errno(errno, "clone container namespaces");
  if (pid == 0) run_container_init(ctx);

  out.pid = static_cast<pid_t>(pid);
  // The init is our unreaped child, so this pidfd cannot name a recycled pid.
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, out.pid, 0));
  if (pidfd < 0) {
    int e = errno;
    ::kill(out.pid, SIGKILL);
    ::waitpid(out.pid, nullptr, 0);
    throw sys::error_from_errno(e, "pidfd_open", "container init");
  }
  out.pidfd.reset(pidfd);
  sync_child.reset();
  in.read.reset();
  outp.write.reset();
  errp.write.reset();
  devnull.reset();

  auto reap_and_throw = [&](const Error& e) {
    ::kill(out.pid, SIGKILL);
    ::waitpid(out.pid, nullptr, 0);
    throw e;
  };
  for (;;) {
    InitMessage m;
    Fd passed;
    bool more;
    try {
      more = receive(sync_parent.get(), &m, &passed);
    } catch (const Error& e) {
      reap_and_throw(e);
    }
    if (!more) break;
    if (m.type == InitMessage::kPtyMaster && passed.valid()) {
      out.pty_master = std::move(passed);
    } else if (m.type == InitMessage::kReady) {
      if (on_ready) on_ready(out.pid);
    } else if (m.type == InitMessage::kError) {
      reap_and_throw(sys::error_from_errno(m.err, m.step, m.path));
    }
  }
  // EOF: exec happened (a command that exits at once is reaped by the shim's loop as usual).
  if (plan.tty && !out.pty_master.valid()) reap_and_throw(Error::internal("container init sent no pty"));
  out.stdin_write = std::move(in.write);
  out.stdout_read = std::move(outp.read);
  out.stderr_read = std::move(errp.read);
  return out;
}

}  // namespace burrow::userns
