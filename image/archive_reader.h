#pragma once
// ArchiveReader: owns one libarchive read handle fed from a ReadFn, for tar archives (ustar,
// pax, GNU) under any filter libarchive detects (none, gzip, bzip2, xz, zstd). Exceptions
// thrown by the source are carried across libarchive's C code and rethrown as they were;
// libarchive's own failures become Error(BadParameter) "invalid tar archive: ...".
// Move-less; not thread-safe. The ReadFn is owned.

#include <cstdint>
#include <exception>
#include <vector>

#include "image/byte_stream.h"

struct archive;
struct archive_entry;

namespace burrow::image {

class ArchiveReader {
 public:
  explicit ArchiveReader(ReadFn source, size_t buffer_size = 1 << 20);
  ~ArchiveReader();
  ArchiveReader(const ArchiveReader&) = delete;
  ArchiveReader& operator=(const ArchiveReader&) = delete;

  // The next member's header (owned by the reader, valid until the next call), or nullptr at
  // the end of the archive. Throws as described above.
  archive_entry* next();
  // Reads up to n bytes of the current member; 0 at its end.
  size_t read(char* buf, size_t n);
  // The next block of the current member without copying: false at its end.
  bool read_block(const void** buf, size_t* size, int64_t* offset);
  // Bytes consumed from the source so far.
  uint64_t bytes_in() const { return bytes_in_; }

 private:
  static long read_callback(struct archive* a, void* self, const void** buf);
  [[noreturn]] void fail(const char* step);

  ReadFn source_;
  std::vector<char> buffer_;
  std::exception_ptr source_error_;
  uint64_t bytes_in_ = 0;
  struct archive* archive_ = nullptr;
};

}  // namespace burrow::image
