#include "base/random_id.h"

#include <sys/random.h>

#include "base/sys.h"

namespace burrow {

std::string random_id() {
  static const char* hex = "0123456789abcdef";
  for (;;) {
    unsigned char bytes[32];
    size_t got = 0;
    while (got < sizeof bytes) {
      ssize_t n = sys::retry_eintr([&] { return ::getrandom(bytes + got, sizeof bytes - got, 0); });
      got += static_cast<size_t>(sys::check(n, "getrandom"));
    }
    std::string id;
    id.reserve(64);
    for (unsigned char b : bytes) {
      id += hex[b >> 4];
      id += hex[b & 15];
    }
    if (id.substr(0, 12).find_first_not_of("0123456789") != std::string::npos) return id;
  }
}

std::string short_id(std::string_view id) { return std::string(id.substr(0, 12)); }

bool is_full_id(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace burrow
