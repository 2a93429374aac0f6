#pragma once
// Resolving the User of a container config ("", "name", "uid", "uid:gid", "name:group") in the
// container's own /etc/passwd and /etc/group, as Docker 0.8's dockerinit did, so that
// `-u nobody` means the image's nobody. Files are read with the rootfs as "/" (symlinks cannot
// escape it). Thread-safe.

#include <sys/types.h>

#include <string>
#include <vector>

namespace burrow::engine {

struct ContainerUser {
  uint32_t uid = 0, gid = 0;
  std::vector<uint32_t> additional_gids;  // groups of /etc/group that list the user by name
  std::string home = "/";                 // from /etc/passwd, "/" when unknown
};

// Resolves `user` against the files below `rootfs`. A numeric uid missing from /etc/passwd is
// used as is with gid 0 (unless ":gid" is given). BadParameter "Unable to find user x" when a
// name is missing from /etc/passwd (or a group name from /etc/group).
ContainerUser resolve_container_user(const std::string& rootfs, const std::string& user);

// The same resolution on given file contents (for tests and callers that already read them).
ContainerUser resolve_user_in(const std::string& passwd, const std::string& group, const std::string& user);

}  // namespace burrow::engine
