// The C libraries burrowd uses only now and then, opened on first use (image/lazy_library.h):
// libarchive (tar in and out; it maps nine more libraries: compression, XML, ICU, ACLs) and
// OpenSSL's libcrypto (SHA-256 of layers and blobs). Below are the functions of theirs that
// burrow's image code calls, each forwarding to the real one. burrowd is linked against these
// forwarders instead of the libraries, so an idle daemon maps neither. A call of another of their
// functions added elsewhere in image/ needs its line here (the link fails without it). The TLS
// client has a module of its own (tls_module.h).
#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include <cstdarg>
#include <cstdio>

#include "image/lazy_library.h"

namespace {

burrow::image::LazyLibrary& libarchive() {
  static burrow::image::LazyLibrary library(BURROW_LIBARCHIVE_SONAME, "install libarchive13");
  return library;
}

burrow::image::LazyLibrary& libcrypto() {
  static burrow::image::LazyLibrary library(BURROW_LIBCRYPTO_SONAME, "install libssl3");
  return library;
}

}  // namespace

#define BURROW_FORWARD(ret, name, params, args) BURROW_LAZY_FORWARD(libarchive(), ret, name, params, args)

BURROW_FORWARD(time_t, archive_entry_atime, (struct archive_entry* a0), (a0))
BURROW_FORWARD(int, archive_entry_atime_is_set, (struct archive_entry* a0), (a0))
BURROW_FORWARD(long, archive_entry_atime_nsec, (struct archive_entry* a0), (a0))
BURROW_FORWARD(struct archive_entry*, archive_entry_clear, (struct archive_entry* a0), (a0))
BURROW_FORWARD(void, archive_entry_copy_stat, (struct archive_entry* a0, const struct stat* a1), (a0, a1))
BURROW_FORWARD(__LA_MODE_T, archive_entry_filetype, (struct archive_entry* a0), (a0))
BURROW_FORWARD(void, archive_entry_free, (struct archive_entry* a0), (a0))
BURROW_FORWARD(la_int64_t, archive_entry_gid, (struct archive_entry* a0), (a0))
BURROW_FORWARD(const char*, archive_entry_hardlink, (struct archive_entry* a0), (a0))
BURROW_FORWARD(time_t, archive_entry_mtime, (struct archive_entry* a0), (a0))
BURROW_FORWARD(long, archive_entry_mtime_nsec, (struct archive_entry* a0), (a0))
BURROW_FORWARD(struct archive_entry*, archive_entry_new, (), ())
BURROW_FORWARD(const char*, archive_entry_pathname, (struct archive_entry* a0), (a0))
BURROW_FORWARD(const char*, archive_entry_pathname_utf8, (struct archive_entry* a0), (a0))
BURROW_FORWARD(__LA_MODE_T, archive_entry_perm, (struct archive_entry* a0), (a0))
BURROW_FORWARD(dev_t, archive_entry_rdev, (struct archive_entry* a0), (a0))
BURROW_FORWARD(void, archive_entry_set_dev, (struct archive_entry* a0, dev_t a1), (a0, a1))
BURROW_FORWARD(void, archive_entry_set_gid, (struct archive_entry* a0, la_int64_t a1), (a0, a1))
BURROW_FORWARD(void, archive_entry_set_hardlink, (struct archive_entry* a0, const char* a1), (a0, a1))
BURROW_FORWARD(void, archive_entry_set_ino, (struct archive_entry* a0, la_int64_t a1), (a0, a1))
BURROW_FORWARD(void, archive_entry_set_mode, (struct archive_entry* a0, __LA_MODE_T a1), (a0, a1))
BURROW_FORWARD(void, archive_entry_set_mtime, (struct archive_entry* a0, time_t a1, long a2), (a0, a1, a2))
BURROW_FORWARD(void, archive_entry_set_nlink, (struct archive_entry* a0, unsigned int a1), (a0, a1))
BURROW_FORWARD(void, archive_entry_set_pathname, (struct archive_entry* a0, const char* a1), (a0, a1))
BURROW_FORWARD(void, archive_entry_set_size, (struct archive_entry* a0, la_int64_t a1), (a0, a1))
BURROW_FORWARD(void, archive_entry_set_symlink, (struct archive_entry* a0, const char* a1), (a0, a1))
BURROW_FORWARD(void, archive_entry_set_uid, (struct archive_entry* a0, la_int64_t a1), (a0, a1))
BURROW_FORWARD(la_int64_t, archive_entry_size, (struct archive_entry* a0), (a0))
BURROW_FORWARD(int, archive_entry_size_is_set, (struct archive_entry* a0), (a0))
BURROW_FORWARD(const char*, archive_entry_symlink, (struct archive_entry* a0), (a0))
BURROW_FORWARD(const char*, archive_entry_symlink_utf8, (struct archive_entry* a0), (a0))
BURROW_FORWARD(la_int64_t, archive_entry_uid, (struct archive_entry* a0), (a0))
BURROW_FORWARD(void, archive_entry_unset_atime, (struct archive_entry* a0), (a0))
BURROW_FORWARD(void, archive_entry_unset_birthtime, (struct archive_entry* a0), (a0))
BURROW_FORWARD(void, archive_entry_unset_ctime, (struct archive_entry* a0), (a0))
BURROW_FORWARD(void, archive_entry_xattr_add_entry, (struct archive_entry* a0, const char* a1, const void* a2, size_t a3), (a0, a1, a2, a3))
BURROW_FORWARD(int, archive_entry_xattr_next, (struct archive_entry* a0, const char** a1, const void** a2, size_t* a3), (a0, a1, a2, a3))
BURROW_FORWARD(int, archive_entry_xattr_reset, (struct archive_entry* a0), (a0))
BURROW_FORWARD(const char*, archive_error_string, (struct archive* a0), (a0))
BURROW_FORWARD(la_ssize_t, archive_read_data, (struct archive* a0, void* a1, size_t a2), (a0, a1, a2))
BURROW_FORWARD(int, archive_read_data_block, (struct archive* a0, const void** a1, size_t* a2, la_int64_t* a3), (a0, a1, a2, a3))
BURROW_FORWARD(int, archive_read_free, (struct archive* a0), (a0))
BURROW_FORWARD(struct archive*, archive_read_new, (), ())
BURROW_FORWARD(int, archive_read_next_header, (struct archive* a0, struct archive_entry** a1), (a0, a1))
BURROW_FORWARD(int, archive_read_open, (struct archive* a0, void* a1, archive_open_callback* a2, archive_read_callback* a3, archive_close_callback* a4), (a0, a1, a2, a3, a4))
BURROW_FORWARD(int, archive_read_support_filter_all, (struct archive* a0), (a0))
BURROW_FORWARD(int, archive_read_support_format_empty, (struct archive* a0), (a0))
BURROW_FORWARD(int, archive_read_support_format_gnutar, (struct archive* a0), (a0))
BURROW_FORWARD(int, archive_read_support_format_tar, (struct archive* a0), (a0))
BURROW_FORWARD(int, archive_write_close, (struct archive* a0), (a0))
BURROW_FORWARD(la_ssize_t, archive_write_data, (struct archive* a0, const void* a1, size_t a2), (a0, a1, a2))
BURROW_FORWARD(int, archive_write_finish_entry, (struct archive* a0), (a0))
BURROW_FORWARD(int, archive_write_free, (struct archive* a0), (a0))
BURROW_FORWARD(int, archive_write_header, (struct archive* a0, struct archive_entry* a1), (a0, a1))
BURROW_FORWARD(struct archive*, archive_write_new, (), ())
BURROW_FORWARD(int, archive_write_open, (struct archive* a0, void* a1, archive_open_callback* a2, archive_write_callback* a3, archive_close_callback* a4), (a0, a1, a2, a3, a4))
BURROW_FORWARD(int, archive_write_set_bytes_in_last_block, (struct archive* a0, int a1), (a0, a1))
BURROW_FORWARD(int, archive_write_set_bytes_per_block, (struct archive* a0, int a1), (a0, a1))
BURROW_FORWARD(int, archive_write_set_format_pax_restricted, (struct archive* a0), (a0))

// Variadic: formatted here, passed on as "%s".
extern "C" void archive_set_error(struct archive* a, int error, const char* format, ...) {
  static const auto real = libarchive().function<decltype(&::archive_set_error)>("archive_set_error");
  char message[512];
  va_list ap;
  va_start(ap, format);
  std::vsnprintf(message, sizeof message, format, ap);
  va_end(ap);
  real(a, error, "%s", message);
}

#undef BURROW_FORWARD
#define BURROW_FORWARD(ret, name, params, args) BURROW_LAZY_FORWARD(libcrypto(), ret, name, params, args)

BURROW_FORWARD(EVP_MD_CTX*, EVP_MD_CTX_new, (), ())
BURROW_FORWARD(void, EVP_MD_CTX_free, (EVP_MD_CTX* a0), (a0))
BURROW_FORWARD(int, EVP_DigestInit_ex, (EVP_MD_CTX* a0, const EVP_MD* a1, ENGINE* a2), (a0, a1, a2))
BURROW_FORWARD(int, EVP_DigestUpdate, (EVP_MD_CTX* a0, const void* a1, size_t a2), (a0, a1, a2))
BURROW_FORWARD(int, EVP_DigestFinal_ex, (EVP_MD_CTX* a0, unsigned char* a1, unsigned int* a2), (a0, a1, a2))
BURROW_FORWARD(const EVP_MD*, EVP_sha256, (), ())
