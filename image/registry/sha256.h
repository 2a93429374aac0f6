#pragma once
// Sha256: incremental SHA-256 (OpenSSL EVP) for blob digests; "sha256:<hex>" results.
// Not thread-safe per object.

#include <cstddef>
#include <string>
#include <string_view>

struct evp_md_ctx_st;

namespace burrow::image::registry {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(const void* data, size_t n);
  // "sha256:<64 hex>"; the object may not be updated afterwards.
  std::string digest();

 private:
  evp_md_ctx_st* ctx_;
};

std::string sha256_digest(std::string_view bytes);

}  // namespace burrow::image::registry
