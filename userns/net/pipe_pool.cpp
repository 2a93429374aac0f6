#include "userns/net/pipe_pool.h"

#include <fcntl.h>
#include <unistd.h>

#include "base/sys.h"

namespace burrow::userns::net {

Pipe PipePool::acquire() {
  used_ = true;
  if (!free_.empty()) {
    Pipe p = std::move(free_.back());
    free_.pop_back();
    return p;
  }
  int fds[2];
  sys::check(::pipe2(fds, O_CLOEXEC | O_NONBLOCK), "pipe2");
  Pipe p;
  p.read_end.reset(fds[0]);
  p.write_end.reset(fds[1]);
  if (size_ > 0) ::fcntl(fds[1], F_SETPIPE_SZ, size_);
  int got = ::fcntl(fds[1], F_GETPIPE_SZ);
  p.capacity = got > 0 ? static_cast<size_t>(got) : 65536;
  ++made_;
  return p;
}

void PipePool::release(Pipe& pipe) {
  if (!pipe || pipe.bytes != 0) return;
  if (free_.size() < keep_) free_.push_back(std::move(pipe));
  pipe = Pipe();
}

void PipePool::trim() {
  if (!used_) free_.clear();
  used_ = false;
}

}  // namespace burrow::userns::net
