#pragma once
// SharedLibrary: sole owner of one dlopen() handle; dlclose()s it on destruction, which unmaps
// the library and the dependencies nothing else holds. For libraries burrowd needs only now and
// then (libsubid at start, libarchive and TLS on first use), so that they do not stay resident in
// an idle daemon. Move-only. symbol() may be called from several threads.

#include <string>
#include <utility>

namespace burrow {

class SharedLibrary {
 public:
  // Opens `file`: a soname ("libsubid.so.4", found as the dynamic linker finds libraries) or an
  // absolute path, with its symbols kept local (RTLD_NOW | RTLD_LOCAL). Throws Error(Unavailable)
  // with dlerror()'s reason followed by `hint` (what to install).
  static SharedLibrary open(const std::string& file, const std::string& hint);

  SharedLibrary(SharedLibrary&& other) noexcept
      : handle_(std::exchange(other.handle_, nullptr)), file_(std::move(other.file_)), hint_(std::move(other.hint_)) {}
  SharedLibrary& operator=(SharedLibrary&& other) noexcept;
  SharedLibrary(const SharedLibrary&) = delete;
  SharedLibrary& operator=(const SharedLibrary&) = delete;
  ~SharedLibrary();

  // The address of `name`. Throws Error(Unavailable) naming the library when it lacks `name`.
  // Valid while this object owns the library.
  void* symbol(const char* name) const;

  // symbol() as a pointer of the function type F.
  template <typename F>
  F function(const char* name) const {
    return reinterpret_cast<F>(symbol(name));
  }

 private:
  SharedLibrary(void* handle, std::string file, std::string hint)
      : handle_(handle), file_(std::move(file)), hint_(std::move(hint)) {}

  void* handle_ = nullptr;
  std::string file_;
  std::string hint_;
};

}  // namespace burrow
