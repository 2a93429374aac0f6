#include "fuse-overlay/overlay_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/sys.h"
#include "fuse-overlay/copy_up.h"
#include "fuse-overlay/dir_merge.h"
#include "fuse-overlay/whiteout.h"

namespace burrow::fuse_overlay {

namespace {

std::shared_ptr<Inode> make_root(const Layers& layers) {
  std::vector<int> root_layers = layers.root_layers();
  struct stat st;
  if (int err = layers.stat_at(root_layers.front(), ".", st); err != 0)
    throw sys::error_from_errno(err, "stat", "layer root");
  return std::make_shared<Inode>(st.st_ino, S_IFDIR, Inode::Where{nullptr, "", root_layers, false, false});
}

// Removes what an earlier run left in the work directory (temporary copy-ups).
void clear_work_dir(const std::string& workdir) {
  if (workdir.empty()) return;
  Fd fd = sys::open(workdir, O_RDONLY | O_DIRECTORY);
  DIR* dir = ::fdopendir(fd.get());
  if (!dir) return;
  fd.release();
  std::vector<std::string> stale;
  while (struct dirent* e = ::readdir(dir))
    if (std::strncmp(e->d_name, "burrow-cu-", 10) == 0) stale.emplace_back(e->d_name);
  ::closedir(dir);
  for (const auto& name : stale) sys::remove_tree(workdir + "/" + name);
}

}  // namespace

OverlayFs::OverlayFs(const OverlayOptions& options, Logger& logger)
    : options_(options), logger_(logger), layers_(options), table_(make_root(layers_)), timeout_(options.timeout),
      euid_(::geteuid()), egid_(::getegid()) {
  clear_work_dir(options_.workdir);
}

void OverlayFs::init(fuse_conn_info* conn) {
  if (options_.writeback && timeout_ > 0 && (conn->capable & FUSE_CAP_WRITEBACK_CACHE) && layers_.has_upper())
    conn->want |= FUSE_CAP_WRITEBACK_CACHE;
  // Replies to reads splice from the backing file. Requests are not read by splice: that
  // costs extra system calls on every request and only pays for large writes.
  constexpr unsigned kSpliceReply = FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE;
  conn->want &= ~FUSE_CAP_SPLICE_READ;
  if (options_.splice)
    conn->want |= conn->capable & kSpliceReply;
  else
    conn->want &= ~kSpliceReply;
  if (timeout_ > 0 && (conn->capable & FUSE_CAP_CACHE_SYMLINKS)) conn->want |= FUSE_CAP_CACHE_SYMLINKS;
  // Only this filesystem changes the files it serves, so the page cache stays valid even when
  // mtime moves; and the kernel clears setuid bits on write itself.
  conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
  conn->want &= ~FUSE_CAP_HANDLE_KILLPRIV;
  writeback_ = (conn->want & FUSE_CAP_WRITEBACK_CACHE) != 0;
  // With caching on, opendir answers ENOSYS and the kernel stops asking (see opendir()).
  no_opendir_ = timeout_ > 0 && (conn->capable & FUSE_CAP_NO_OPENDIR_SUPPORT);
  if (no_opendir_) conn->want |= FUSE_CAP_NO_OPENDIR_SUPPORT;
  conn->max_background = 64;
  conn->congestion_threshold = 48;
  logger_.debug("burrow-overlay", "init: writeback " + std::string((conn->want & FUSE_CAP_WRITEBACK_CACHE) ? "on" : "off") +
                                      ", max_readahead " + std::to_string(conn->max_readahead) + ", max_write " +
                                      std::to_string(conn->max_write));
}

int OverlayFs::find_child(const std::shared_ptr<Inode>& dir, const std::string& name, Found& out) {
  Inode::Where w = dir->where();
  if (w.unlinked) return ENOENT;
  std::string dir_path = relative_path(*dir);
  int err = layers_.lookup(w.layers, dir_path, name, out);
  if (err != 0 || out.layers.front() == 0 || S_ISDIR(out.st.st_mode) || out.st.st_nlink < 2) return err;
  auto copy = layers_.copied_link(out.key);
  if (!copy) return 0;
  struct stat st;
  std::string p = child_path(dir_path, name);
  bool linked = ::fstatat(layers_.fd(0), copy->path.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                layers_.raw_key(st.st_dev, st.st_ino) == copy->upper_raw && ensure_upper(dir) == 0 &&
                (::linkat(layers_.fd(0), copy->path.c_str(), layers_.fd(0), p.c_str(), 0) == 0 || errno == EEXIST);
  if (linked) return layers_.lookup(dir->where().layers, dir_path, name, out);
  // The copy was removed or moved: this name stays the lower file, as an object of its own.
  out.key = out.raw_key | (uint64_t{1} << 63);
  out.st.st_ino = out.key;
  return 0;
}

void OverlayFs::make_entry(const std::shared_ptr<Inode>& dir, const std::string& name, const Found& f,
                           fuse_entry_param& e) {
  auto [id, node] = table_.acquire(f.key, f.st.st_mode & S_IFMT, [&] {
    return std::make_shared<Inode>(f.key, f.st.st_mode & S_IFMT, Inode::Where{dir, name, f.layers, false, f.opaque});
  });
  Inode::Where w = node->where();
  if (w.layers != f.layers || w.opaque != f.opaque) node->set_layers(f.layers, f.opaque);
  // A directory has one name; a name found in another layer than the node's is where the
  // object now is (a lower hard link copied up through another name).
  bool elsewhere = w.parent != dir || w.name != name;
  if (w.unlinked || (elsewhere && (node->is_dir() || w.layers.front() != f.layers.front())))
    node->move_to(dir, name);
  else if (elsewhere)
    node->add_alias(dir, name);
  std::memset(&e, 0, sizeof e);
  e.ino = id;
  e.attr = f.st;
  e.attr_timeout = timeout_;
  e.entry_timeout = timeout_;
}

int OverlayFs::entry_for_new(const std::shared_ptr<Inode>& dir, const std::string& name, fuse_entry_param& e) {
  Found f;
  if (int err = find_child(dir, name, f); err != 0) return err;
  make_entry(dir, name, f, e);
  return 0;
}

int OverlayFs::entry_for_new_upper(const std::shared_ptr<Inode>& dir, const std::string& path, const std::string& name,
                                   fuse_entry_param& e) {
  // A new non-directory hides whatever the lower layers hold under its name: only the upper
  // object matters, and no lookup through the layers is needed.
  Found f;
  if (::fstatat(layers_.fd(0), path.c_str(), &f.st, AT_SYMLINK_NOFOLLOW) != 0) return errno;
  f.layers = {0};
  f.raw_key = layers_.raw_key(f.st.st_dev, f.st.st_ino);
  f.key = layers_.key_for(0, f.st.st_dev, f.st.st_ino);
  f.st.st_ino = f.key;
  make_entry(dir, name, f, e);
  return 0;
}

std::shared_ptr<Inode> OverlayFs::detached_inode(const std::shared_ptr<Inode>& dir, const std::string& name,
                                                 const Found& f) const {
  return std::make_shared<Inode>(f.key, f.st.st_mode & S_IFMT, Inode::Where{dir, name, f.layers, false, f.opaque});
}

int OverlayFs::ensure_upper(const std::shared_ptr<Inode>& node, bool with_data) {
  if (!layers_.has_upper()) return EROFS;
  Inode::Where w = node->where();
  if (w.layers.front() == 0) return 0;
  if (w.unlinked) return ENOENT;
  if (!w.parent) return EIO;  // the root always spans the upper layer when there is one
  if (int err = ensure_upper(w.parent, true); err != 0) return err;
  CopyUpRequest req;
  req.from_layer = w.layers.front();
  req.path = relative_path(*node);
  req.with_data = with_data;
  if (::fstatat(layers_.fd(req.from_layer), req.path.c_str(), &req.st, AT_SYMLINK_NOFOLLOW) != 0) return errno;
  int err = copy_up(layers_, req);
  struct stat up;
  if (::fstatat(layers_.fd(0), req.path.c_str(), &up, AT_SYMLINK_NOFOLLOW) != 0) return err ? err : errno;
  if (err == EEXIST && (up.st_mode & S_IFMT) != (req.st.st_mode & S_IFMT)) return EIO;
  if (err != 0 && err != EEXIST) return err;
  uint64_t up_raw = layers_.raw_key(up.st_dev, up.st_ino);
  layers_.record_origin(up_raw, node->key());
  if (!node->is_dir() && req.st.st_nlink > 1) layers_.record_copied_link(node->key(), up_raw, req.path);
  std::vector<int> layers{0};
  if (node->is_dir()) layers.insert(layers.end(), w.layers.begin(), w.layers.end());
  node->set_layers(std::move(layers), w.opaque);
  return 0;
}

int OverlayFs::copy_up_tree(const std::shared_ptr<Inode>& dir) {
  if (int err = ensure_upper(dir); err != 0) return err;
  Inode::Where w = dir->where();
  if (w.layers.size() == 1) return 0;  // upper only: everything below is in the upper already
  std::string path = relative_path(*dir);
  std::vector<MergedEntry> entries;
  if (int err = list_merged(layers_, w.layers, path, entries); err != 0) return err;
  for (const auto& entry : entries) {
    Found f;
    int err = layers_.lookup(w.layers, path, entry.name, f);
    if (err == ENOENT) continue;
    if (err != 0) return err;
    auto child = detached_inode(dir, entry.name, f);
    err = S_ISDIR(f.st.st_mode) ? copy_up_tree(child) : ensure_upper(child);
    if (err != 0) return err;
  }
  // Everything visible is in the upper now: drop the whiteouts, hide the lower layers.
  if (int err = remove_whiteouts(layers_, path); err != 0) return err;
  if (int err = make_opaque(layers_.fd(0), path); err != 0) return err;
  dir->set_layers({0}, true);
  return 0;
}

bool OverlayFs::lower_has(const Inode& dir, const std::string& name) const {
  Inode::Where w = dir.where();
  std::vector<int> lowers;
  for (int l : w.layers)
    if (l != 0) lowers.push_back(l);
  if (lowers.empty()) return false;
  Found f;
  return layers_.lookup(lowers, relative_path(dir), name, f) == 0;
}

int OverlayFs::prepare_create(const std::shared_ptr<Inode>& dir, const std::string& name, bool& had_whiteout) {
  if (is_whiteout_name(name)) return EINVAL;
  if (name.size() > NAME_MAX) return ENAMETOOLONG;
  if (int err = ensure_upper(dir); err != 0) return err;
  had_whiteout = has_whiteout(layers_.fd(0), relative_path(*dir), name);
  return 0;
}

OverlayFs::Owner OverlayFs::owner_for(fuse_req_t req, const std::string& dir_path) const {
  const fuse_ctx* ctx = fuse_req_ctx(req);
  Owner o{ctx->uid, ctx->gid, false};
  // Created by this process, a new object already has its owner when the caller has our ids
  // (and a setgid directory's group, which the kernel hands on).
  if (o.uid == euid_ && o.gid == egid_) return o;
  o.chown = true;
  struct stat st;
  if (::fstatat(layers_.fd(0), dir_path.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && (st.st_mode & S_ISGID))
    o.gid = st.st_gid;
  return o;
}

void OverlayFs::finish_create(const std::string& dir_path, const std::string& name, bool had_whiteout,
                              const Owner& owner) {
  std::string p = child_path(dir_path, name);
  if (owner.chown) {
    // An id the namespace does not map keeps the filesystem's own; nothing better exists.
    [[maybe_unused]] int rc = ::fchownat(layers_.fd(0), p.c_str(), owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW);
  }
  if (had_whiteout) remove_whiteout(layers_.fd(0), dir_path, name);
}

void OverlayFs::forget_name(const std::shared_ptr<Inode>& dir, const std::string& name, const Found& f, bool last) {
  auto node = table_.find_key(f.key);
  if (!node) return;
  node->remove_name(dir.get(), name);
  if (last) table_.unhash(f.key, node.get());
}

void OverlayFs::fix_attr(const Inode& node, struct stat& st) const {
  st.st_ino = node.key();
  if (node.is_dir() && node.where().layers.size() > 1) st.st_nlink = 1;
}

int OverlayFs::stat_inode(const Inode& node, struct stat& st) const {
  Inode::Where w = node.where();
  std::string path = relative_path(node);
  if (::fstatat(layers_.fd(w.layers.front()), path.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return errno;
  fix_attr(node, st);
  return 0;
}

std::string OverlayFs::proc_path(const Inode& node) const {
  return "/proc/self/fd/" + std::to_string(layers_.fd(node.top_layer())) + "/" + relative_path(node);
}

}  // namespace burrow::fuse_overlay
