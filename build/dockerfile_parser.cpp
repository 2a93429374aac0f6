#include "build/dockerfile_parser.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "base/error.h"

namespace burrow::build {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    size_t start = i;
    while (i < s.size() && !std::isspace(static_cast<unsigned char>(s[i]))) ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

[[noreturn]] void fail(int line, const std::string& message) {
  if (line > 0) throw Error::bad_parameter("Dockerfile parse error line " + std::to_string(line) + ": " + message);
  throw Error::bad_parameter("Dockerfile parse error in ONBUILD trigger: " + message);
}

void append_utf8(std::string& out, unsigned cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

bool parse_hex4(std::string_view s, size_t at, unsigned& v) {
  if (at + 4 > s.size()) return false;
  v = 0;
  for (size_t k = at; k < at + 4; ++k) {
    char c = s[k];
    v <<= 4;
    if (c >= '0' && c <= '9') v |= static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') v |= static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v |= static_cast<unsigned>(c - 'A' + 10);
    else return false;
  }
  return true;
}

// ENV's key=value form: words split at unquoted whitespace, quotes removed, backslash escapes.
std::vector<std::string> split_env_words(std::string_view s, int line) {
  std::vector<std::string> out;
  std::string cur;
  bool in_word = false;
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) {
        quote = 0;
      } else if (c == '\\' && quote == '"' && i + 1 < s.size()) {
        cur += s[++i];
      } else {
        cur += c;
      }
      continue;
    }
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (in_word) out.push_back(std::move(cur));
      cur.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '\\' && i + 1 < s.size()) {
      cur += s[++i];
    } else {
      cur += c;
    }
  }
  if (quote) fail(line, "ENV: unterminated quote");
  if (in_word) out.push_back(std::move(cur));
  return out;
}

bool valid_env_key(std::string_view k) {
  if (k.empty()) return false;
  return std::all_of(k.begin(), k.end(), [](char c) { return c != '=' && !std::isspace(static_cast<unsigned char>(c)); });
}

void parse_env(Instruction& ins) {
  std::string_view a = ins.args;
  size_t sp = a.find_first_of(" \t");
  std::string_view first = a.substr(0, sp);
  if (first.find('=') == std::string_view::npos) {
    // Docker 0.8's form: ENV key value (the value is the rest of the line).
    if (sp == std::string_view::npos) fail(ins.line, "ENV must have two arguments: ENV key value or ENV key=value");
    std::string value(trim(a.substr(sp)));
    ins.list = {std::string(first), value};
    return;
  }
  for (auto& word : split_env_words(a, ins.line)) {
    size_t eq = word.find('=');
    if (eq == std::string::npos) fail(ins.line, "ENV: \"" + word + "\" is not of the form key=value");
    std::string key = word.substr(0, eq);
    if (!valid_env_key(key)) fail(ins.line, "ENV: invalid variable name \"" + key + "\"");
    ins.list.push_back(key);
    ins.list.push_back(word.substr(eq + 1));
  }
}

void parse_port(const Instruction& ins, const std::string& word) {
  std::string_view p = word;
  size_t slash = p.find('/');
  std::string_view num = p.substr(0, slash);
  if (slash != std::string_view::npos) {
    std::string proto(p.substr(slash + 1));
    std::transform(proto.begin(), proto.end(), proto.begin(), [](unsigned char c) { return std::tolower(c); });
    if (proto != "tcp" && proto != "udp") fail(ins.line, "EXPOSE: invalid protocol in \"" + word + "\"");
  }
  bool digits = !num.empty() && num.size() <= 5 &&
                std::all_of(num.begin(), num.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (!digits || std::stoul(std::string(num)) == 0 || std::stoul(std::string(num)) > 65535)
    fail(ins.line, "EXPOSE: invalid port \"" + word + "\"");
}

const std::set<std::string>& known_keywords() {
  static const std::set<std::string> k = {"FROM", "MAINTAINER", "RUN",  "CMD",     "ENTRYPOINT", "EXPOSE", "ENV",
                                          "ADD",  "COPY",       "VOLUME", "USER", "WORKDIR",    "ONBUILD"};
  return k;
}

}  // namespace

bool parse_json_string_array(std::string_view s, std::vector<std::string>& out) {
  out.clear();
  size_t i = 0;
  auto ws = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')) ++i;
  };
  ws();
  if (i >= s.size() || s[i] != '[') return false;
  ++i;
  ws();
  if (i < s.size() && s[i] == ']') {
    ++i;
    ws();
    return i == s.size();
  }
  for (;;) {
    ws();
    if (i >= s.size() || s[i] != '"') return false;
    ++i;
    std::string v;
    for (;;) {
      if (i >= s.size()) return false;
      char c = s[i++];
      if (c == '"') break;
      if (static_cast<unsigned char>(c) < 0x20) return false;
      if (c != '\\') {
        v += c;
        continue;
      }
      if (i >= s.size()) return false;
      char e = s[i++];
      switch (e) {
        case '"': v += '"'; break;
        case '\\': v += '\\'; break;
        case '/': v += '/'; break;
        case 'b': v += '\b'; break;
        case 'f': v += '\f'; break;
        case 'n': v += '\n'; break;
        case 'r': v += '\r'; break;
        case 't': v += '\t'; break;
        case 'u': {
          unsigned cp;
          if (!parse_hex4(s, i, cp)) return false;
          i += 4;
          if (cp >= 0xD800 && cp < 0xDC00 && i + 6 <= s.size() && s[i] == '\\' && s[i + 1] == 'u') {
            unsigned lo;
            if (parse_hex4(s, i + 2, lo) && lo >= 0xDC00 && lo < 0xE000) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
              i += 6;
            }
          }
          append_utf8(v, cp);
          break;
        }
        default: return false;
      }
    }
    out.push_back(std::move(v));
    ws();
    if (i >= s.size()) return false;
    if (s[i] == ',') {
      ++i;
      continue;
    }
    if (s[i] != ']') return false;
    ++i;
    ws();
    return i == s.size();
  }
}

Instruction parse_instruction(std::string_view text, int line) {
  std::string normalized(trim(text));
  std::replace(normalized.begin(), normalized.end(), '\t', ' ');
  std::string_view t = normalized;
  size_t sp = t.find(' ');
  Instruction ins;
  ins.line = line;
  ins.keyword = std::string(t.substr(0, sp));
  std::transform(ins.keyword.begin(), ins.keyword.end(), ins.keyword.begin(),
                 [](unsigned char c) { return std::toupper(c); });
  ins.args = sp == std::string_view::npos ? std::string() : std::string(trim(t.substr(sp)));
  const std::string& k = ins.keyword;
  if (!known_keywords().count(k)) fail(line, "unknown instruction: " + std::string(t.substr(0, sp)));
  if (ins.args.empty()) fail(line, k + " requires at least one argument");

  if (k == "RUN" || k == "CMD" || k == "ENTRYPOINT") {
    if (!ins.args.empty() && ins.args[0] == '[' && parse_json_string_array(ins.args, ins.list)) {
      ins.json = true;
      if (ins.list.empty() && k == "RUN") fail(line, "RUN requires a command");
    }
  } else if (k == "FROM") {
    ins.list = split_words(ins.args);
    if (ins.list.size() != 1) fail(line, "FROM requires exactly one argument (an image name)");
  } else if (k == "ADD" || k == "COPY") {
    if (ins.args[0] == '[' && parse_json_string_array(ins.args, ins.list)) ins.json = true;
    else ins.list = split_words(ins.args);
    if (!ins.list.empty() && ins.list[0].rfind("--", 0) == 0)
      fail(line, k + ": flags such as " + ins.list[0] + " are not supported");
    if (ins.list.size() < 2) fail(line, k + " requires at least two arguments: a source and a destination");
    for (const auto& w : ins.list)
      if (w.empty()) fail(line, k + ": empty path");
  } else if (k == "VOLUME") {
    if (ins.args[0] == '[' && parse_json_string_array(ins.args, ins.list)) ins.json = true;
    else ins.list = split_words(ins.args);
    if (ins.list.empty()) fail(line, "VOLUME requires at least one path");
    for (const auto& w : ins.list)
      if (w.empty()) fail(line, "VOLUME: empty path");
  } else if (k == "EXPOSE") {
    ins.list = split_words(ins.args);
    for (const auto& w : ins.list) parse_port(ins, w);
  } else if (k == "ENV") {
    parse_env(ins);
  } else if (k == "USER" || k == "WORKDIR") {
    if (split_words(ins.args).size() != 1 && k == "USER") fail(line, "USER requires exactly one argument");
  } else if (k == "ONBUILD") {
    Instruction inner = parse_instruction(ins.args, line);
    if (inner.keyword == "ONBUILD") fail(line, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    if (inner.keyword == "FROM" || inner.keyword == "MAINTAINER")
      fail(line, inner.keyword + " isn't allowed as an ONBUILD trigger");
    ins.trigger = std::make_shared<Instruction>(std::move(inner));
  }
  return ins;
}

std::vector<Instruction> parse_dockerfile(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 byte order mark
  std::vector<Instruction> out;
  std::string pending;
  int pending_line = 0;
  int line_no = 0;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    bool last = nl == std::string_view::npos;
    std::string_view raw = text.substr(pos, last ? std::string_view::npos : nl - pos);
    pos = last ? text.size() + 1 : nl + 1;
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view t = trim(raw);
    if (t.empty() || t[0] == '#') {
      if (last && !pending.empty()) out.push_back(parse_instruction(pending, pending_line));
      continue;  // comments and blank lines, also inside a continuation
    }
    if (pending.empty()) pending_line = line_no;
    bool continues = t.back() == '\\';
    if (continues) {
      // Docker joins "\<newline>" away: the text before and after meet directly.
      std::string_view body = raw;
      while (!body.empty() && std::isspace(static_cast<unsigned char>(body.back()))) body.remove_suffix(1);
      body.remove_suffix(1);
      pending.append(body);
      if (!last) continue;
    } else {
      pending.append(raw);
    }
    out.push_back(parse_instruction(pending, pending_line));
    pending.clear();
  }
  if (out.empty()) throw Error::bad_parameter("The Dockerfile is empty (it holds no instruction)");
  if (out.front().keyword != "FROM")
    fail(out.front().line, "the first instruction must be FROM (found " + out.front().keyword + ")");
  return out;
}

std::string substitute_env(std::string_view text, const std::vector<std::string>& env) {
  auto lookup = [&](std::string_view key, std::string& value) {
    for (const auto& kv : env) {
      size_t eq = kv.find('=');
      if (eq != std::string::npos && std::string_view(kv).substr(0, eq) == key) {
        value = kv.substr(eq + 1);
        return true;
      }
    }
    return false;
  };
  auto is_name = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (c != '$' || i + 1 >= text.size()) {
      out += c;
      ++i;
      continue;
    }
    size_t start = i + 1, end;
    std::string_view key;
    if (text[start] == '{') {
      end = text.find('}', start);
      if (end == std::string_view::npos) {
        out += c;
        ++i;
        continue;
      }
      key = text.substr(start + 1, end - start - 1);
      ++end;
    } else {
      end = start;
      while (end < text.size() && is_name(text[end])) ++end;
      key = text.substr(start, end - start);
    }
    std::string value;
    if (!key.empty() && lookup(key, value)) {
      out += value;
    } else {
      out.append(text.substr(i, end - i));
    }
    i = end;
  }
  return out;
}

}  // namespace burrow::build
