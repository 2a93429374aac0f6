#pragma once
// Docker whiteouts as burrow-overlay reads and writes them: `.wh.NAME` hides NAME of the layers
// below, `.wh..wh..opq` inside a directory hides everything below it. For layers made by the
// kernel's overlayfs or fuse-overlayfs, a 0:0 character device also counts as a whiteout and
// the `user.overlay.opaque=y` xattr as an opaque marker. The upper layer only ever gets the
// `.wh.` forms, so that it can be committed as a Docker layer as it is. Stateless.

#include <sys/stat.h>

#include <string>
#include <string_view>

namespace burrow::fuse_overlay {

inline constexpr std::string_view kWhiteoutPrefix = ".wh.";
inline constexpr std::string_view kOpaqueName = ".wh..wh..opq";

inline bool is_whiteout_name(std::string_view name) { return name.substr(0, kWhiteoutPrefix.size()) == kWhiteoutPrefix; }
inline std::string whiteout_name(std::string_view name) { return std::string(kWhiteoutPrefix) + std::string(name); }
// A 0:0 character device: the kernel's whiteout.
inline bool is_whiteout_device(const struct stat& st) { return S_ISCHR(st.st_mode) && st.st_rdev == 0; }

// True when `path` (relative to dirfd, a directory) is marked opaque.
bool is_opaque_dir(int dirfd, const std::string& path);
// Creates `.wh.NAME` in the directory `dir_path` (relative to dirfd). Returns 0 or errno;
// an existing whiteout is fine.
int create_whiteout(int dirfd, const std::string& dir_path, const std::string& name);
// True when the directory at dir_path holds a `.wh.NAME` whiteout.
bool has_whiteout(int dirfd, const std::string& dir_path, const std::string& name);
// Removes `.wh.NAME`; a missing one is fine. Returns 0 or errno.
int remove_whiteout(int dirfd, const std::string& dir_path, const std::string& name);
// Creates the opaque marker inside the directory at path. Returns 0 or errno.
int make_opaque(int dirfd, const std::string& path);

}  // namespace burrow::fuse_overlay
