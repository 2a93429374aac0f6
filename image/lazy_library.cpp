#include "image/lazy_library.h"

namespace burrow::image {

void* LazyLibrary::symbol(const char* name) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!library_) library_.emplace(SharedLibrary::open(file_, hint_));
  return library_->symbol(name);
}

}  // namespace burrow::image
