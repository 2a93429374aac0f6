#include "poco-server/instance_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/error.h"
#include "base/sys.h"

namespace burrow::poco_server {

InstanceLock InstanceLock::acquire(const std::string& path, const std::string& held_message) {
  Fd fd = sys::open(path, O_RDWR | O_CREAT, 0600);
  int rc = sys::retry_eintr([&] { return ::flock(fd.get(), LOCK_EX | LOCK_NB); });
  if (rc < 0 && errno == EWOULDBLOCK) {
    std::string pid = sys::read_fd(fd.get());
    while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
    std::string message = held_message;
    for (auto at = message.find("{pid}"); at != std::string::npos; at = message.find("{pid}", at)) {
      message.replace(at, 5, pid.empty() ? "unknown" : pid);
    }
    throw Error::conflict(message);
  }
  sys::check(rc, "flock", path);
  sys::check(::ftruncate(fd.get(), 0), "ftruncate", path);
  std::string pid = std::to_string(::getpid()) + "\n";
  sys::check(::pwrite(fd.get(), pid.data(), pid.size(), 0), "write", path);
  return InstanceLock(path, std::move(fd));
}

}  // namespace burrow::poco_server
