// OverlayFs callbacks on directories: the merged listing is taken when a read starts at offset 0
// and kept on the directory's inode until its end is served (offsets name the listing, so they
// stay stable); readdirplus registers each entry with the kernel like a lookup.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

#include "fuse-overlay/dir_merge.h"
#include "fuse-overlay/overlay_fs.h"

namespace burrow::fuse_overlay {

namespace {

// A readdir offset names the entry to continue at and the listing it belongs to. It stays
// below 2^31, so that 32-bit programs (compat getdents, glibc's non-LFS readdir) do not get
// EOVERFLOW: entry index in bits 0..19, listing id (1..1023) in bits 20..29. From 2^20 entries
// on, the offset is 2^30 + index with no listing named (continued in a fresh listing).
constexpr unsigned kIndexBits = 20;
constexpr uint64_t kIndexLimit = uint64_t{1} << kIndexBits;
constexpr uint64_t kBareIndex = uint64_t{1} << 30;
constexpr uint32_t kListingIds = 1023;
off_t offset_of(uint32_t id, size_t index) {
  if (index >= kIndexLimit) return static_cast<off_t>(kBareIndex + index);
  return static_cast<off_t>((uint64_t{id} << kIndexBits) | index);
}
uint32_t listing_id_of(off_t off) {
  uint64_t o = static_cast<uint64_t>(off);
  return o >= kBareIndex ? 0 : static_cast<uint32_t>(o >> kIndexBits);
}
size_t index_of(off_t off) {
  uint64_t o = static_cast<uint64_t>(off);
  return static_cast<size_t>(o >= kBareIndex ? o - kBareIndex : o & (kIndexLimit - 1));
}

}  // namespace

void OverlayFs::opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (!inode(ino)) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  // Without opendir support the kernel opens directories itself, keeping their pages and
  // listings cached (FOPEN_KEEP_CACHE | FOPEN_CACHE_DIR), which is what the answer below gives
  // when caching is on; that saves an OPENDIR and a RELEASEDIR round trip for every directory
  // opened. Readdir needs no handle: the listing lives on the inode, found by the offset.
  if (no_opendir_) {
    fuse_reply_err(req, ENOSYS);
    return;
  }
  fi->fh = 0;
  fi->keep_cache = timeout_ > 0;
  fi->cache_readdir = timeout_ > 0;
  fuse_reply_open(req, fi);
}

std::shared_ptr<const DirListing> OverlayFs::listing_at(const std::shared_ptr<Inode>& dir, off_t off, int& err) {
  err = 0;
  if (off != 0) {
    if (auto l = dir->listing(listing_id_of(off))) return l;
    // Not kept (seekdir to an old offset, or more concurrent readers than kMaxListings): a
    // fresh listing continues at the same index, which is exact unless the directory changed.
  }
  auto l = std::make_shared<DirListing>();
  l->id = next_listing_id_.fetch_add(1) % kListingIds + 1;
  Inode::Where w = dir->where();
  l->entries = {{".", DT_DIR, dir->key()}, {"..", DT_DIR, w.parent ? w.parent->key() : dir->key()}};
  if (!w.unlinked) err = list_merged(layers_, w.layers, relative_path(*dir), l->entries);
  if (err != 0) return nullptr;
  dir->add_listing(l);
  return l;
}

void OverlayFs::readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi, bool plus) {
  auto dir = inode(ino);
  if (!dir) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  int err = 0;
  std::shared_ptr<const DirListing> listing = listing_at(dir, off, err);
  if (!listing) {
    fuse_reply_err(req, err);
    return;
  }
  const std::vector<MergedEntry>& entries = listing->entries;
  size_t start = off == 0 ? 0 : index_of(off);
  if (start >= entries.size()) dir->drop_listing(listing->id);  // the end: the kernel reads no further
  std::vector<char> buf(size);
  size_t used = 0;
  for (size_t i = start; i < entries.size(); ++i) {
    const MergedEntry& entry = entries[i];
    off_t next = offset_of(listing->id, i + 1);
    size_t left = size - used;
    size_t n;
    if (!plus) {
      struct stat st;
      std::memset(&st, 0, sizeof st);
      st.st_ino = entry.ino;
      st.st_mode = static_cast<mode_t>(DTTOIF(entry.type));
      n = fuse_add_direntry(req, buf.data() + used, left, entry.name.c_str(), &st, next);
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
        int ferr = find_child(dir, entry.name, f);
        if (ferr == ENOENT) continue;  // removed since the listing was made
        if (ferr != 0) {
          if (used == 0) {
            fuse_reply_err(req, ferr);
            return;
          }
          break;
        }
        make_entry(dir, entry.name, f, e);
        counted = true;
      }
      n = fuse_add_direntry_plus(req, buf.data() + used, left, entry.name.c_str(), &e, next);
      if (n > left) {
        if (counted) table_.forget(e.ino, 1);  // the kernel will not see this entry
        break;
      }
    }
    used += n;
  }
  fuse_reply_buf(req, buf.data(), used);
}

void OverlayFs::releasedir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) { fuse_reply_err(req, 0); }

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
