#pragma once
// Byte sources and sinks passed between the HTTP layer, libarchive and the image store:
// a ReadFn fills a buffer and returns the count (0 at the end) or throws burrow::Error; a
// WriteFn takes all bytes or throws. The adaptors keep a reference: the stream or descriptor
// must outlive the function. Not thread-safe.

#include <cstddef>
#include <functional>
#include <iosfwd>

namespace burrow::image {

using ReadFn = std::function<size_t(char* buf, size_t n)>;
using WriteFn = std::function<void(const char* buf, size_t n)>;

ReadFn read_from(std::istream& in);
ReadFn read_from_fd(int fd);
WriteFn write_to(std::ostream& out);
WriteFn write_to_fd(int fd);

}  // namespace burrow::image
