#include "userns/log_line.h"

#include <cstdio>
#include <ctime>

namespace burrow::userns {

namespace {

// Length of the valid UTF-8 sequence at s[i], or 0 when it is invalid (Go's rules: no
// overlongs, no surrogates, nothing above U+10FFFF).
size_t utf8_length(std::string_view s, size_t i, unsigned* code) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned c = b(i);
  size_t n;
  unsigned cp, min;
  if (c < 0x80) {
    *code = c;
    return 1;
  } else if ((c & 0xe0) == 0xc0) {
    n = 2, cp = c & 0x1f, min = 0x80;
  } else if ((c & 0xf0) == 0xe0) {
    n = 3, cp = c & 0x0f, min = 0x800;
  } else if ((c & 0xf8) == 0xf0) {
    n = 4, cp = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + n > s.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((b(i + k) & 0xc0) != 0x80) return 0;
    cp = (cp << 6) | (b(i + k) & 0x3f);
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
  *code = cp;
  return n;
}

}  // namespace

std::string json_escape(std::string_view s) {
  static const char* hex = "0123456789abcdef";
  std::string out;
  out.reserve(s.size() + 16);
  size_t i = 0;
  while (i < s.size()) {
    unsigned cp = 0;
    size_t n = utf8_length(s, i, &cp);
    if (n == 0) {
      out += "\\ufffd";
      ++i;
      continue;
    }
    if (n == 1) {
      char c = s[i];
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
          if (cp < 0x20 || c == '<' || c == '>' || c == '&') {
            out += "\\u00";
            out += hex[cp >> 4];
            out += hex[cp & 0xf];
          } else {
            out += c;
          }
      }
    } else if (cp == 0x2028 || cp == 0x2029) {
      out += cp == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s.substr(i, n));
    }
    i += n;
  }
  return out;
}

std::string format_rfc3339_nano(const struct timespec& ts) {
  struct tm tm;
  ::gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  long ns = ts.tv_nsec;
  if (ns > 0) {
    char frac[32];
    std::snprintf(frac, sizeof frac, ".%09ld", ns);
    std::string f = frac;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  out += 'Z';
  return out;
}

std::string now_rfc3339_nano() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return format_rfc3339_nano(ts);
}

std::string encode_log_line(std::string_view log, std::string_view stream, std::string_view time) {
  std::string out = "{\"log\":\"";
  out += json_escape(log);
  out += "\",\"stream\":\"";
  out += stream;
  out += "\",\"time\":\"";
  out += time;
  out += "\"}\n";
  return out;
}

}  // namespace burrow::userns
