#include "image/byte_stream.h"

#include <istream>
#include <ostream>

#include "base/error.h"
#include "base/sys.h"

namespace burrow::image {

ReadFn read_from(std::istream& in) {
  return [&in](char* buf, size_t n) -> size_t {
    in.read(buf, static_cast<std::streamsize>(n));
    std::streamsize got = in.gcount();
    if (got == 0 && in.bad()) throw Error::io("reading the request body failed");
    return static_cast<size_t>(got);
  };
}

ReadFn read_from_fd(int fd) {
  return [fd](char* buf, size_t n) -> size_t { return sys::read_some(fd, buf, n); };
}

WriteFn write_to(std::ostream& out) {
  return [&out](const char* buf, size_t n) {
    out.write(buf, static_cast<std::streamsize>(n));
    if (!out) throw Error::io("writing the response failed (client gone?)");
  };
}

WriteFn write_to_fd(int fd) {
  return [fd](const char* buf, size_t n) { sys::write_all(fd, buf, n); };
}

}  // namespace burrow::image
