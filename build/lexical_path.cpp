#include "build/lexical_path.h"

namespace burrow::build {

LexicalPath LexicalPath::parse(std::string_view path) {
  LexicalPath out;
  std::size_t i = 0;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    std::string_view part = path.substr(i, j - i);
    i = j + 1;
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (out.parts.empty())
        out.escapes = true;
      else
        out.parts.pop_back();
      continue;
    }
    out.parts.emplace_back(part);
  }
  return out;
}

std::string LexicalPath::join(std::size_t n) const {
  std::string out;
  for (std::size_t i = 0; i < n && i < parts.size(); ++i) out += (i ? "/" : "") + parts[i];
  return out.empty() ? "." : out;
}

}  // namespace burrow::build
