#include "engine/container_watcher.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <vector>

#include "base/sys.h"

namespace burrow::engine {

ExitWatcher::ExitWatcher(std::function<void(const std::string&)> on_exit) : on_exit_(std::move(on_exit)) {
  epoll_ = Fd(sys::check(::epoll_create1(EPOLL_CLOEXEC), "epoll_create1"));
  wakeup_ = Fd(sys::check(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK), "eventfd"));
  struct epoll_event ev {};
  ev.events = EPOLLIN;
  ev.data.fd = wakeup_.get();
  sys::check(::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, wakeup_.get(), &ev), "epoll_ctl");
  thread_ = std::thread([this] { run(); });
}

ExitWatcher::~ExitWatcher() { stop(); }

void ExitWatcher::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  uint64_t one = 1;
  (void)!::write(wakeup_.get(), &one, sizeof one);
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void ExitWatcher::watch(const std::string& id, pid_t shim_pid) {
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, shim_pid, 0));
  std::lock_guard lock(mutex_);
  if (fd < 0) {
    if (errno != ESRCH) sys::check(fd, "pidfd_open", std::to_string(shim_pid));
    gone_.push_back(id);
    uint64_t one = 1;
    (void)!::write(wakeup_.get(), &one, sizeof one);
    return;
  }
  Fd pidfd(fd);
  struct epoll_event ev {};
  ev.events = EPOLLIN;
  ev.data.fd = fd;
  sys::check(::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev), "epoll_ctl");
  watched_[fd] = {id, std::move(pidfd)};
}

void ExitWatcher::run() {
  for (;;) {
    struct epoll_event events[16];
    int n = ::epoll_wait(epoll_.get(), events, 16, -1);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return;
    std::vector<std::string> exited;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      for (int i = 0; i < n; ++i) {
        int fd = events[i].data.fd;
        if (fd == wakeup_.get()) {
          uint64_t v;
          (void)!::read(wakeup_.get(), &v, sizeof v);
          continue;
        }
        auto it = watched_.find(fd);
        if (it == watched_.end()) continue;
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
        exited.push_back(it->second.first);
        watched_.erase(it);
      }
      for (auto& id : gone_) exited.push_back(id);
      gone_.clear();
    }
    for (const auto& id : exited) on_exit_(id);
  }
}

}  // namespace burrow::engine
