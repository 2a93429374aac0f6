#pragma once
// Ids as Docker 0.8 made them: 32 random bytes as 64 lowercase hex characters, drawn again when
// the 12-character short form is all digits (it would break hostnames). Thread-safe.

#include <string>
#include <string_view>

namespace burrow {

std::string random_id();
// The first 12 characters of an id.
std::string short_id(std::string_view id);
// True for exactly 64 lowercase hex characters.
bool is_full_id(std::string_view s);

}  // namespace burrow
