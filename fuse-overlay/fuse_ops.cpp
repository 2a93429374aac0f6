// The libfuse operations table for OverlayFs: each entry fetches the OverlayFs from
// fuse_req_userdata and calls the member; any exception (only std::bad_alloc can get here) is
// answered with an errno, because an exception must never unwind into libfuse.
#include <cerrno>
#include <exception>
#include <new>

#include "fuse-overlay/overlay_fs.h"

namespace burrow::fuse_overlay {

namespace {

OverlayFs& fs_of(fuse_req_t req) { return *static_cast<OverlayFs*>(fuse_req_userdata(req)); }

template <typename Fn>
void guarded(fuse_req_t req, Fn fn) {
  try {
    fn(fs_of(req));
  } catch (const std::bad_alloc&) {
    fuse_reply_err(req, ENOMEM);
  } catch (...) {
    fuse_reply_err(req, EIO);
  }
}

void op_init(void* userdata, fuse_conn_info* conn) { static_cast<OverlayFs*>(userdata)->init(conn); }
void op_lookup(fuse_req_t r, fuse_ino_t p, const char* n) { guarded(r, [&](OverlayFs& fs) { fs.lookup(r, p, n); }); }
void op_forget(fuse_req_t r, fuse_ino_t ino, uint64_t n) {
  fs_of(r).forget(ino, n);
  fuse_reply_none(r);
}
void op_forget_multi(fuse_req_t r, size_t count, fuse_forget_data* list) {
  for (size_t i = 0; i < count; ++i) fs_of(r).forget(list[i].ino, list[i].nlookup);
  fuse_reply_none(r);
}
void op_getattr(fuse_req_t r, fuse_ino_t ino, fuse_file_info* fi) {
  guarded(r, [&](OverlayFs& fs) { fs.getattr(r, ino, fi); });
}
void op_setattr(fuse_req_t r, fuse_ino_t ino, struct stat* a, int to_set, fuse_file_info* fi) {
  guarded(r, [&](OverlayFs& fs) { fs.setattr(r, ino, a, to_set, fi); });
}
void op_readlink(fuse_req_t r, fuse_ino_t ino) { guarded(r, [&](OverlayFs& fs) { fs.readlink(r, ino); }); }
void op_mknod(fuse_req_t r, fuse_ino_t p, const char* n, mode_t m, dev_t d) {
  guarded(r, [&](OverlayFs& fs) { fs.mknod(r, p, n, m, d); });
}
void op_mkdir(fuse_req_t r, fuse_ino_t p, const char* n, mode_t m) {
  guarded(r, [&](OverlayFs& fs) { fs.mkdir(r, p, n, m); });
}
void op_symlink(fuse_req_t r, const char* l, fuse_ino_t p, const char* n) {
  guarded(r, [&](OverlayFs& fs) { fs.symlink(r, l, p, n); });
}
void op_link(fuse_req_t r, fuse_ino_t ino, fuse_ino_t p, const char* n) {
  guarded(r, [&](OverlayFs& fs) { fs.link(r, ino, p, n); });
}
void op_unlink(fuse_req_t r, fuse_ino_t p, const char* n) { guarded(r, [&](OverlayFs& fs) { fs.unlink(r, p, n); }); }
void op_rmdir(fuse_req_t r, fuse_ino_t p, const char* n) { guarded(r, [&](OverlayFs& fs) { fs.rmdir(r, p, n); }); }
void op_rename(fuse_req_t r, fuse_ino_t p, const char* n, fuse_ino_t np, const char* nn, unsigned int f) {
  guarded(r, [&](OverlayFs& fs) { fs.rename(r, p, n, np, nn, f); });
}
void op_open(fuse_req_t r, fuse_ino_t ino, fuse_file_info* fi) { guarded(r, [&](OverlayFs& fs) { fs.open(r, ino, fi); }); }
void op_create(fuse_req_t r, fuse_ino_t p, const char* n, mode_t m, fuse_file_info* fi) {
  guarded(r, [&](OverlayFs& fs) { fs.create(r, p, n, m, fi); });
}
void op_read(fuse_req_t r, fuse_ino_t ino, size_t s, off_t o, fuse_file_info* fi) {
  guarded(r, [&](OverlayFs& fs) { fs.read(r, ino, s, o, fi); });
}
void op_write_buf(fuse_req_t r, fuse_ino_t ino, fuse_bufvec* b, off_t o, fuse_file_info* fi) {
  guarded(r, [&](OverlayFs& fs) { fs.write_buf(r, ino, b, o, fi); });
}
void op_release(fuse_req_t r, fuse_ino_t ino, fuse_file_info* fi) {
  guarded(r, [&](OverlayFs& fs) { fs.release(r, ino, fi); });
}
void op_fsync(fuse_req_t r, fuse_ino_t ino, int d, fuse_file_info* fi) {
  guarded(r, [&](OverlayFs& fs) { fs.fsync(r, ino, d, fi); });
}
void op_fallocate(fuse_req_t r, fuse_ino_t ino, int m, off_t o, off_t l, fuse_file_info* fi) {
  guarded(r, [&](OverlayFs& fs) { fs.fallocate(r, ino, m, o, l, fi); });
}
void op_copy_file_range(fuse_req_t r, fuse_ino_t ii, off_t oi, fuse_file_info* fi, fuse_ino_t io, off_t oo,
                        fuse_file_info* fo, size_t len, int flags) {
  guarded(r, [&](OverlayFs& fs) { fs.copy_file_range(r, ii, oi, fi, io, oo, fo, len, flags); });
}
void op_lseek(fuse_req_t r, fuse_ino_t ino, off_t o, int w, fuse_file_info* fi) {
  guarded(r, [&](OverlayFs& fs) { fs.lseek(r, ino, o, w, fi); });
}
void op_opendir(fuse_req_t r, fuse_ino_t ino, fuse_file_info* fi) {
  guarded(r, [&](OverlayFs& fs) { fs.opendir(r, ino, fi); });
}
void op_readdir(fuse_req_t r, fuse_ino_t ino, size_t s, off_t o, fuse_file_info* fi) {
  guarded(r, [&](OverlayFs& fs) { fs.readdir(r, ino, s, o, fi, false); });
}
void op_readdirplus(fuse_req_t r, fuse_ino_t ino, size_t s, off_t o, fuse_file_info* fi) {
  guarded(r, [&](OverlayFs& fs) { fs.readdir(r, ino, s, o, fi, true); });
}
void op_releasedir(fuse_req_t r, fuse_ino_t ino, fuse_file_info* fi) {
  guarded(r, [&](OverlayFs& fs) { fs.releasedir(r, ino, fi); });
}
void op_fsyncdir(fuse_req_t r, fuse_ino_t ino, int d, fuse_file_info* fi) {
  guarded(r, [&](OverlayFs& fs) { fs.fsyncdir(r, ino, d, fi); });
}
void op_statfs(fuse_req_t r, fuse_ino_t ino) { guarded(r, [&](OverlayFs& fs) { fs.statfs(r, ino); }); }
void op_setxattr(fuse_req_t r, fuse_ino_t ino, const char* n, const char* v, size_t s, int f) {
  guarded(r, [&](OverlayFs& fs) { fs.setxattr(r, ino, n, v, s, f); });
}
void op_getxattr(fuse_req_t r, fuse_ino_t ino, const char* n, size_t s) {
  guarded(r, [&](OverlayFs& fs) { fs.getxattr(r, ino, n, s); });
}
void op_listxattr(fuse_req_t r, fuse_ino_t ino, size_t s) { guarded(r, [&](OverlayFs& fs) { fs.listxattr(r, ino, s); }); }
void op_removexattr(fuse_req_t r, fuse_ino_t ino, const char* n) {
  guarded(r, [&](OverlayFs& fs) { fs.removexattr(r, ino, n); });
}

fuse_lowlevel_ops make_ops() {
  fuse_lowlevel_ops ops{};
  ops.init = op_init;
  ops.lookup = op_lookup;
  ops.forget = op_forget;
  ops.forget_multi = op_forget_multi;
  ops.getattr = op_getattr;
  ops.setattr = op_setattr;
  ops.readlink = op_readlink;
  ops.mknod = op_mknod;
  ops.mkdir = op_mkdir;
  ops.symlink = op_symlink;
  ops.link = op_link;
  ops.unlink = op_unlink;
  ops.rmdir = op_rmdir;
  ops.rename = op_rename;
  ops.open = op_open;
  ops.create = op_create;
  ops.read = op_read;
  ops.write_buf = op_write_buf;
  ops.release = op_release;
  ops.fsync = op_fsync;
  ops.fallocate = op_fallocate;
  ops.copy_file_range = op_copy_file_range;
  ops.lseek = op_lseek;
  ops.opendir = op_opendir;
  ops.readdir = op_readdir;
  ops.readdirplus = op_readdirplus;
  ops.releasedir = op_releasedir;
  ops.fsyncdir = op_fsyncdir;
  ops.statfs = op_statfs;
  ops.setxattr = op_setxattr;
  ops.getxattr = op_getxattr;
  ops.listxattr = op_listxattr;
  ops.removexattr = op_removexattr;
  // No flock/getlk/setlk: the kernel then keeps file locks itself, which is exact for a
  // filesystem that only this mount can reach.
  return ops;
}

}  // namespace

const fuse_lowlevel_ops& OverlayFs::operations() {
  static const fuse_lowlevel_ops ops = make_ops();
  return ops;
}

}  // namespace burrow::fuse_overlay
