#pragma once
// Test helpers: in-memory tar archives with arbitrary (also hostile) members, and temp dirs.
#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "base/sys.h"
#include "image/byte_stream.h"
#include "tests/base/temp_dir.h"

namespace burrow::image::testing {

struct Member {
  std::string name;
  mode_t type = AE_IFREG;
  std::string content;       // file data
  std::string link;          // symlink target
  std::string hardlink;      // hard link target
  mode_t perm = 0644;
  int64_t uid = 0, gid = 0;
  dev_t rdev = 0;
  int64_t mtime = 1000000000;
  std::vector<std::pair<std::string, std::string>> xattrs;
};

inline Member file(std::string name, std::string content, mode_t perm = 0644) {
  Member m;
  m.name = std::move(name);
  m.content = std::move(content);
  m.perm = perm;
  return m;
}
inline Member dir(std::string name, mode_t perm = 0755) {
  Member m;
  m.name = std::move(name);
  m.type = AE_IFDIR;
  m.perm = perm;
  return m;
}
inline Member slink(std::string name, std::string target) {
  Member m;
  m.name = std::move(name);
  m.type = AE_IFLNK;
  m.link = std::move(target);
  m.perm = 0777;
  return m;
}
inline Member hlink(std::string name, std::string target) {
  Member m;
  m.name = std::move(name);
  m.hardlink = std::move(target);
  return m;
}

// An archive of `members`; filter: "" (none), "gzip", "bzip2", "xz".
inline std::string make_tar(const std::vector<Member>& members, const std::string& filter = "") {
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (filter == "gzip") archive_write_add_filter_gzip(a);
  if (filter == "bzip2") archive_write_add_filter_bzip2(a);
  if (filter == "xz") archive_write_add_filter_xz(a);
  std::vector<char> buf(64 << 20);
  size_t used = 0;
  archive_write_open_memory(a, buf.data(), buf.size(), &used);
  for (const auto& m : members) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, m.name.c_str());
    archive_entry_set_filetype(e, m.hardlink.empty() ? m.type : AE_IFREG);
    archive_entry_set_perm(e, m.perm);
    archive_entry_set_uid(e, m.uid);
    archive_entry_set_gid(e, m.gid);
    archive_entry_set_mtime(e, m.mtime, 0);
    if (m.type == AE_IFLNK) archive_entry_set_symlink(e, m.link.c_str());
    if (!m.hardlink.empty()) archive_entry_set_hardlink(e, m.hardlink.c_str());
    if (m.type == AE_IFCHR || m.type == AE_IFBLK) archive_entry_set_rdev(e, m.rdev);
    archive_entry_set_size(e, m.type == AE_IFREG && m.hardlink.empty() ? m.content.size() : 0);
    for (const auto& [k, v] : m.xattrs) archive_entry_xattr_add_entry(e, k.c_str(), v.data(), v.size());
    archive_write_header(a, e);
    if (!m.content.empty()) archive_write_data(a, m.content.data(), m.content.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

inline ReadFn read_string(const std::string& data) {
  auto pos = std::make_shared<size_t>(0);
  return [&data, pos](char* buf, size_t n) -> size_t {
    size_t k = std::min(n, data.size() - *pos);
    std::copy(data.data() + *pos, data.data() + *pos + k, buf);
    *pos += k;
    return k;
  };
}

inline WriteFn write_string(std::string& out) {
  return [&out](const char* buf, size_t n) { out.append(buf, n); };
}

// A temporary directory removed at scope exit.
using burrow::testing::TempDir;

}  // namespace burrow::image::testing
