// Builder: ADD and COPY. Sources (context files and directories, URLs for ADD) are resolved
// and hashed first, so that a cached step costs no mount; otherwise the current image is
// mounted on the FUSE overlay with a fresh upper directory, the sources are copied in, and
// the upper directory is committed as the step's layer.
#include <fcntl.h>
#include <unistd.h>

#include <Poco/SHA2Engine.h>

#include "base/random_id.h"
#include "base/sys.h"
#include "build/builder.h"
#include "build/tree_copy_in_root.h"
#include "engine/container.h"
#include "engine/engine.h"
#include "fuse-overlay/overlay_mount.h"
#include "image/http_fetch.h"
#include "image/image_store.h"
#include "image/tar_extractor.h"

namespace burrow::build {

namespace {

struct Source {
  std::string written;  // as in the Dockerfile
  std::string name;     // the file name a file destination directory gets
  Fd fd;                // O_PATH of the file or directory
  bool dir = false;
  bool remote = false;
};

bool is_url(const std::string& s) { return s.rfind("http://", 0) == 0 || s.rfind("https://", 0) == 0; }

std::string base_name(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  size_t slash = p.rfind('/');
  return slash == std::string::npos ? p : p.substr(slash + 1);
}

std::string parent_of(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos || slash == 0 ? "/" : path.substr(0, slash);
}

// Docker 0.8 extracted local tar archives (plain, gzip, bzip2, xz) given to ADD.
bool looks_like_archive(int fd) {
  Fd in = reopen_for_reading(fd, O_RDONLY);
  unsigned char b[512];
  size_t n = 0;
  while (n < sizeof b) {
    size_t got = sys::read_some(in.get(), b + n, sizeof b - n);
    if (got == 0) break;
    n += got;
  }
  if (n >= 2 && b[0] == 0x1f && b[1] == 0x8b) return true;
  if (n >= 3 && b[0] == 'B' && b[1] == 'Z' && b[2] == 'h') return true;
  if (n >= 6 && b[0] == 0xfd && b[1] == '7' && b[2] == 'z' && b[3] == 'X' && b[4] == 'Z' && b[5] == 0) return true;
  return n == 512 && std::string_view(reinterpret_cast<const char*>(b) + 257, 5) == "ustar";
}

std::string url_file_name(const std::string& url) {
  std::string path = url.substr(url.find("://") + 3);
  size_t q = path.find_first_of("?#");
  if (q != std::string::npos) path.resize(q);
  size_t slash = path.find('/');
  path = slash == std::string::npos ? "" : path.substr(slash);
  std::string name = base_name(path);
  return name == "/" ? "" : name;
}

}  // namespace

void Builder::add(const Instruction& ins, bool is_add) {
  const std::string& k = ins.keyword;
  std::vector<std::string> words;
  for (const auto& w : ins.list) words.push_back(substitute_env(w, env()));
  std::string dest = words.back();
  words.pop_back();
  bool dest_is_dir = dest.back() == '/' || dest == "." || (dest.size() >= 2 && dest.substr(dest.size() - 2) == "/.");
  std::string workdir = engine::json_string(config_, "WorkingDir");
  std::string dest_abs = dest[0] == '/' ? dest : (workdir.empty() ? "/" : workdir + "/") + dest;
  // Wildcards expand to the matching context paths (in order), as Docker 1.0's COPY did.
  std::vector<std::pair<std::string, std::string>> expanded;  // (as written, context path or "")
  for (const auto& w : words) {
    if (is_url(w)) {
      expanded.emplace_back(w, "");
      continue;
    }
    std::string rel;
    try {
      rel = BuildContext::clean_source(w);
    } catch (const Error& e) {
      throw BuildError(e.kind(), e.what());
    }
    std::vector<std::string> matches = context_->glob(rel);
    if (matches.empty()) throw BuildError(Error::Kind::NotFound, w + ": no file in the build context matches");
    for (auto& m : matches) expanded.emplace_back(matches.size() == 1 ? w : m, m);
  }
  if (expanded.size() > 1 && !dest_is_dir)
    throw BuildError(Error::Kind::BadParameter,
                     "When using " + k + " with more than one source file, the destination must be a directory and end with a /");

  // Resolve and hash every source.
  std::vector<Source> sources;
  Poco::SHA2Engine digest(Poco::SHA2Engine::SHA_256);
  for (const auto& [w, rel] : expanded) {
    Source s;
    s.written = w;
    if (is_url(w)) {
      if (!is_add) throw BuildError(Error::Kind::BadParameter, "COPY does not take URLs (" + w + "); use ADD");
      s.remote = true;
      s.name = url_file_name(w);
      if (s.name.empty()) throw BuildError(Error::Kind::BadParameter, "cannot determine a file name from the URL " + w);
      std::string dir = scratch_dir("download");
      {
        image::HttpFetch fetch(w);
        Fd out = sys::open(dir + "/file", O_WRONLY | O_CREAT | O_EXCL, 0600);
        image::ReadFn in = fetch.reader();
        char buf[1 << 16];
        for (size_t n; (n = in(buf, sizeof buf)) > 0;) sys::write_all(out.get(), buf, n);
      }
      s.fd = sys::open(dir + "/file", O_PATH);
      digest.update("url:" + w + '\0');
    } else {
      try {
        s.fd = context_->open_source(rel);
      } catch (const Error& e) {
        if (e.is_not_found()) throw BuildError(Error::Kind::NotFound, w + ": no such file or directory in the build context");
        throw BuildError(e.kind(), e.what());
      }
      s.name = base_name(rel == "." ? "/" : rel);
      struct stat st;
      sys::check(::fstat(s.fd.get(), &st), "stat", w);
      s.dir = S_ISDIR(st.st_mode);
      if (!s.dir && !S_ISREG(st.st_mode)) throw BuildError(Error::Kind::BadParameter, w + " is not a file or directory");
      digest.update("ctx:" + rel + '\0');
    }
    hash_source(s.fd.get(), digest);
    sources.push_back(std::move(s));
  }
  std::string kind = sources.size() > 1 ? "multi" : sources[0].dir ? "dir" : "file";
  std::string hash = Poco::DigestEngine::digestToHex(digest.digest());
  Poco::JSON::Object::Ptr cc = container_config({"/bin/sh", "-c", "#(nop) " + k + " " + kind + ":" + hash + " in " + dest_abs});
  if (auto hit = cached(cc)) return use_image(*hit);

  std::string upper = scratch_dir("upper");
  fuse_overlay::OverlayMountOptions mo;
  const std::string& programs = engine_.options().program_dir;
  mo.program = programs.empty() ? "burrow-overlay" : programs + "/burrow-overlay";
  mo.lowerdirs = engine_.images().layer_dirs(image_id_);
  mo.upperdir = upper;
  mo.workdir = scratch_dir("work");
  mo.mountpoint = scratch_dir("rootfs");
  mo.extra_options = {"fsync=0"};  // the layer is committed (and synced) from the upper dir
  std::unique_ptr<fuse_overlay::OverlayMount> mount;
  try {
    mount = fuse_overlay::OverlayMount::mount(mo);
  } catch (const Error& e) {
    throw BuildError(e.kind(), std::string("mounting the image for ") + k + ": " + e.what());
  }
  try {
    Fd root = sys::open(mo.mountpoint, O_PATH | O_DIRECTORY);
    for (const auto& s : sources) {
      if (s.dir) {
        Fd d = make_dir_in_root(root.get(), dest_abs);
        copy_dir_contents(s.fd.get(), d.get(), false);
        continue;
      }
      if (is_add && !s.remote && looks_like_archive(s.fd.get())) {
        std::string unpacked = scratch_dir("untar");
        bool extracted = false;
        try {
          Fd u = sys::open(unpacked, O_RDONLY | O_DIRECTORY);
          Fd in = reopen_for_reading(s.fd.get(), O_RDONLY);
          image::extract_tar(image::read_from_fd(in.get()), u.get());
          extracted = true;
        } catch (const Error& e) {
          engine_.logger().debug("build", "not extracting " + s.written + ": " + e.what());
        }
        if (extracted) {
          Fd u = sys::open(unpacked, O_PATH | O_DIRECTORY);
          Fd d = make_dir_in_root(root.get(), dest_abs);
          copy_dir_contents(u.get(), d.get(), true);
          continue;
        }
      }
      bool into_dir = dest_is_dir || is_dir_in_root(root.get(), dest_abs);
      std::string dir = into_dir ? dest_abs : parent_of(dest_abs);
      std::string name = into_dir ? s.name : base_name(dest_abs);
      struct stat st;
      sys::check(::fstat(s.fd.get(), &st), "stat", s.written);
      Fd d = make_dir_in_root(root.get(), dir);
      copy_file_to(s.fd.get(), d.get(), name, s.remote ? 0600 : st.st_mode);
    }
  } catch (const Error& e) {
    try {
      mount->unmount();
    } catch (const Error& ue) {
      engine_.logger().warn("build", std::string("unmounting the ADD rootfs: ") + ue.what());
    }
    throw BuildError(e.kind(), k + " " + dest + ": " + e.what());
  }
  mount->unmount();
  image::Image img = engine_.images().commit(image_id_, upper, "", cc, engine::json_clone(config_), "", "", "", author_);
  use_image(img.id);
}

}  // namespace burrow::build
