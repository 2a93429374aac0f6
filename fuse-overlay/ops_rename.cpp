// OverlayFs::rename: files are copied up and renamed in the upper layer; a directory that
// merges lower layers is first copied up as a whole tree (made opaque) so it moves as one.
// Whiteouts keep lower entries at the old name hidden; the kernel's overlayfs answers EXDEV
// here instead and leaves the copy to the caller (mv).
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "fuse-overlay/dir_merge.h"
#include "fuse-overlay/overlay_fs.h"
#include "fuse-overlay/whiteout.h"

namespace burrow::fuse_overlay {

namespace {

bool is_below(const std::shared_ptr<Inode>& node, const Inode* ancestor) {
  Inode::Where w = node->where();
  while (w.parent) {
    if (w.parent.get() == ancestor) return true;
    w = w.parent->where();
  }
  return false;
}

}  // namespace

int OverlayFs::do_rename(const std::shared_ptr<Inode>& src_dir, const std::string& name,
                         const std::shared_ptr<Inode>& dst_dir, const std::string& newname, unsigned int flags) {
  if (flags & ~static_cast<unsigned>(RENAME_NOREPLACE)) return EINVAL;  // RENAME_EXCHANGE, RENAME_WHITEOUT
  if (is_whiteout_name(newname)) return EINVAL;
  if (newname.size() > NAME_MAX) return ENAMETOOLONG;
  if (!layers_.has_upper()) return EROFS;
  Found src, dst;
  if (int err = find_child(src_dir, name, src); err != 0) return err;
  int dst_err = find_child(dst_dir, newname, dst);
  if (dst_err != 0 && dst_err != ENOENT) return dst_err;
  bool target = dst_err == 0;
  bool src_is_dir = S_ISDIR(src.st.st_mode);
  if (target) {
    if (flags & RENAME_NOREPLACE) return EEXIST;
    if (dst.key == src.key) return 0;  // two names of one object: nothing to do (POSIX)
    bool dst_is_dir = S_ISDIR(dst.st.st_mode);
    if (src_is_dir && !dst_is_dir) return ENOTDIR;
    if (!src_is_dir && dst_is_dir) return EISDIR;
    if (dst_is_dir) {
      std::vector<MergedEntry> entries;
      if (int err = list_merged(layers_, dst.layers, child_path(*dst_dir, newname), entries, true); err != 0) return err;
      if (!entries.empty()) return ENOTEMPTY;
    }
  }
  // Copy-up works on this name's own path; the kernel's node (any name of the object) is
  // updated afterwards.
  std::shared_ptr<Inode> real = table_.find_key(src.key);
  std::shared_ptr<Inode> node = detached_inode(src_dir, name, src);
  if (src_is_dir && real) {
    if (is_below(dst_dir, real.get()) || dst_dir == real) return EINVAL;
  }

  if (int err = ensure_upper(src_dir); err != 0) return err;
  if (int err = ensure_upper(dst_dir); err != 0) return err;
  bool tree_copied = false;
  if (src_is_dir && (src.layers.size() > 1 || src.layers.front() != 0)) {
    if (int err = copy_up_tree(node); err != 0) return err;
    tree_copied = true;
  } else if (int err = ensure_upper(node); err != 0) {
    return err;
  }

  int up = layers_.fd(0);
  std::string src_dir_path = relative_path(*src_dir);
  std::string dst_dir_path = relative_path(*dst_dir);
  std::string sp = child_path(src_dir_path, name);
  std::string dp = child_path(dst_dir_path, newname);
  bool dst_whiteout = has_whiteout(up, dst_dir_path, newname);
  if (src_is_dir && !tree_copied && (dst_whiteout || lower_has(*dst_dir, newname))) {
    // The directory lands on a name the lower layers hold: hide them under it.
    if (int err = make_opaque(up, sp); err != 0) return err;
  }
  if (target && S_ISDIR(dst.st.st_mode) && dst.layers.front() == 0) {
    if (int err = clear_upper_dir(layers_, dp); err != 0) return err;
  }
  bool src_whiteout = lower_has(*src_dir, name);
  if (src_whiteout) {
    if (int err = create_whiteout(up, src_dir_path, name); err != 0) return err;
  }
  struct stat replaced;
  bool replaced_upper = target && dst.layers.front() == 0 && ::fstatat(up, dp.c_str(), &replaced, AT_SYMLINK_NOFOLLOW) == 0;
  if (::renameat(up, sp.c_str(), up, dp.c_str()) != 0) {
    int err = errno;
    if (src_whiteout) remove_whiteout(up, src_dir_path, name);
    return err;
  }
  if (dst_whiteout) remove_whiteout(up, dst_dir_path, newname);
  if (replaced_upper && (S_ISDIR(replaced.st_mode) || replaced.st_nlink <= 1)) layers_.drop_origin(dst.raw_key);

  if (target) forget_name(dst_dir, newname, dst, !replaced_upper || S_ISDIR(replaced.st_mode) || replaced.st_nlink <= 1);
  if (!real) return 0;
  real->rename_name(src_dir.get(), name, dst_dir, newname);
  if (src_is_dir) {
    Inode::Where w = real->where();
    real->set_layers({0}, w.opaque || tree_copied || dst_whiteout || lower_has(*dst_dir, newname));
  } else {
    real->set_layers({0}, false);
  }
  if (tree_copied) {
    // Everything below now lives in the upper layer only.
    for (const auto& other : table_.all())
      if (is_below(other, real.get())) other->set_layers({0}, other->is_dir());
  }
  return 0;
}

void OverlayFs::rename(fuse_req_t req, fuse_ino_t parent, const char* name, fuse_ino_t newparent, const char* newname,
                       unsigned int flags) {
  auto src_dir = inode(parent);
  auto dst_dir = inode(newparent);
  int err = src_dir && dst_dir ? do_rename(src_dir, name, dst_dir, newname, flags) : ENOENT;
  fuse_reply_err(req, err);
}

}  // namespace burrow::fuse_overlay
