#include "image/archive_reader.h"

#include <archive.h>
#include <archive_entry.h>

#include <string>

#include "base/error.h"

namespace burrow::image {

ArchiveReader::ArchiveReader(ReadFn source, size_t buffer_size)
    : source_(std::move(source)), buffer_(buffer_size) {
  archive_ = archive_read_new();
  if (!archive_) throw Error::internal("archive_read_new failed");
  archive_read_support_filter_all(archive_);
  archive_read_support_format_tar(archive_);
  archive_read_support_format_gnutar(archive_);
  archive_read_support_format_empty(archive_);
  if (archive_read_open(archive_, this, nullptr, &ArchiveReader::read_callback, nullptr) != ARCHIVE_OK) {
    try {
      fail("opening");
    } catch (...) {
      archive_read_free(archive_);
      throw;
    }
  }
}

ArchiveReader::~ArchiveReader() { archive_read_free(archive_); }

long ArchiveReader::read_callback(struct archive* a, void* self_ptr, const void** buf) {
  auto* self = static_cast<ArchiveReader*>(self_ptr);
  try {
    size_t n = self->source_(self->buffer_.data(), self->buffer_.size());
    self->bytes_in_ += n;
    *buf = self->buffer_.data();
    return static_cast<long>(n);
  } catch (...) {
    self->source_error_ = std::current_exception();
    archive_set_error(a, EIO, "source failed");
    return -1;
  }
}

void ArchiveReader::fail(const char* step) {
  if (source_error_) std::rethrow_exception(source_error_);
  const char* msg = archive_error_string(archive_);
  throw Error::bad_parameter(std::string("invalid tar archive: ") + (msg ? msg : step));
}

archive_entry* ArchiveReader::next() {
  archive_entry* entry = nullptr;
  int rc = archive_read_next_header(archive_, &entry);
  if (rc == ARCHIVE_EOF) return nullptr;
  if (rc < ARCHIVE_WARN) fail("reading a header");
  return entry;
}

size_t ArchiveReader::read(char* buf, size_t n) {
  la_ssize_t r = archive_read_data(archive_, buf, n);
  if (r < 0) {
    if (r == ARCHIVE_WARN) return 0;
    fail("reading member data");
  }
  return static_cast<size_t>(r);
}

bool ArchiveReader::read_block(const void** buf, size_t* size, int64_t* offset) {
  la_int64_t off = 0;
  int rc = archive_read_data_block(archive_, buf, size, &off);
  if (rc == ARCHIVE_EOF) return false;
  if (rc < ARCHIVE_WARN) fail("reading member data");
  *offset = off;
  return true;
}

}  // namespace burrow::image
