#pragma once
// ArchiveWriter: owns one libarchive write handle producing an uncompressed pax-restricted
// tar into a WriteFn (or only counting bytes when the sink is null). Used for layer tars and
// for the outer `docker save` archive, where a member's content may itself be a streamed tar.
// Exceptions thrown by the sink are carried across libarchive and rethrown as they were.
// Not thread-safe; the sink must outlive the writer.

#include <sys/stat.h>

#include <cstdint>
#include <exception>
#include <string>
#include <string_view>

#include "image/byte_stream.h"

struct archive;
struct archive_entry;

namespace burrow::image {

struct TarMember;

class ArchiveWriter {
 public:
  explicit ArchiveWriter(const WriteFn* sink);
  ~ArchiveWriter();
  ArchiveWriter(const ArchiveWriter&) = delete;
  ArchiveWriter& operator=(const ArchiveWriter&) = delete;

  // Header of a scanned member (data, if any, follows with data()).
  void header(const TarMember& member);
  // Header of a synthetic member: type from `mode` (S_IFDIR/S_IFREG), owner 0:0.
  void header(const std::string& name, mode_t mode, uint64_t size, int64_t mtime);
  void data(const char* buf, size_t n, const std::string& name);
  // Ends the member, padding data not written with zeros.
  void finish_entry(const std::string& name);
  // A whole small regular file.
  void add_file(const std::string& name, std::string_view content, int64_t mtime, mode_t mode = 0644);
  void add_directory(const std::string& name, int64_t mtime, mode_t mode = 0755);
  // Writes the end-of-archive blocks; returns the total bytes produced.
  uint64_t close();

 private:
  static long write_callback(struct archive* a, void* self, const void* buf, size_t n);
  [[noreturn]] void fail(const std::string& what);

  const WriteFn* sink_;
  struct archive* a_ = nullptr;
  archive_entry* entry_ = nullptr;
  std::exception_ptr error_;
  uint64_t written_ = 0;
};

}  // namespace burrow::image
