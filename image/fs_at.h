#pragma once
// Directory-relative file-system helpers for layer work: resolving a path beneath a root
// without following symlinks (openat2 RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS, with a component
// walk where openat2 is missing), and removing a tree without following symlinks.
// Stateless; thread-safe.

#include <string>
#include <string_view>
#include <vector>

#include "base/fd.h"

namespace burrow::image {

// Splits a tar member or image path into its components: "./a//b/" -> {"a","b"}.
// Throws Error(BadParameter) for absolute paths, ".." components, over-long names
// (component > 255, path > 4095 bytes) and NUL bytes; `what` names the member in messages.
std::vector<std::string> split_relative_path(std::string_view path, std::string_view what = {});
// Joins components with '/'.
std::string join_path(const std::vector<std::string>& parts, size_t count);

// Opens the directory `parts[0..count)` beneath root_fd (O_PATH; never following a symlink).
// create_missing: missing directories are made (mode 0755). Throws Error(BadParameter) when a
// component is a symlink or not a directory, NotFound when missing and !create_missing.
Fd open_dir_beneath(int root_fd, const std::vector<std::string>& parts, size_t count, bool create_missing);

// rm -rf of `name` in dir_fd, never following symlinks; a missing name is fine. Throws Error.
void remove_at(int dir_fd, const std::string& name);

}  // namespace burrow::image
