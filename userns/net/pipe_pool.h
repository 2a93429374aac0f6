#pragma once
// PipePool: the pipes the forwarder's TCP relays splice(2) through, shared by all connections of
// one forwarder thread. A direction of a connection holds a pipe only while bytes wait in it
// (its destination is slow or not yet connected) and gives it back empty; so a thousand idle or
// interactive connections need no pipe of their own, only their two sockets, and a new
// connection costs no pipe2/fcntl/close calls. Pipes are made with `size` bytes of capacity
// (F_SETPIPE_SZ, best effort: the per-user pipe budget may refuse it, and the kernel's default
// serves then). At most `keep` empty pipes are kept for reuse, and none once trim() finds the
// pool unused since its last call: an idle container's helper then holds no pipe (the user's
// budget, fs/pipe-user-pages-soft, is shared by all their processes). Not thread-safe.

#include <cstddef>
#include <vector>

#include "base/fd.h"

namespace burrow::userns::net {

struct Pipe {
  Fd read_end, write_end;
  size_t capacity = 0;  // what F_GETPIPE_SZ reported
  size_t bytes = 0;     // in the pipe, not yet spliced out
  explicit operator bool() const { return static_cast<bool>(read_end); }
};

class PipePool {
 public:
  PipePool(int size, size_t keep) : size_(size), keep_(keep) {}

  // An empty pipe, reused or new. Throws Error(Io) when pipe2 fails (EMFILE, ENFILE).
  Pipe acquire();
  // Takes back `pipe` when it is empty (bytes == 0), keeping it for reuse or closing it; a pipe
  // with bytes in it stays with the caller.
  void release(Pipe& pipe);
  // Closes the kept pipes when nothing was acquired since the last call (call it now and then).
  void trim();

  size_t idle() const { return free_.size(); }
  size_t made() const { return made_; }

 private:
  int size_;
  size_t keep_;
  std::vector<Pipe> free_;
  size_t made_ = 0;
  bool used_ = false;  // acquire() since the last trim()
};

}  // namespace burrow::userns::net
