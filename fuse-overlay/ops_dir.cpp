// OverlayFs callbacks on directories: the merged listing is taken once per opendir (so offsets
// stay stable), readdirplus registers each entry with the kernel like a lookup.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <vector>

#include "fuse-overlay/dir_merge.h"
#include "fuse-overlay/overlay_fs.h"

namespace burrow::fuse_overlay {

namespace {

// What fi->fh points at for an open directory; owned by it until releasedir. The listing is
// made by the first readdir, not by opendir: when the kernel serves the directory from its
// readdir cache, no listing is needed at all.
struct DirHandle {
  std::mutex mutex;                  // guards listed and the publication of entries
  bool listed = false;
  std::vector<MergedEntry> entries;  // "." and ".." first; read-only once listed
};

}  // namespace

void OverlayFs::opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  auto node = inode(ino);
  if (!node) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  auto handle = std::make_unique<DirHandle>();
  fi->fh = reinterpret_cast<uint64_t>(handle.get());
  fi->keep_cache = timeout_ > 0;
  fi->cache_readdir = timeout_ > 0;
  if (fuse_reply_open(req, fi) == 0) handle.release();
}

void OverlayFs::readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi, bool plus) {
  auto* handle = reinterpret_cast<DirHandle*>(fi->fh);
  auto dir = inode(ino);
  if (!dir) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  bool listed;
  {
    std::lock_guard lock(handle->mutex);
    listed = handle->listed;
  }
  if (!listed) {
    // Listed without the lock held; when two readers race, the first listing published wins.
    Inode::Where w = dir->where();
    std::vector<MergedEntry> entries{{".", DT_DIR, dir->key()}, {"..", DT_DIR, w.parent ? w.parent->key() : dir->key()}};
    int err = w.unlinked ? 0 : list_merged(layers_, w.layers, relative_path(*dir), entries);
    if (err != 0) {
      fuse_reply_err(req, err);
      return;
    }
    std::lock_guard lock(handle->mutex);
    if (!handle->listed) {
      handle->entries = std::move(entries);
      handle->listed = true;
    }
  }
  std::vector<char> buf(size);
  size_t used = 0;
  for (size_t i = static_cast<size_t>(off); i < handle->entries.size(); ++i) {
    const MergedEntry& entry = handle->entries[i];
    size_t left = size - used;
    size_t n;
    if (!plus) {
      struct stat st;
      std::memset(&st, 0, sizeof st);
      st.st_ino = entry.ino;
      st.st_mode = static_cast<mode_t>(DTTOIF(entry.type));
      n = fuse_add_direntry(req, buf.data() + used, left, entry.name.c_str(), &st, static_cast<off_t>(i + 1));
      if (n > left) break;
    } else {
      fuse_entry_param e;
      std::memset(&e, 0, sizeof e);
      bool counted = false;
      if (entry.name == "." || entry.name == "..") {
        e.attr.st_ino = entry.ino;
        e.attr.st_mode = S_IFDIR;
      } else {
        Found f;
        int err = find_child(dir, entry.name, f);
        if (err == ENOENT) continue;  // removed since opendir
        if (err != 0) {
          if (used == 0) {
            fuse_reply_err(req, err);
            return;
          }
          break;
        }
        make_entry(dir, entry.name, f, e);
        counted = true;
      }
      n = fuse_add_direntry_plus(req, buf.data() + used, left, entry.name.c_str(), &e, static_cast<off_t>(i + 1));
      if (n > left) {
        if (counted) table_.forget(e.ino, 1);  // the kernel will not see this entry
        break;
      }
    }
    used += n;
  }
  fuse_reply_buf(req, buf.data(), used);
}

void OverlayFs::releasedir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  delete reinterpret_cast<DirHandle*>(fi->fh);
  fuse_reply_err(req, 0);
}

void OverlayFs::fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, fuse_file_info* fi) {
  auto node = inode(ino);
  int err = node ? 0 : ENOENT;
  if (err == 0 && options_.fsync && node->top_layer() == 0) {
    int fd = ::openat(layers_.fd(0), relative_path(*node).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      err = errno;
    } else {
      if ((datasync ? ::fdatasync(fd) : ::fsync(fd)) != 0) err = errno;
      ::close(fd);
    }
  }
  fuse_reply_err(req, err);
}

}  // namespace burrow::fuse_overlay
