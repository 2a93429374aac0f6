#include "base/shared_library.h"

#include <dlfcn.h>

#include "base/error.h"

namespace burrow {

SharedLibrary SharedLibrary::open(const std::string& file, const std::string& hint) {
  void* handle = ::dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* why = ::dlerror();
    throw Error::unavailable("cannot load " + file + ": " + (why ? why : "unknown dlopen failure") + "; " + hint);
  }
  return SharedLibrary(handle, file, hint);
}

SharedLibrary& SharedLibrary::operator=(SharedLibrary&& other) noexcept {
  if (this != &other) {
    if (handle_) ::dlclose(handle_);
    handle_ = std::exchange(other.handle_, nullptr);
    file_ = std::move(other.file_);
    hint_ = std::move(other.hint_);
  }
  return *this;
}

SharedLibrary::~SharedLibrary() {
  if (handle_) ::dlclose(handle_);
}

void* SharedLibrary::symbol(const char* name) const {
  void* address = handle_ ? ::dlsym(handle_, name) : nullptr;
  if (!address) throw Error::unavailable("cannot load " + file_ + ": it has no " + name + "; " + hint_);
  return address;
}

}  // namespace burrow
