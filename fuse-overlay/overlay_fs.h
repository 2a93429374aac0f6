#pragma once
// OverlayFs: the union filesystem behind one burrow-overlay mount, as libfuse low-level
// callbacks. Each callback works out an errno (or a result) and replies exactly once; none
// throws (fuse_ops.cpp guards them). State comes in through fuse_req_userdata, never globals.
// Thread-safe: libfuse calls it from several worker threads; see InodeTable and Inode for the
// locks (table before inode, neither held across a system call or a fuse_reply_*).

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "base/logger.h"
#include "fuse-overlay/dir_merge.h"
#include "fuse-overlay/inode_table.h"
#include "fuse-overlay/layers.h"
#include "fuse-overlay/overlay_options.h"

namespace burrow::fuse_overlay {

class OverlayFs {
 public:
  // Opens the layers (throws burrow::Error naming the unusable directory) and clears leftovers
  // of an earlier run from the work directory. `logger` must outlive the OverlayFs.
  OverlayFs(const OverlayOptions& options, Logger& logger);
  OverlayFs(const OverlayFs&) = delete;
  OverlayFs& operator=(const OverlayFs&) = delete;

  // The libfuse operations table; userdata must be this OverlayFs.
  static const fuse_lowlevel_ops& operations();

  // --- callbacks (fuse_ops.cpp dispatches to these) ---
  void init(fuse_conn_info* conn);
  void lookup(fuse_req_t req, fuse_ino_t parent, const char* name);
  void forget(fuse_ino_t ino, uint64_t nlookup);
  void getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi);
  void readlink(fuse_req_t req, fuse_ino_t ino);
  void mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev);
  void mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode);
  void symlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name);
  void link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname);
  void unlink(fuse_req_t req, fuse_ino_t parent, const char* name);
  void rmdir(fuse_req_t req, fuse_ino_t parent, const char* name);
  void rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent, const char* newname,
              unsigned int flags);
  void open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi);
  void read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
  void write_buf(fuse_req_t req, fuse_ino_t ino, fuse_bufvec* in, off_t off, fuse_file_info* fi);
  void release(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void fsync(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi);
  void fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset, off_t length, fuse_file_info* fi);
  void copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in, fuse_file_info* fi_in, fuse_ino_t ino_out,
                       off_t off_out, fuse_file_info* fi_out, size_t len, int flags);
  void lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence, fuse_file_info* fi);
  void opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi, bool plus);
  void releasedir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi);
  void statfs(fuse_req_t req, fuse_ino_t ino);
  void setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size, int flags);
  void getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size);
  void listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
  void removexattr(fuse_req_t req, fuse_ino_t ino, const char* name);

  const OverlayOptions& options() const { return options_; }
  Logger& logger() { return logger_; }
  size_t inode_count_for_testing() const { return table_.size(); }

 private:
  // Ownership of the new object for the request's caller (setgid directories pass on their gid).
  struct Owner {
    uid_t uid;
    gid_t gid;
    bool chown;  // the new object needs a chown to get these ids
  };

  std::shared_ptr<Inode> inode(fuse_ino_t ino) const { return table_.get(ino); }
  // Finds `name` in dir. A lower file whose hard-link partner was copied up is linked to
  // that copy first, so the link set stays one object (as overlayfs' index feature does).
  int find_child(const std::shared_ptr<Inode>& dir, const std::string& name, Found& out);
  // Registers `found` (the child `name` of dir) with the kernel: fills e, adds a lookup count.
  void make_entry(const std::shared_ptr<Inode>& dir, const std::string& name, const Found& found,
                  fuse_entry_param& e);
  // Finds and registers a child that was just created. Returns 0 or errno.
  int entry_for_new(const std::shared_ptr<Inode>& dir, const std::string& name, fuse_entry_param& e);
  // The same for a new non-directory at `path` in the upper layer (no lookup through layers).
  int entry_for_new_upper(const std::shared_ptr<Inode>& dir, const std::string& path, const std::string& name,
                          fuse_entry_param& e);
  // Copies the object (and its missing ancestors) up to the upper layer. Returns 0 or errno
  // (EROFS without an upper layer, ENOENT for an object already removed).
  int ensure_upper(const std::shared_ptr<Inode>& node, bool with_data = true);
  // Copies a merged directory tree up entirely and makes every directory in it opaque, so it
  // can be renamed as a unit. Returns 0 or errno.
  int copy_up_tree(const std::shared_ptr<Inode>& dir);
  // True when a layer below the upper holds `name` in dir (a removal needs a whiteout).
  bool lower_has(const Inode& dir, const std::string& name) const;
  // Prepares creating `name` in dir: dir copied up; reports whether a whiteout sits there.
  int prepare_create(const std::shared_ptr<Inode>& dir, const std::string& name, bool& had_whiteout);
  // After creating `name` of a new object: the caller's ownership, whiteout removed.
  void finish_create(const std::string& dir_path, const std::string& name, bool had_whiteout, const Owner& owner);
  Owner owner_for(fuse_req_t req, const std::string& dir_path) const;
  // A temporary, untracked inode for an object the kernel has not looked up.
  std::shared_ptr<Inode> detached_inode(const std::shared_ptr<Inode>& dir, const std::string& name,
                                        const Found& found) const;
  // The name `name` in dir (found as f) is gone; `last`: it was the object's last link.
  void forget_name(const std::shared_ptr<Inode>& dir, const std::string& name, const Found& f, bool last);
  void fix_attr(const Inode& node, struct stat& st) const;
  int stat_inode(const Inode& node, struct stat& st) const;
  int do_rename(const std::shared_ptr<Inode>& src_dir, const std::string& name, const std::shared_ptr<Inode>& dst_dir,
                const std::string& newname, unsigned int flags);
  int do_setattr(const std::shared_ptr<Inode>& node, const struct stat& attr, int to_set, fuse_file_info* fi);
  int new_object(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev, const char* link,
                 fuse_entry_param& e);
  std::string proc_path(const Inode& node) const;
  // The listing a readdir at `off` continues (a new one at 0, kept on dir). Null with err set.
  std::shared_ptr<const DirListing> listing_at(const std::shared_ptr<Inode>& dir, off_t off, int& err);

  const OverlayOptions options_;
  Logger& logger_;
  Layers layers_;
  InodeTable table_;
  double timeout_;
  bool writeback_ = false;  // negotiated in init(), before any other request; read-only after
  bool no_opendir_ = false;  // the same: the kernel opens directories without asking us
  std::atomic<uint32_t> next_listing_id_{1};
  const uid_t euid_;        // this process's ids: objects it creates get them by default
  const gid_t egid_;
};

}  // namespace burrow::fuse_overlay
