#include "userns/attach_protocol.h"

#include <cctype>

#include "base/error.h"

namespace burrow::userns {

namespace {

// The token after "key": in a flat JSON object, or empty when the key is absent.
std::string_view value_of(std::string_view line, std::string_view key) {
  std::string quoted = "\"" + std::string(key) + "\"";
  size_t pos = line.find(quoted);
  if (pos == std::string_view::npos) return {};
  pos += quoted.size();
  while (pos < line.size() && std::isspace(static_cast<unsigned char>(line[pos]))) ++pos;
  if (pos >= line.size() || line[pos] != ':') return {};
  ++pos;
  while (pos < line.size() && std::isspace(static_cast<unsigned char>(line[pos]))) ++pos;
  size_t end = pos;
  if (end < line.size() && line[end] == '[') {
    end = line.find(']', pos);
    if (end == std::string_view::npos) return {};
    return line.substr(pos, end - pos + 1);
  }
  while (end < line.size() && line[end] != ',' && line[end] != '}' && !std::isspace(static_cast<unsigned char>(line[end]))) ++end;
  return line.substr(pos, end - pos);
}

bool bool_of(std::string_view line, std::string_view key) {
  auto v = value_of(line, key);
  if (v.empty() || v == "false" || v == "0") return false;
  if (v == "true" || v == "1") return true;
  throw Error::bad_parameter("attach request: `" + std::string(key) + "` is not a boolean");
}

}  // namespace

std::string encode_frame(uint8_t stream, std::string_view data) {
  std::string out(8, '\0');
  out[0] = static_cast<char>(stream);
  uint32_t n = static_cast<uint32_t>(data.size());
  out[4] = static_cast<char>(n >> 24);
  out[5] = static_cast<char>(n >> 16);
  out[6] = static_cast<char>(n >> 8);
  out[7] = static_cast<char>(n);
  out.append(data);
  return out;
}

std::optional<std::pair<uint8_t, uint32_t>> decode_frame_header(std::string_view h) {
  if (h.size() < 8 || h[1] != 0 || h[2] != 0 || h[3] != 0) return std::nullopt;
  auto b = [&](int i) { return static_cast<uint32_t>(static_cast<unsigned char>(h[i])); };
  return std::make_pair(static_cast<uint8_t>(h[0]), (b(4) << 24) | (b(5) << 16) | (b(6) << 8) | b(7));
}

std::string encode_attach_request(const AttachRequest& r) {
  if (r.resize) return "{\"resize\":[" + std::to_string(r.resize->first) + "," + std::to_string(r.resize->second) + "]}\n";
  auto b = [](bool v) { return v ? "true" : "false"; };
  return std::string("{\"stdin\":") + b(r.in) + ",\"stdout\":" + b(r.out) + ",\"stderr\":" + b(r.err) +
         ",\"replay\":" + b(r.replay) + "}\n";
}

AttachRequest parse_attach_request(std::string_view line) {
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
  if (line.empty() || line.front() != '{' || line.back() != '}')
    throw Error::bad_parameter("attach request: not a JSON object");
  AttachRequest r;
  auto resize = value_of(line, "resize");
  if (!resize.empty()) {
    unsigned rows = 0, cols = 0;
    std::string text(resize);
    if (std::sscanf(text.c_str(), "[%u ,%u]", &rows, &cols) != 2 || rows > 0xffff || cols > 0xffff)
      throw Error::bad_parameter("attach request: resize wants [rows,cols]");
    r.resize = std::make_pair(rows, cols);
    return r;
  }
  r.in = bool_of(line, "stdin");
  r.out = bool_of(line, "stdout");
  r.err = bool_of(line, "stderr");
  r.replay = bool_of(line, "replay");
  return r;
}

}  // namespace burrow::userns
