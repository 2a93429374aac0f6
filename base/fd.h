#pragma once
// Fd: sole owner of one file descriptor; closes it on destruction. Move-only.
// release() hands the descriptor out without closing it. Not thread-safe per object.

#include <utility>

namespace burrow {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& other) noexcept : fd_(other.release()) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }

  // Gives up ownership: returns the descriptor and leaves this Fd empty.
  int release() { return std::exchange(fd_, -1); }
  // Closes the current descriptor (errors ignored, as in every destructor) and owns `fd`.
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

}  // namespace burrow
