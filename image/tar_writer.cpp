#include "image/tar_writer.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <exception>
#include <cstring>
#include <map>

#include "base/error.h"
#include "base/sys.h"
#include "image/archive_writer.h"

namespace burrow::image {

namespace {

constexpr size_t kCopyBuffer = 1 << 20;

}  // namespace

std::vector<std::pair<std::string, std::string>> read_xattrs(const std::string& proc_path) {
  std::vector<std::pair<std::string, std::string>> out;
  char names[4096];
  ssize_t n = ::llistxattr(proc_path.c_str(), names, sizeof names);
  if (n <= 0) return out;  // none, or not supported: nothing to carry
  for (ssize_t off = 0; off < n;) {
    std::string key = names + off;
    off += static_cast<ssize_t>(key.size()) + 1;
    char value[65536];
    ssize_t vn = ::lgetxattr(proc_path.c_str(), key.c_str(), value, sizeof value);
    if (vn >= 0) out.emplace_back(key, std::string(value, static_cast<size_t>(vn)));
  }
  return out;
}

namespace {

class Scanner {
 public:
  explicit Scanner(const TarScanOptions& options) : options_(options) {}

  void scan(int dir_fd, const std::string& rel) {
    std::vector<std::string> names;
    {
      int dup_fd = sys::check(::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC), "open", rel);
      DIR* dir = ::fdopendir(dup_fd);
      if (!dir) {
        ::close(dup_fd);
        throw sys::error_from_errno(errno, "opendir", rel);
      }
      while (struct dirent* de = ::readdir(dir)) {
        if (std::strcmp(de->d_name, ".") != 0 && std::strcmp(de->d_name, "..") != 0) names.emplace_back(de->d_name);
      }
      ::closedir(dir);
    }
    std::sort(names.begin(), names.end());
    for (const auto& n : names) {
      TarMember m;
      m.rel = rel.empty() ? n : rel + "/" + n;
      m.name = options_.prefix + m.rel;
      if (::fstatat(dir_fd, n.c_str(), &m.st, AT_SYMLINK_NOFOLLOW) < 0) {
        if (errno == ENOENT) continue;  // vanished while scanning a live tree
        throw sys::error_from_errno(errno, "stat", m.rel);
      }
      std::string proc = "/proc/self/fd/" + std::to_string(dir_fd) + "/" + n;
      if (S_ISLNK(m.st.st_mode)) {
        std::vector<char> buf(4096);
        ssize_t len = sys::check(::readlinkat(dir_fd, n.c_str(), buf.data(), buf.size()), "readlink", m.rel);
        m.symlink.assign(buf.data(), static_cast<size_t>(len));
        members_.push_back(std::move(m));
        continue;
      }
      if (S_ISREG(m.st.st_mode) || S_ISDIR(m.st.st_mode)) m.xattrs = read_xattrs(proc);
      if (S_ISREG(m.st.st_mode) && m.st.st_nlink > 1) {
        auto key = std::make_pair(m.st.st_dev, m.st.st_ino);
        auto [it, fresh] = links_.emplace(key, m.name);
        if (!fresh) m.hardlink = it->second;
      }
      if (S_ISDIR(m.st.st_mode)) {
        m.name += '/';
        std::string sub_rel = m.rel;
        members_.push_back(std::move(m));
        Fd sub = sys::open_at(dir_fd, n, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
        scan(sub.get(), sub_rel);
        continue;
      }
      if (S_ISSOCK(m.st.st_mode)) continue;  // sockets do not go into archives
      members_.push_back(std::move(m));
    }
  }

  std::vector<TarMember> take() { return std::move(members_); }

 private:
  const TarScanOptions& options_;
  std::vector<TarMember> members_;
  std::map<std::pair<dev_t, ino_t>, std::string> links_;
};

Fd open_beneath(int root_fd, const std::string& rel) {
  struct open_how how {};
  how.flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  long fd = sys::retry_eintr([&] { return ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how); });
  return Fd(static_cast<int>(sys::check(fd, "open", rel)));
}

void copy_file(ArchiveWriter& w, int root_fd, const TarMember& m, std::vector<char>& buf) {
  Fd fd = open_beneath(root_fd, m.rel);
  uint64_t left = static_cast<uint64_t>(m.st.st_size);
  while (left > 0) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(left, buf.size()));
    size_t got = sys::read_some(fd.get(), buf.data(), want);
    if (got == 0) break;  // shrank: finish_entry pads with zeros
    w.data(buf.data(), got, m.name);
    left -= got;
  }
}

}  // namespace

std::vector<TarMember> scan_tree(int dir_fd, const TarScanOptions& options) {
  Scanner scanner(options);
  std::vector<TarMember> root;
  if (options.include_root) {
    TarMember m;
    m.name = options.prefix.empty() ? "./" : options.prefix;
    sys::check(::fstat(dir_fd, &m.st), "stat", ".");
    root.push_back(std::move(m));
  }
  scanner.scan(dir_fd, "");
  auto members = scanner.take();
  if (!root.empty()) members.insert(members.begin(), std::move(root.front()));
  return members;
}

uint64_t tar_size(const std::vector<TarMember>& members) {
  ArchiveWriter w(nullptr);
  for (const auto& m : members) {
    w.header(m);
    w.finish_entry(m.name);  // unwritten data counts as zero padding
  }
  return w.close();
}

uint64_t write_tar(int dir_fd, const std::vector<TarMember>& members, const WriteFn& sink) {
  ArchiveWriter w(&sink);
  std::vector<char> buf(kCopyBuffer);
  for (const auto& m : members) {
    w.header(m);
    if (S_ISREG(m.st.st_mode) && m.hardlink.empty() && m.st.st_size > 0) copy_file(w, m.source_fd >= 0 ? m.source_fd : dir_fd, m, buf);
    w.finish_entry(m.name);
  }
  return w.close();
}

uint64_t write_tree_tar(int dir_fd, const WriteFn& sink, const TarScanOptions& options) {
  return write_tar(dir_fd, scan_tree(dir_fd, options), sink);
}

}  // namespace burrow::image
