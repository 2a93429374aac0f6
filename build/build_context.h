#pragma once
// BuildContext: the files a build may ADD/COPY, extracted from the client's (possibly
// compressed) tar into a private directory on disk, so a context larger than memory streams
// through. Sources are opened beneath the context root: "../x", absolute symlinks and
// symlinks that lead outside are refused. The directory is removed with the object.
// Not thread-safe; one per build.

#include <string>
#include <vector>

#include "base/fd.h"
#include "image/byte_stream.h"

namespace burrow::build {

class BuildContext {
 public:
  // Extracts `tar` into a new directory below `tmp_root` (created 0700). Throws
  // Error(BadParameter) for a bad or hostile archive (nothing is left behind).
  static BuildContext from_tar(const std::string& tmp_root, image::ReadFn tar);
  // A context that holds only a Dockerfile with `content` (the remote Dockerfile form).
  static BuildContext from_dockerfile(const std::string& tmp_root, const std::string& content);

  BuildContext(BuildContext&& other) noexcept;
  BuildContext& operator=(BuildContext&&) = delete;
  BuildContext(const BuildContext&) = delete;
  ~BuildContext();

  const std::string& dir() const { return dir_; }
  int dir_fd() const { return dir_fd_.get(); }

  // The content of the Dockerfile named `name` (relative to the root). NotFound "Cannot
  // locate specified Dockerfile: <name>" when absent; BadParameter when it escapes.
  std::string read_dockerfile(const std::string& name) const;

  // The context-relative path that `source` (as written in ADD/COPY) names: cleaned, with a
  // leading "/" meaning the context root. BadParameter "Forbidden path outside the build
  // context: <source>" when it climbs above the root.
  static std::string clean_source(const std::string& source);
  // Opens `rel` (from clean_source) beneath the root with O_PATH, following symlinks only
  // while they stay inside. NotFound when missing; BadParameter "Forbidden path outside the
  // build context" when a symlink leads out.
  Fd open_source(const std::string& rel) const;
  // The context-relative paths matching `pattern` (a clean_source path whose components may
  // hold * ? [...] wildcards, as Go's filepath.Match), sorted; a pattern without wildcards is
  // returned as it is. Entries reached through a symlink that leads out are skipped.
  std::vector<std::string> glob(const std::string& pattern) const;

 private:
  BuildContext(std::string dir, Fd fd) : dir_(std::move(dir)), dir_fd_(std::move(fd)) {}
  std::string dir_;
  Fd dir_fd_;
};

}  // namespace burrow::build
