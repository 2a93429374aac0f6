#include "image/tree_copy.h"

#include <sys/socket.h>

#include <exception>
#include <thread>

#include "base/error.h"
#include "base/fd.h"
#include "base/sys.h"
#include "image/tar_writer.h"

namespace burrow::image {

ExtractStats copy_tree(int src_fd, int dst_fd) {
  int sv[2];
  sys::check(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), "socketpair");
  Fd reader(sv[0]);
  Fd writer(sv[1]);
  auto members = scan_tree(src_fd);
  std::exception_ptr write_error;
  std::thread producer([&] {
    try {
      WriteFn sink = [&](const char* buf, size_t n) {
        while (n > 0) {
          ssize_t w = sys::retry_eintr([&] { return ::send(writer.get(), buf, n, MSG_NOSIGNAL); });
          sys::check(w, "send");
          buf += w;
          n -= static_cast<size_t>(w);
        }
      };
      write_tar(src_fd, members, sink);
    } catch (...) {
      write_error = std::current_exception();
    }
    ::shutdown(writer.get(), SHUT_WR);
  });
  ExtractStats stats;
  try {
    stats = extract_tar(read_from_fd(reader.get()), dst_fd);
  } catch (...) {
    ::shutdown(reader.get(), SHUT_RDWR);
    producer.join();
    if (write_error) std::rethrow_exception(write_error);
    throw;
  }
  producer.join();
  if (write_error) std::rethrow_exception(write_error);
  return stats;
}

}  // namespace burrow::image
