#pragma once
// LazyLibrary: a shared library opened on first use instead of at program start, so that code an
// idle burrowd does not run (tar archives, digests, TLS) costs it no resident memory: each such
// library and its dependencies (libarchive pulls in nine) would otherwise be mapped and
// relocated at start. Once open, the library stays loaded until exit.
// Thread-safe: the first symbol() call opens the library, concurrent ones wait for it; a failed
// open is retried by the next call.

#include <mutex>
#include <optional>
#include <string>

#include "base/shared_library.h"

namespace burrow::image {

class LazyLibrary {
 public:
  // `file` and `hint` as for SharedLibrary::open. Opens nothing yet.
  LazyLibrary(std::string file, std::string hint) : file_(std::move(file)), hint_(std::move(hint)) {}
  LazyLibrary(const LazyLibrary&) = delete;
  LazyLibrary& operator=(const LazyLibrary&) = delete;

  // The address of `name`, opening the library first. Throws Error(Unavailable) as
  // SharedLibrary::open and SharedLibrary::symbol do.
  void* symbol(const char* name);

  // symbol() as a pointer of the function type F.
  template <typename F>
  F function(const char* name) {
    return reinterpret_cast<F>(symbol(name));
  }

 private:
  const std::string file_;
  const std::string hint_;
  std::mutex mutex_;                      // guards library_ until it is set
  std::optional<SharedLibrary> library_;  // set once, then only read
};

}  // namespace burrow::image

// Defines the C function `name` (declared by the library's own header, which checks that the
// signature matches) as a forwarder to the same function in `library` (a LazyLibrary&), resolved
// on first call. Callers keep using the library's API unchanged; the program is linked against
// the forwarders instead of the library.
#define BURROW_LAZY_FORWARD(library, ret, name, params, args)                                    \
  extern "C" ret name params {                                                                     \
    static const auto real = (library).function<decltype(&::name)>(#name);                       \
    return real args;                                                                              \
  }
