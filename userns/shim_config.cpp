#include "userns/shim_config.h"

#include <sstream>

#include "base/error.h"

namespace burrow::userns {

namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      default: out += c;
    }
  }
  return out;
}

std::string unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char n = s[++i];
    out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
  }
  return out;
}

uint32_t to_u32(const std::string& v, const std::string& line) {
  if (v.empty() || v.size() > 10 || v.find_first_not_of("0123456789") != std::string::npos || std::stoull(v) > 0xffffffffULL)
    throw Error::bad_parameter("shim config line `" + line + "`: not an id");
  return static_cast<uint32_t>(std::stoull(v));
}

bool to_bool(const std::string& v, const std::string& line) {
  if (v == "1") return true;
  if (v == "0") return false;
  throw Error::bad_parameter("shim config line `" + line + "`: not 0 or 1");
}

}  // namespace

std::string serialize_spec(const ContainerSpec& s) {
  std::ostringstream o;
  auto kv = [&](const char* k, const std::string& v) { o << k << ' ' << escape(v) << '\n'; };
  kv("id", s.id);
  kv("bundle_dir", s.bundle_dir);
  kv("rootfs", s.rootfs);
  for (const auto& a : s.args) kv("arg", a);
  for (const auto& e : s.env) kv("env", e);
  kv("cwd", s.cwd);
  kv("uid", std::to_string(s.uid));
  kv("gid", std::to_string(s.gid));
  for (auto g : s.additional_gids) kv("additional_gid", std::to_string(g));
  kv("hostname", s.hostname);
  kv("tty", s.tty ? "1" : "0");
  kv("open_stdin", s.open_stdin ? "1" : "0");
  kv("stdin_once", s.stdin_once ? "1" : "0");
  kv("privileged", s.privileged ? "1" : "0");
  for (const auto& b : s.binds)
    o << "bind " << escape(b.source) << '\t' << escape(b.destination) << '\t' << (b.read_only ? "ro" : "rw") << '\n';
  kv("log_path", s.log_path);
  return o.str();
}

ContainerSpec parse_spec(const std::string& text) {
  ContainerSpec s;
  s.cwd.clear();
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    size_t sp = line.find(' ');
    std::string key = line.substr(0, sp);
    std::string raw = sp == std::string::npos ? std::string() : line.substr(sp + 1);
    std::string v = unescape(raw);
    if (key == "id") s.id = v;
    else if (key == "bundle_dir") s.bundle_dir = v;
    else if (key == "rootfs") s.rootfs = v;
    else if (key == "arg") s.args.push_back(v);
    else if (key == "env") s.env.push_back(v);
    else if (key == "cwd") s.cwd = v;
    else if (key == "uid") s.uid = to_u32(v, line);
    else if (key == "gid") s.gid = to_u32(v, line);
    else if (key == "additional_gid") s.additional_gids.push_back(to_u32(v, line));
    else if (key == "hostname") s.hostname = v;
    else if (key == "tty") s.tty = to_bool(v, line);
    else if (key == "open_stdin") s.open_stdin = to_bool(v, line);
    else if (key == "stdin_once") s.stdin_once = to_bool(v, line);
    else if (key == "privileged") s.privileged = to_bool(v, line);
    else if (key == "log_path") s.log_path = v;
    else if (key == "bind") {
      // Split the raw value on unescaped tabs (escaped ones are "\t" text), then unescape.
      size_t t1 = raw.find('\t');
      size_t t2 = t1 == std::string::npos ? t1 : raw.find('\t', t1 + 1);
      if (t2 == std::string::npos) throw Error::bad_parameter("shim config line `" + line + "`: bind wants source, destination, mode");
      std::string mode = raw.substr(t2 + 1);
      if (mode != "ro" && mode != "rw") throw Error::bad_parameter("shim config line `" + line + "`: bind mode is ro or rw");
      s.binds.push_back({unescape(raw.substr(0, t1)), unescape(raw.substr(t1 + 1, t2 - t1 - 1)), mode == "ro"});
    } else {
      throw Error::bad_parameter("shim config line `" + line + "`: unknown key");
    }
  }
  if (s.cwd.empty()) s.cwd = "/";
  return s;
}

}  // namespace burrow::userns
