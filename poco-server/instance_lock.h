#pragma once
// InstanceLock: an exclusive flock on a lock file (next to the API socket, and in the state
// root) that marks "a burrowd is using this". The file records the holder's pid for the message
// a second burrowd prints. The lock lives as long as the object (the descriptor is close-on-exec,
// so spawned shims never inherit it). Move-only; not thread-safe per object.

#include <string>

#include "base/fd.h"

namespace burrow::poco_server {

class InstanceLock {
 public:
  // Takes the lock on `path` (created 0600) without waiting. When another process holds it,
  // throws Error(Conflict) with `held_message`, in which each "{pid}" is replaced by the pid the
  // holder recorded. Throws Error(Io/Unavailable) when the file cannot be opened.
  static InstanceLock acquire(const std::string& path, const std::string& held_message);

  InstanceLock() = default;
  const std::string& path() const { return path_; }

 private:
  InstanceLock(std::string path, Fd fd) : path_(std::move(path)), fd_(std::move(fd)) {}
  std::string path_;
  Fd fd_;
};

}  // namespace burrow::poco_server
