#include "image/tar_extractor.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <thread>
#include <memory>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/error.h"
#include "base/sys.h"
#include "image/archive_reader.h"
#include "image/file_writer_pool.h"
#include "image/fs_at.h"

namespace burrow::image {

namespace {

// Regular files up to this size are written by the pool; larger ones stream inline.
constexpr int64_t kPooledFileLimit = 1 << 20;
// Creates in one directory serialise on its lock; more writers than cores only spin on it.
unsigned writer_threads() { return std::clamp(std::thread::hardware_concurrency(), 2u, 4u); }

// Metadata applied to a directory once all members are in place (its mode may forbid
// writing, and creating children would change its mtime).
struct PendingDir {
  std::vector<std::string> parts;
  mode_t mode;
  uid_t uid;
  gid_t gid;
  struct timespec times[2];
  std::vector<std::pair<std::string, std::string>> xattrs;
};

class Extraction {
 public:
  Extraction(ArchiveReader& reader, int root_fd) : reader_(reader), root_(root_fd), pool_(writer_threads()) {}

  ExtractStats run() {
    while (archive_entry* e = reader_.next()) {
      const char* raw = archive_entry_pathname(e);
      if (!raw) raw = archive_entry_pathname_utf8(e);
      if (!raw) throw Error::bad_parameter("invalid tar archive: a member has an unreadable name");
      std::string name = raw;
      try {
        extract_one(e, name);
      } catch (const Error& err) {
        throw err.wrap("tar member `" + name + "`");
      }
      ++stats_.entries;
    }
    pool_.drain();
    finish_dirs();
    stats_.chown_fallbacks += pool_.chown_fallbacks();
    stats_.skipped_xattrs += pool_.skipped_xattrs();
    return stats_;
  }

 private:
  void extract_one(archive_entry* e, const std::string& name) {
    std::vector<std::string> parts = split_relative_path(name);
    // Docker 0.8 skips AUFS metadata (.wh..wh.aufs, .wh..wh.orph, .wh..wh.plnk and below).
    if (!parts.empty() && parts[0].rfind(".wh..wh.", 0) == 0 && parts[0] != ".wh..wh..opq") return;
    mode_t type = archive_entry_filetype(e);
    if (parts.empty()) {  // "./": the layer root itself
      if (type == AE_IFDIR) pending_.push_back(pending_for(e, parts));
      return;
    }
    std::string leaf = parts.back();
    int parent = parent_fd(parts);
    std::string rel = join_path(parts, parts.size());
    // Only what this extraction made can be in the way (the directory starts empty).
    bool existed = seen_.count(rel) != 0;
    if (existed) pool_.drain();

    const char* hardlink = archive_entry_hardlink(e);
    if (hardlink && *hardlink) {
      pool_.drain();  // the target may still be queued
      make_hardlink(parts, parent, hardlink, existed);
      seen_.insert(rel);
      return;
    }
    switch (type) {
      case AE_IFDIR: {
        struct stat st;
        bool is_dir = existed && ::fstatat(parent, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
        if (existed && !is_dir) clear(parent, leaf);
        if (!is_dir) sys::check(::mkdirat(parent, leaf.c_str(), 0700), "mkdir", name);
        pending_.push_back(pending_for(e, parts));
        break;
      }
      case AE_IFREG:
        if (existed) clear(parent, leaf);
        if (archive_entry_size(e) <= kPooledFileLimit)
          queue_file(e, leaf, name);
        else
          write_file(e, parent, leaf, name);
        break;
      case AE_IFLNK: {
        if (existed) clear(parent, leaf);
        const char* target = archive_entry_symlink(e);
        if (!target) target = archive_entry_symlink_utf8(e);
        if (!target) throw Error::bad_parameter("symbolic link without a target");
        sys::check(::symlinkat(target, parent, leaf.c_str()), "symlink", name);
        own_and_time(e, parent, leaf);
        break;
      }
      case AE_IFCHR:
      case AE_IFBLK:
      case AE_IFIFO:
        if (existed) clear(parent, leaf);
        make_node(e, parent, leaf, name, type);
        break;
      default: return;  // sockets and unknown types are not layer content
    }
    seen_.insert(std::move(rel));
  }

  // Reads a small file's data and hands it to the pool.
  void queue_file(archive_entry* e, const std::string& leaf, const std::string& name) {
    FileJob job;
    job.dir = cached_;
    job.name = leaf;
    job.shown = name;
    int64_t declared = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
    job.data.assign(static_cast<size_t>(declared), '\0');
    const void* buf;
    size_t size;
    int64_t offset;
    while (reader_.read_block(&buf, &size, &offset)) {
      if (offset < 0 || static_cast<uint64_t>(offset) + size > job.data.size()) {
        if (static_cast<uint64_t>(offset) + size > static_cast<uint64_t>(kPooledFileLimit))
          throw Error::bad_parameter("member data runs past its declared size");
        job.data.resize(static_cast<size_t>(offset) + size);
      }
      std::memcpy(job.data.data() + offset, buf, size);
    }
    stats_.size += job.data.size();
    job.perm = archive_entry_perm(e) & 07777;
    job.uid = static_cast<uid_t>(archive_entry_uid(e));
    job.gid = static_cast<gid_t>(archive_entry_gid(e));
    entry_times(e, job.times);
    if (archive_entry_xattr_reset(e) > 0) {
      const char* xname;
      const void* value;
      size_t vsize;
      while (archive_entry_xattr_next(e, &xname, &value, &vsize) == ARCHIVE_OK)
        job.xattrs.emplace_back(xname, std::string(static_cast<const char*>(value), vsize));
    }
    pool_.submit(std::move(job));
  }

  // The parent directory of parts (made when missing), cached for runs of siblings.
  int parent_fd(const std::vector<std::string>& parts) {
    std::string key = join_path(parts, parts.size() - 1);
    if (cached_valid_ && key == cached_key_) return cached_->get();
    cached_ = std::make_shared<Fd>(open_dir_beneath(root_, parts, parts.size() - 1, true));
    cached_key_ = key;
    cached_valid_ = true;
    for (size_t k = 1; k < parts.size(); ++k) seen_.insert(join_path(parts, k));  // made if missing
    return cached_->get();
  }

  // Removes whatever sits at leaf, so the new member replaces it.
  void clear(int parent, const std::string& leaf) {
    struct stat st;
    if (::fstatat(parent, leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) return;
    if (S_ISDIR(st.st_mode)) cached_valid_ = false;
    remove_at(parent, leaf);
  }

  void write_file(archive_entry* e, int parent, const std::string& leaf, const std::string& name) {
    Fd fd = sys::open_at(parent, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
    const void* buf;
    size_t size;
    int64_t offset;
    int64_t pos = 0;
    while (reader_.read_block(&buf, &size, &offset)) {
      const char* p = static_cast<const char*>(buf);
      size_t left = size;
      while (left > 0) {
        ssize_t w = sys::retry_eintr([&] { return ::pwrite(fd.get(), p, left, offset); });
        sys::check(w, "write", name);
        p += w;
        left -= static_cast<size_t>(w);
        offset += w;
      }
      pos = offset;
    }
    int64_t declared = archive_entry_size_is_set(e) ? archive_entry_size(e) : pos;
    if (declared > pos) sys::check(::ftruncate(fd.get(), declared), "truncate", name);  // sparse tail
    stats_.size += static_cast<uint64_t>(declared);
    own_fd(e, fd.get());
    sys::check(::fchmod(fd.get(), archive_entry_perm(e) & 07777), "chmod", name);
    set_xattrs(e, fd.get());
    struct timespec times[2];
    entry_times(e, times);
    sys::check(::futimens(fd.get(), times), "utimes", name);
  }

  void make_hardlink(const std::vector<std::string>& parts, int parent, const char* target, bool existed) {
    const std::string& leaf = parts.back();
    std::vector<std::string> tparts = split_relative_path(target, std::string("link target ") + target);
    if (tparts.empty()) throw Error::bad_parameter(std::string("hard link to `") + target + "`: not a file");
    if (tparts == parts) return;  // a link to itself: the file is already there
    Fd tdir = open_dir_beneath(root_, tparts, tparts.size() - 1, false);
    struct stat st;
    if (::fstatat(tdir.get(), tparts.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
      throw Error::bad_parameter(std::string("hard link to `") + target + "`: target is not in the layer");
    if (S_ISDIR(st.st_mode)) throw Error::bad_parameter(std::string("hard link to directory `") + target + "` refused");
    if (existed) clear(parent, leaf);
    sys::check(::linkat(tdir.get(), tparts.back().c_str(), parent, leaf.c_str(), 0), "link", target);
  }

  void make_node(archive_entry* e, int parent, const std::string& leaf, const std::string& name, mode_t type) {
    dev_t dev = archive_entry_rdev(e);
    if (type == AE_IFCHR && major(dev) == 0 && minor(dev) == 0) {  // overlayfs whiteout
      pool_.drain();  // a queued member may be writing the same .wh. name
      Fd fd = sys::open_at(parent, ".wh." + leaf, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0644);
      seen_.insert(cached_key_.empty() ? ".wh." + leaf : cached_key_ + "/.wh." + leaf);
      return;
    }
    mode_t kind = type == AE_IFCHR ? S_IFCHR : type == AE_IFBLK ? S_IFBLK : S_IFIFO;
    if (::mknodat(parent, leaf.c_str(), kind | 0600, type == AE_IFIFO ? 0 : dev) < 0) {
      if ((errno == EPERM || errno == EACCES) && type != AE_IFIFO) {
        ++stats_.skipped_devices;
        return;
      }
      throw sys::error_from_errno(errno, "mknod", name);
    }
    own_and_time(e, parent, leaf);
    sys::check(::fchmodat(parent, leaf.c_str(), archive_entry_perm(e) & 07777, 0), "chmod", name);
  }

  void own_fd(archive_entry* e, int fd) {
    if (::fchown(fd, archive_entry_uid(e), archive_entry_gid(e)) < 0) note_chown_failure(errno);
  }

  void own_and_time(archive_entry* e, int parent, const std::string& leaf) {
    if (::fchownat(parent, leaf.c_str(), archive_entry_uid(e), archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) < 0)
      note_chown_failure(errno);
    struct timespec times[2];
    entry_times(e, times);
    sys::check(::utimensat(parent, leaf.c_str(), times, AT_SYMLINK_NOFOLLOW), "utimes", leaf);
  }

  void note_chown_failure(int err) {
    // EINVAL: the id is not mapped in this user namespace; EPERM: not allowed to give it away.
    if (err != EINVAL && err != EPERM) throw sys::error_from_errno(err, "chown");
    ++stats_.chown_fallbacks;
  }

  void set_xattrs(archive_entry* e, int fd) {
    if (archive_entry_xattr_reset(e) == 0) return;
    const char* name;
    const void* value;
    size_t size;
    while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
      if (::fsetxattr(fd, name, value, size, 0) < 0) {
        if (errno == EPERM || errno == ENOTSUP || errno == EACCES || errno == EINVAL || errno == ERANGE) {
          ++stats_.skipped_xattrs;
          continue;
        }
        throw sys::error_from_errno(errno, "setxattr", name);
      }
    }
  }

  static void entry_times(archive_entry* e, struct timespec times[2]) {
    times[1].tv_sec = archive_entry_mtime(e);
    times[1].tv_nsec = archive_entry_mtime_nsec(e);
    if (archive_entry_atime_is_set(e)) {
      times[0].tv_sec = archive_entry_atime(e);
      times[0].tv_nsec = archive_entry_atime_nsec(e);
    } else {
      times[0] = times[1];
    }
  }

  PendingDir pending_for(archive_entry* e, const std::vector<std::string>& parts) {
    PendingDir d{parts, static_cast<mode_t>(archive_entry_perm(e) & 07777), static_cast<uid_t>(archive_entry_uid(e)),
                 static_cast<gid_t>(archive_entry_gid(e)), {}, {}};
    entry_times(e, d.times);
    if (archive_entry_xattr_reset(e) > 0) {
      const char* name;
      const void* value;
      size_t size;
      while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK)
        d.xattrs.emplace_back(name, std::string(static_cast<const char*>(value), size));
    }
    return d;
  }

  void finish_dirs() {
    cached_valid_ = false;
    cached_.reset();
    // Deepest last-seen first, so a parent's times are set after its children's.
    for (auto it = pending_.rbegin(); it != pending_.rend(); ++it) {
      Fd dir = open_pending(it->parts);
      if (!dir) continue;  // replaced by a later member
      std::string shown = join_path(it->parts, it->parts.size());
      if (::fchown(dir.get(), it->uid, it->gid) < 0) note_chown_failure(errno);
      for (const auto& [k, v] : it->xattrs)
        if (::fsetxattr(dir.get(), k.c_str(), v.data(), v.size(), 0) < 0) ++stats_.skipped_xattrs;
      sys::check(::fchmod(dir.get(), it->mode), "chmod", shown);
      sys::check(::futimens(dir.get(), it->times), "utimes", shown);
    }
  }

  // The directory at parts for its final metadata, or an empty Fd when a later member
  // removed or replaced it.
  Fd open_pending(const std::vector<std::string>& parts) {
    if (parts.empty()) return Fd(sys::check(::fcntl(root_, F_DUPFD_CLOEXEC, 3), "dup"));
    Fd parent;
    try {
      parent = open_dir_beneath(root_, parts, parts.size() - 1, false);
    } catch (const Error& e) {
      if (e.kind() == Error::Kind::NotFound || e.kind() == Error::Kind::BadParameter) return Fd();
      throw;
    }
    int fd = ::openat(parent.get(), parts.back().c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)) return Fd();
    return Fd(sys::check(fd, "open", join_path(parts, parts.size())));
  }

  ArchiveReader& reader_;
  int root_;
  ExtractStats stats_;
  std::vector<PendingDir> pending_;
  std::string cached_key_;
  std::shared_ptr<Fd> cached_;  // shared with queued jobs, which write into it
  bool cached_valid_ = false;
  std::unordered_set<std::string> seen_;  // paths this extraction has made
  FileWriterPool pool_;                   // last: destroyed (joined) first
};

}  // namespace

ExtractStats extract_tar(ArchiveReader& reader, int root_fd) { return Extraction(reader, root_fd).run(); }

ExtractStats extract_tar(ReadFn source, int root_fd) {
  ArchiveReader reader(std::move(source));
  return extract_tar(reader, root_fd);
}

}  // namespace burrow::image
