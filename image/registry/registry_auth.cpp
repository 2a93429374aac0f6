#include "image/registry/registry_auth.h"

#include <Poco/JSON/Parser.h>

#include <cctype>

#include "base/error.h"

namespace burrow::image::registry {

namespace {

constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (uint8_t(bytes[i]) << 16) | (uint8_t(bytes[i + 1]) << 8) | uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (size_t left = bytes.size() - i; left > 0) {
    uint32_t v = uint8_t(bytes[i]) << 16;
    if (left == 2) v |= uint8_t(bytes[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += left == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string base64_decode(std::string_view text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (c >= '0' && c <= '9') v = c - '0' + 52;
    else if (c == '+' || c == '-') v = 62;
    else if (c == '/' || c == '_') v = 63;
    else if (c == '=' || c == '\n' || c == '\r') continue;
    else throw Error::bad_parameter("invalid base64 character");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

AuthConfig auth_config_from_json(const Poco::JSON::Object::Ptr& object) {
  AuthConfig config;
  if (!object) return config;
  for (const auto& [key, value] : *object) {
    if (value.isEmpty()) continue;
    std::string k = lower(key);
    std::string v = value.toString();
    if (k == "username") config.username = v;
    else if (k == "password") config.password = v;
    else if (k == "identitytoken") config.identity_token = v;
    else if (k == "registrytoken") config.registry_token = v;
    else if (k == "serveraddress") config.server_address = v;
    else if (k == "auth" && !v.empty() && config.username.empty()) {
      std::string plain = base64_decode(v);
      size_t colon = plain.find(':');
      if (colon != std::string::npos) {
        config.username = plain.substr(0, colon);
        config.password = plain.substr(colon + 1);
      }
    }
  }
  return config;
}

AuthConfig decode_registry_auth_header(std::string_view header) {
  if (header.empty()) return {};
  try {
    Poco::JSON::Parser parser;
    auto value = parser.parse(base64_decode(header));
    return auth_config_from_json(value.extract<Poco::JSON::Object::Ptr>());
  } catch (...) {
    return {};
  }
}

std::vector<AuthChallenge> parse_auth_challenges(std::string_view h) {
  std::vector<AuthChallenge> out;
  size_t i = 0;
  auto skip_space = [&] {
    while (i < h.size() && (h[i] == ' ' || h[i] == '\t')) ++i;
  };
  auto read_token = [&] {
    size_t start = i;
    while (i < h.size() && is_token_char(h[i])) ++i;
    return std::string(h.substr(start, i - start));
  };
  while (i < h.size()) {
    skip_space();
    while (i < h.size() && (h[i] == ',' || h[i] == ' ')) ++i;
    if (i >= h.size()) break;
    std::string scheme = read_token();
    if (scheme.empty()) throw Error::bad_parameter("WWW-Authenticate: no scheme in `" + std::string(h) + "`");
    AuthChallenge challenge{lower(scheme), {}};
    // Parameters: key=value or key="quoted", separated by commas, until the next scheme.
    while (true) {
      skip_space();
      size_t mark = i;
      std::string key = read_token();
      skip_space();
      if (key.empty() || i >= h.size() || h[i] != '=') {
        i = mark;  // a new challenge starts here (or the end)
        break;
      }
      ++i;
      skip_space();
      std::string value;
      if (i < h.size() && h[i] == '"') {
        ++i;
        while (i < h.size() && h[i] != '"') {
          if (h[i] == '\\' && i + 1 < h.size()) ++i;
          value += h[i++];
        }
        if (i < h.size()) ++i;
      } else {
        value = read_token();
      }
      challenge.params[lower(key)] = value;
      skip_space();
      if (i < h.size() && h[i] == ',') ++i;
    }
    out.push_back(std::move(challenge));
  }
  if (out.empty()) throw Error::bad_parameter("WWW-Authenticate: empty challenge");
  return out;
}

}  // namespace burrow::image::registry
