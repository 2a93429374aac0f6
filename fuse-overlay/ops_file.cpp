// OverlayFs callbacks on file contents: open/create (copy-up on first write), read and write
// by splice-able descriptors, sync, allocation, copy_file_range and lseek.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "fuse-overlay/overlay_fs.h"
#include "fuse-overlay/whiteout.h"

namespace burrow::fuse_overlay {

namespace {

// The flags a backing file is opened with. With the writeback cache the kernel reads pages of
// files opened write-only and handles O_APPEND itself.
int backing_flags(int flags, bool writeback) {
  flags &= ~(O_CREAT | O_EXCL | O_NOCTTY);
  if (writeback) {
    if ((flags & O_ACCMODE) == O_WRONLY) flags = (flags & ~O_ACCMODE) | O_RDWR;
    flags &= ~O_APPEND;
  }
  return flags | O_NOFOLLOW | O_CLOEXEC;
}

}  // namespace

void OverlayFs::open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  auto node = inode(ino);
  int err = node ? 0 : ENOENT;
  bool writing = (fi->flags & O_ACCMODE) != O_RDONLY || (fi->flags & O_TRUNC);
  if (err == 0 && writing) err = ensure_upper(node, !(fi->flags & O_TRUNC));
  int fd = -1;
  if (err == 0) {
    int top = node->top_layer();
    std::string path = relative_path(*node);
    fd = ::openat(layers_.fd(top), path.c_str(), backing_flags(fi->flags, writeback_));
    if (fd < 0 && errno == EACCES && writeback_) fd = ::openat(layers_.fd(top), path.c_str(), backing_flags(fi->flags, false));
    if (fd < 0) err = errno;
  }
  if (err != 0) {
    fuse_reply_err(req, err);
    return;
  }
  fi->fh = static_cast<uint64_t>(fd);
  // Keeping the kernel's page cache across opens is what makes a warm read never reach us (no
  // READ requests at all; measured in bench/overlay). It is exact because nothing else changes
  // what we serve: lower layers are immutable, and the upper layer is written only through this
  // mount, whose writes go through (and so update) that same page cache. A copy-up changes the
  // backing file, not the contents. Writing the upper directory behind the mount's back while
  // it is mounted would need timeout=0.
  fi->keep_cache = timeout_ > 0;
  fi->noflush = 1;
  if (fuse_reply_open(req, fi) != 0) ::close(fd);  // the request was interrupted
}

void OverlayFs::create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi) {
  auto dir = inode(parent);
  int err = dir ? 0 : ENOENT;
  bool had_whiteout = false;
  if (err == 0) err = prepare_create(dir, name, had_whiteout);
  fuse_entry_param e;
  int fd = -1;
  if (err == 0) {
    std::string dir_path = relative_path(*dir);
    Owner owner = owner_for(req, dir_path);
    std::string path = child_path(dir_path, name);
    fd = ::openat(layers_.fd(0), path.c_str(), backing_flags(fi->flags, writeback_) | O_CREAT, mode & 07777);
    if (fd < 0) err = errno;
    if (err == 0) finish_create(dir_path, name, had_whiteout, owner);
    if (err == 0) err = entry_for_new_upper(dir, path, name, e);
  }
  if (err != 0) {
    if (fd >= 0) ::close(fd);
    fuse_reply_err(req, err);
    return;
  }
  fi->fh = static_cast<uint64_t>(fd);
  fi->keep_cache = timeout_ > 0;
  fi->noflush = 1;
  if (fuse_reply_create(req, &e, fi) != 0) ::close(fd);
}

void OverlayFs::read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  // Small reads (small files, random access) are cheaper copied than spliced: a splice reply
  // costs several system calls and pipe set-up. Large (readahead) reads splice.
  constexpr size_t kCopyBelow = 64 * 1024;
  if (size < kCopyBelow) {
    thread_local std::vector<char> data;
    data.resize(size);
    ssize_t n = ::pread(static_cast<int>(fi->fh), data.data(), size, off);
    if (n < 0)
      fuse_reply_err(req, errno);
    else
      fuse_reply_buf(req, data.data(), static_cast<size_t>(n));
    return;
  }
  fuse_bufvec buf = FUSE_BUFVEC_INIT(size);
  buf.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  buf.buf[0].fd = static_cast<int>(fi->fh);
  buf.buf[0].pos = off;
  fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
}

void OverlayFs::write_buf(fuse_req_t req, fuse_ino_t ino, fuse_bufvec* in, off_t off, fuse_file_info* fi) {
  fuse_bufvec out = FUSE_BUFVEC_INIT(fuse_buf_size(in));
  out.buf[0].flags = static_cast<fuse_buf_flags>(FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK);
  out.buf[0].fd = static_cast<int>(fi->fh);
  out.buf[0].pos = off;
  ssize_t n = fuse_buf_copy(&out, in, static_cast<fuse_buf_copy_flags>(0));
  if (n < 0)
    fuse_reply_err(req, static_cast<int>(-n));
  else
    fuse_reply_write(req, static_cast<size_t>(n));
}

void OverlayFs::release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  ::close(static_cast<int>(fi->fh));
  fuse_reply_err(req, 0);
}

void OverlayFs::fsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  int err = 0;
  if (options_.fsync) {
    int fd = static_cast<int>(fi->fh);
    if ((datasync ? ::fdatasync(fd) : ::fsync(fd)) != 0) err = errno;
  }
  fuse_reply_err(req, err);
}

void OverlayFs::fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length, fuse_file_info* fi) {
  int err = ::fallocate(static_cast<int>(fi->fh), mode, offset, length) == 0 ? 0 : errno;
  fuse_reply_err(req, err);
}

void OverlayFs::copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in, fuse_file_info* fi_in,
                                fuse_ino_t ino_out, off_t off_out, fuse_file_info* fi_out, size_t len, int flags) {
  loff_t in = off_in, out = off_out;
  ssize_t n = ::copy_file_range(static_cast<int>(fi_in->fh), &in, static_cast<int>(fi_out->fh), &out, len,
                                static_cast<unsigned>(flags));
  if (n < 0)
    fuse_reply_err(req, errno);
  else
    fuse_reply_write(req, static_cast<size_t>(n));
}

void OverlayFs::lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, fuse_file_info* fi) {
  off_t r = ::lseek(static_cast<int>(fi->fh), off, whence);
  if (r < 0)
    fuse_reply_err(req, errno);
  else
    fuse_reply_lseek(req, r);
}

}  // namespace burrow::fuse_overlay
