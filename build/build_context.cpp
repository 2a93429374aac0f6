#include "build/build_context.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include "base/error.h"
#include "base/random_id.h"
#include "base/sys.h"
#include "build/lexical_path.h"
#include "image/tar_extractor.h"

namespace burrow::build {

namespace {

std::string make_dir(const std::string& tmp_root) {
  sys::make_dirs(tmp_root, 0700);
  std::string dir = tmp_root + "/build-" + random_id().substr(0, 16);
  sys::check(::mkdir(dir.c_str(), 0700), "mkdir", dir);
  return dir;
}

}  // namespace

BuildContext BuildContext::from_tar(const std::string& tmp_root, image::ReadFn tar) {
  std::string dir = make_dir(tmp_root);
  try {
    Fd fd = sys::open(dir, O_RDONLY | O_DIRECTORY);
    image::extract_tar(std::move(tar), fd.get());
    return BuildContext(dir, std::move(fd));
  } catch (const Error& e) {
    sys::remove_tree(dir);
    throw e.wrap("Error reading the build context");
  }
}

BuildContext BuildContext::from_dockerfile(const std::string& tmp_root, const std::string& content) {
  std::string dir = make_dir(tmp_root);
  try {
    Fd fd = sys::open(dir, O_RDONLY | O_DIRECTORY);
    Fd f = sys::open_at(fd.get(), "Dockerfile", O_WRONLY | O_CREAT | O_EXCL, 0644);
    sys::write_all(f.get(), content);
    return BuildContext(dir, std::move(fd));
  } catch (...) {
    sys::remove_tree(dir);
    throw;
  }
}

BuildContext::BuildContext(BuildContext&& other) noexcept
    : dir_(std::move(other.dir_)), dir_fd_(std::move(other.dir_fd_)) {
  other.dir_.clear();
}

BuildContext::~BuildContext() {
  if (dir_.empty()) return;
  dir_fd_.reset();
  try {
    sys::remove_tree(dir_);
  } catch (...) {
    // Destructors never throw; a leftover directory under tmp/ is harmless.
  }
}

std::string BuildContext::clean_source(const std::string& source) {
  LexicalPath path = LexicalPath::parse(source);
  if (path.escapes) throw Error::bad_parameter("Forbidden path outside the build context: " + source);
  return path.join();
}

Fd BuildContext::open_source(const std::string& rel) const {
  struct open_how how = {};
  how.flags = O_PATH | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = sys::retry_eintr([&] { return ::syscall(SYS_openat2, dir_fd_.get(), rel.c_str(), &how, sizeof how); });
  if (fd >= 0) return Fd(static_cast<int>(fd));
  if (errno == EXDEV || errno == ELOOP) throw Error::bad_parameter("Forbidden path outside the build context: " + rel);
  if (errno == ENOENT || errno == ENOTDIR) throw Error::not_found(rel + ": no such file or directory");
  throw sys::error_from_errno(errno, "openat2", rel);
}

std::vector<std::string> BuildContext::glob(const std::string& pattern) const {
  if (pattern.find_first_of("*?[") == std::string::npos) return {pattern};
  std::vector<std::string> current = {""};
  size_t i = 0;
  while (i <= pattern.size()) {
    size_t j = pattern.find('/', i);
    if (j == std::string::npos) j = pattern.size();
    std::string part = pattern.substr(i, j - i);
    i = j + 1;
    std::vector<std::string> next;
    for (const auto& dir : current) {
      std::string prefix = dir.empty() ? "" : dir + "/";
      if (part.find_first_of("*?[") == std::string::npos) {
        next.push_back(prefix + part);
        continue;
      }
      Fd d;
      try {
        Fd p = open_source(dir.empty() ? "." : dir);
        d = sys::open_at(p.get(), ".", O_RDONLY | O_DIRECTORY);
      } catch (const Error&) {
        continue;  // not a directory, missing, or outside: no matches below it
      }
      DIR* stream = ::fdopendir(d.get());
      if (!stream) continue;
      d.release();
      while (struct dirent* e = ::readdir(stream)) {
        std::string name = e->d_name;
        if (name == "." || name == "..") continue;
        if (::fnmatch(part.c_str(), name.c_str(), 0) == 0) next.push_back(prefix + name);
      }
      ::closedir(stream);
    }
    current = std::move(next);
  }
  std::vector<std::string> found;
  for (auto& path : current) {
    try {
      open_source(path);
      found.push_back(std::move(path));
    } catch (const Error&) {
      // Missing below a matched directory, or reached through a symlink that leads out.
    }
  }
  std::sort(found.begin(), found.end());
  return found;
}

std::string BuildContext::read_dockerfile(const std::string& name) const {
  std::string rel;
  try {
    rel = clean_source(name.empty() ? "Dockerfile" : name);
    Fd p = open_source(rel);
    Fd f = sys::open(std::string("/proc/self/fd/") + std::to_string(p.get()), O_RDONLY);
    return sys::read_fd(f.get());
  } catch (const Error& e) {
    if (e.is_not_found()) throw Error::not_found("Cannot locate specified Dockerfile: " + name);
    throw;
  }
}

}  // namespace burrow::build
