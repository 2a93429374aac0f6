// OverlayFs callbacks that look up, create and remove directory entries.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "fuse-overlay/dir_merge.h"
#include "fuse-overlay/overlay_fs.h"
#include "fuse-overlay/whiteout.h"

namespace burrow::fuse_overlay {

namespace {

std::string temp_dir_name() {
  static std::atomic<uint64_t> counter{0};
  return "burrow-cu-d" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
}

}  // namespace

void OverlayFs::lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  auto dir = inode(parent);
  if (!dir) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  fuse_entry_param e;
  std::memset(&e, 0, sizeof e);
  int err = std::strlen(name) > NAME_MAX ? ENAMETOOLONG : 0;
  Found f;
  if (err == 0) err = is_whiteout_name(name) ? ENOENT : find_child(dir, name, f);
  if (err == 0) {
    make_entry(dir, name, f, e);
  } else if (err == ENOENT && timeout_ > 0) {
    // A negative entry: the kernel remembers the miss until something is created here. Safe
    // for the same reason as the positive ones: a name can only appear through this mount
    // (lower layers are immutable, the upper one is written only through us), and the kernel
    // drops the negative dentry itself when it creates, links or renames onto the name.
    e.ino = 0;
    e.entry_timeout = timeout_;
    err = 0;
  }
  if (err != 0)
    fuse_reply_err(req, err);
  else
    fuse_reply_entry(req, &e);
}

void OverlayFs::forget(fuse_ino_t ino, uint64_t nlookup) { table_.forget(ino, nlookup); }

int OverlayFs::new_object(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev,
                          const char* link, fuse_entry_param& e) {
  auto dir = inode(parent);
  if (!dir) return ENOENT;
  bool had_whiteout = false;
  if (int err = prepare_create(dir, name, had_whiteout); err != 0) return err;
  std::string dir_path = relative_path(*dir);
  std::string p = child_path(dir_path, name);
  Owner owner = owner_for(req, dir_path);
  int up = layers_.fd(0);
  int rc;
  if (S_ISDIR(mode) && had_whiteout) {
    // A directory replacing a removed one must not show the old contents of the layers below:
    // it is made opaque in the work directory and then moved into place.
    std::string tmp = temp_dir_name();
    if (::mkdirat(layers_.work_fd(), tmp.c_str(), mode & 07777) != 0) return errno;
    int err = make_opaque(layers_.work_fd(), tmp);
    if (err == 0 && ::renameat2(layers_.work_fd(), tmp.c_str(), up, p.c_str(), RENAME_NOREPLACE) != 0) err = errno;
    if (err != 0) {
      ::unlinkat(layers_.work_fd(), (tmp + "/" + std::string(kOpaqueName)).c_str(), 0);
      ::unlinkat(layers_.work_fd(), tmp.c_str(), AT_REMOVEDIR);
      return err;
    }
    rc = 0;
  } else if (S_ISDIR(mode)) {
    rc = ::mkdirat(up, p.c_str(), mode & 07777);
  } else if (link != nullptr) {
    rc = ::symlinkat(link, up, p.c_str());
  } else {
    rc = ::mknodat(up, p.c_str(), mode, rdev);
  }
  if (rc != 0) return errno;
  finish_create(dir_path, name, had_whiteout, owner);
  return S_ISDIR(mode) ? entry_for_new(dir, name, e) : entry_for_new_upper(dir, p, name, e);
}

void OverlayFs::mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t rdev) {
  fuse_entry_param e;
  int err = new_object(req, parent, name, mode, rdev, nullptr, e);
  if (err != 0)
    fuse_reply_err(req, err);
  else
    fuse_reply_entry(req, &e);
}

void OverlayFs::mkdir(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  fuse_entry_param e;
  int err = new_object(req, parent, name, S_IFDIR | (mode & 07777), 0, nullptr, e);
  if (err != 0)
    fuse_reply_err(req, err);
  else
    fuse_reply_entry(req, &e);
}

void OverlayFs::symlink(fuse_req_t req, const char* link, fuse_ino_t parent, const char* name) {
  fuse_entry_param e;
  int err = new_object(req, parent, name, S_IFLNK | 0777, 0, link, e);
  if (err != 0)
    fuse_reply_err(req, err);
  else
    fuse_reply_entry(req, &e);
}

void OverlayFs::link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char* newname) {
  auto node = inode(ino);
  auto dir = inode(newparent);
  fuse_entry_param e;
  int err = node && dir ? 0 : ENOENT;
  bool had_whiteout = false;
  if (err == 0) err = node->is_dir() ? EPERM : 0;
  if (err == 0) err = ensure_upper(node);
  if (err == 0) err = prepare_create(dir, newname, had_whiteout);
  if (err == 0) {
    std::string dir_path = relative_path(*dir);
    std::string from = relative_path(*node);
    std::string to = child_path(dir_path, newname);
    if (::linkat(layers_.fd(0), from.c_str(), layers_.fd(0), to.c_str(), 0) != 0) err = errno;
    if (err == 0 && had_whiteout) remove_whiteout(layers_.fd(0), dir_path, newname);
    if (err == 0) err = entry_for_new_upper(dir, to, newname, e);
  }
  if (err != 0)
    fuse_reply_err(req, err);
  else
    fuse_reply_entry(req, &e);
}

void OverlayFs::unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  auto dir = inode(parent);
  Found f;
  int err = dir ? find_child(dir, name, f) : ENOENT;
  if (err == 0 && S_ISDIR(f.st.st_mode)) err = EISDIR;
  if (err == 0) err = ensure_upper(dir);
  if (err == 0) {
    std::string dir_path = relative_path(*dir);
    // The whiteout goes first: a crash in between leaves the upper entry visible, not both.
    if (lower_has(*dir, name)) err = create_whiteout(layers_.fd(0), dir_path, name);
    if (err == 0 && f.layers.front() == 0) {
      if (::unlinkat(layers_.fd(0), child_path(dir_path, name).c_str(), 0) != 0) err = errno;
      if (err == 0 && f.st.st_nlink <= 1) layers_.drop_origin(f.raw_key);
    }
  }
  if (err == 0) forget_name(dir, name, f, f.st.st_nlink <= 1);
  fuse_reply_err(req, err);
}

void OverlayFs::rmdir(fuse_req_t req, fuse_ino_t parent, const char* name) {
  auto dir = inode(parent);
  Found f;
  int err = dir ? find_child(dir, name, f) : ENOENT;
  if (err == 0 && !S_ISDIR(f.st.st_mode)) err = ENOTDIR;
  std::string dir_path = dir ? relative_path(*dir) : std::string();
  std::string p = child_path(dir_path, name);
  if (err == 0) {
    std::vector<MergedEntry> entries;
    err = list_merged(layers_, f.layers, p, entries, true);
    if (err == 0 && !entries.empty()) err = ENOTEMPTY;
  }
  if (err == 0) err = ensure_upper(dir);
  if (err == 0 && lower_has(*dir, name)) err = create_whiteout(layers_.fd(0), dir_path, name);
  if (err == 0 && f.layers.front() == 0) {
    err = clear_upper_dir(layers_, p);
    if (err == 0 && ::unlinkat(layers_.fd(0), p.c_str(), AT_REMOVEDIR) != 0) err = errno;
    if (err == 0) layers_.drop_origin(f.raw_key);
  }
  if (err == 0) forget_name(dir, name, f, true);
  fuse_reply_err(req, err);
}

}  // namespace burrow::fuse_overlay
