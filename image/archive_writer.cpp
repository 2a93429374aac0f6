#include "image/archive_writer.h"

#include <archive.h>
#include <archive_entry.h>

#include "base/error.h"
#include "image/tar_writer.h"

namespace burrow::image {

ArchiveWriter::ArchiveWriter(const WriteFn* sink) : sink_(sink) {
  a_ = archive_write_new();
  if (!a_) throw Error::internal("archive_write_new failed");
  archive_write_set_format_pax_restricted(a_);
  archive_write_set_bytes_per_block(a_, 65536);
  archive_write_set_bytes_in_last_block(a_, 1);
  if (archive_write_open(a_, this, nullptr, &ArchiveWriter::write_callback, nullptr) != ARCHIVE_OK) {
    archive_write_free(a_);
    throw Error::internal("archive_write_open failed");
  }
  entry_ = archive_entry_new();
}

ArchiveWriter::~ArchiveWriter() {
  archive_entry_free(entry_);
  archive_write_free(a_);
}

void ArchiveWriter::header(const TarMember& m) {
  archive_entry_clear(entry_);
  archive_entry_copy_stat(entry_, &m.st);
  archive_entry_set_pathname(entry_, m.name.c_str());
  archive_entry_unset_atime(entry_);
  archive_entry_unset_ctime(entry_);
  archive_entry_unset_birthtime(entry_);
  archive_entry_set_ino(entry_, 0);
  archive_entry_set_dev(entry_, 0);
  archive_entry_set_nlink(entry_, 1);
  if (S_ISLNK(m.st.st_mode)) archive_entry_set_symlink(entry_, m.symlink.c_str());
  if (!m.hardlink.empty()) {
    archive_entry_set_hardlink(entry_, m.hardlink.c_str());
    archive_entry_set_size(entry_, 0);
  } else if (!S_ISREG(m.st.st_mode)) {
    archive_entry_set_size(entry_, 0);
  }
  for (const auto& [k, v] : m.xattrs) archive_entry_xattr_add_entry(entry_, k.c_str(), v.data(), v.size());
  if (archive_write_header(a_, entry_) < ARCHIVE_WARN) fail(m.name);
}

void ArchiveWriter::header(const std::string& name, mode_t mode, uint64_t size, int64_t mtime) {
  archive_entry_clear(entry_);
  archive_entry_set_pathname(entry_, name.c_str());
  archive_entry_set_mode(entry_, mode);
  archive_entry_set_uid(entry_, 0);
  archive_entry_set_gid(entry_, 0);
  archive_entry_set_size(entry_, S_ISREG(mode) ? static_cast<la_int64_t>(size) : 0);
  archive_entry_set_mtime(entry_, mtime, 0);
  if (archive_write_header(a_, entry_) < ARCHIVE_WARN) fail(name);
}

void ArchiveWriter::data(const char* buf, size_t n, const std::string& name) {
  if (archive_write_data(a_, buf, n) < 0) fail(name);
}

void ArchiveWriter::finish_entry(const std::string& name) {
  if (archive_write_finish_entry(a_) < ARCHIVE_WARN) fail(name);
}

void ArchiveWriter::add_file(const std::string& name, std::string_view content, int64_t mtime, mode_t mode) {
  header(name, S_IFREG | mode, content.size(), mtime);
  if (!content.empty()) data(content.data(), content.size(), name);
  finish_entry(name);
}

void ArchiveWriter::add_directory(const std::string& name, int64_t mtime, mode_t mode) {
  header(name, S_IFDIR | mode, 0, mtime);
  finish_entry(name);
}

uint64_t ArchiveWriter::close() {
  if (archive_write_close(a_) != ARCHIVE_OK) fail("end of archive");
  return written_;
}

long ArchiveWriter::write_callback(struct archive* a, void* self_ptr, const void* buf, size_t n) {
  auto* self = static_cast<ArchiveWriter*>(self_ptr);
  try {
    if (self->sink_) (*self->sink_)(static_cast<const char*>(buf), n);
    self->written_ += n;
    return static_cast<long>(n);
  } catch (...) {
    self->error_ = std::current_exception();
    archive_set_error(a, EIO, "sink failed");
    return -1;
  }
}

void ArchiveWriter::fail(const std::string& what) {
  if (error_) std::rethrow_exception(error_);
  const char* msg = archive_error_string(a_);
  throw Error::io("writing tar member `" + what + "`: " + (msg ? msg : "libarchive failed"));
}

}  // namespace burrow::image
