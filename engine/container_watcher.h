#pragma once
// ExitWatcher: one thread that watches every running container's shim through a pidfd in an
// epoll set and calls on_exit(id) when a shim is gone. A shutdown eventfd ends the thread
// without touching the containers (they outlive burrowd). on_exit runs on the watcher thread,
// one container at a time. Thread-safe.

#include <sys/types.h>

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "base/fd.h"

namespace burrow::engine {

class ExitWatcher {
 public:
  // `on_exit` must stay callable until stop() returns or the watcher is destroyed.
  explicit ExitWatcher(std::function<void(const std::string& id)> on_exit);
  ~ExitWatcher();
  ExitWatcher(const ExitWatcher&) = delete;
  ExitWatcher& operator=(const ExitWatcher&) = delete;

  // Watches `shim_pid` for container `id`. When the process is already gone, on_exit is
  // called from the watcher thread soon after. Throws Error when no pidfd can be opened for
  // another reason.
  void watch(const std::string& id, pid_t shim_pid);
  // Ends the thread (idempotent). Pending exits are not reported.
  void stop();

 private:
  void run();

  std::function<void(const std::string&)> on_exit_;
  Fd epoll_;
  Fd wakeup_;  // eventfd: stop, or a pid that was already gone
  std::mutex mutex_;  // guards watched_ and gone_
  std::map<int, std::pair<std::string, Fd>> watched_;  // pidfd number -> (id, pidfd)
  std::vector<std::string> gone_;                      // ids whose shim was gone at watch()
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace burrow::engine
