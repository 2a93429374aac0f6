#include "fuse-overlay/overlay_options.h"

#include <limits.h>
#include <stdlib.h>

#include <charconv>

#include "base/error.h"

namespace burrow::fuse_overlay {

namespace {

std::string absolute(const std::string& path, const std::string& what) {
  if (path.empty()) throw Error::bad_parameter(what + " is empty");
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr)
    throw Error::bad_parameter(what + " `" + path + "` does not exist or is not reachable");
  return buf;
}

// Splits `value` at each `separator` not escaped by a backslash, dropping empty parts. With
// keep_escapes the backslashes stay in the parts (a later split undoes them); without, "\x"
// becomes "x".
std::vector<std::string> split_unescaped(const std::string& value, char separator, bool keep_escapes) {
  std::vector<std::string> out;
  std::string cur;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '\\' && i + 1 < value.size()) {
      if (keep_escapes) cur += c;
      cur += value[++i];
    } else if (c == separator) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// Splits a -o value at unescaped commas; lowerdir's escapes stay for split_lowerdirs.
std::vector<std::string> split_options(const std::string& value) { return split_unescaped(value, ',', true); }

bool parse_bool(const std::string& key, const std::string& v) {
  if (v == "1" || v == "yes" || v == "true" || v == "on") return true;
  if (v == "0" || v == "no" || v == "false" || v == "off") return false;
  throw Error::bad_parameter("option " + key + "=" + v + ": expected 0 or 1");
}

unsigned parse_unsigned(const std::string& key, const std::string& v) {
  unsigned n = 0;
  auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (ec != std::errc() || p != v.data() + v.size()) throw Error::bad_parameter("option " + key + "=" + v + ": expected a number");
  return n;
}

void apply_option(OverlayOptions& o, const std::string& opt) {
  auto eq = opt.find('=');
  std::string key = opt.substr(0, eq);
  std::string value = eq == std::string::npos ? "" : opt.substr(eq + 1);
  if (key == "lowerdir") {
    for (auto& d : split_lowerdirs(value)) o.lowerdirs.push_back(absolute(d, "lowerdir"));
  } else if (key == "upperdir") {
    o.upperdir = absolute(value, "upperdir");
  } else if (key == "workdir") {
    o.workdir = absolute(value, "workdir");
  } else if (key == "writeback") {
    o.writeback = parse_bool(key, value);
  } else if (key == "splice") {
    o.splice = parse_bool(key, value);
  } else if (key == "fsync") {
    o.fsync = parse_bool(key, value);
  } else if (key == "timeout") {
    o.timeout = parse_unsigned(key, value);
  } else if (key == "threads") {
    o.threads = std::max(1u, parse_unsigned(key, value));
  } else if (key == "debug") {
    o.debug = true;
  } else if (key == "userxattr" || key == "volatile" || key == "noacl" || key == "lazytime") {
    // Accepted for command-line compatibility with overlayfs / fuse-overlayfs; no effect here.
    if (key == "volatile") o.fsync = false;
  } else {
    o.fuse_options.push_back(opt);
  }
}

}  // namespace

std::vector<std::string> split_lowerdirs(const std::string& value) { return split_unescaped(value, ':', false); }

OverlayOptions parse_overlay_args(const std::vector<std::string>& args, bool for_changes) {
  OverlayOptions o;
  std::vector<std::string> positional;
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-o") {
      if (i + 1 >= args.size()) throw Error::bad_parameter("-o needs a value");
      for (auto& opt : split_options(args[++i])) apply_option(o, opt);
    } else if (a.rfind("-o", 0) == 0 && a.size() > 2) {
      for (auto& opt : split_options(a.substr(2))) apply_option(o, opt);
    } else if (a == "-f") {
      o.foreground = true;
    } else if (a == "-d" || a == "--debug") {
      o.debug = true;
      o.foreground = true;
    } else if (a.rfind("--ready-fd=", 0) == 0) {
      o.ready_fd = static_cast<int>(parse_unsigned("--ready-fd", a.substr(11)));
    } else if (!a.empty() && a[0] == '-') {
      throw Error::bad_parameter("unknown argument " + a + " (see --help)");
    } else {
      positional.push_back(a);
    }
  }
  if (o.lowerdirs.empty()) throw Error::bad_parameter("missing -o lowerdir=DIR[:DIR...]");
  if (for_changes) {
    if (o.upperdir.empty()) throw Error::bad_parameter("--changes needs -o upperdir=DIR");
    return o;
  }
  if (positional.size() != 1) throw Error::bad_parameter("expected exactly one MOUNTPOINT (see --help)");
  o.mountpoint = absolute(positional[0], "mountpoint");
  if (o.upperdir.empty() != o.workdir.empty())
    throw Error::bad_parameter("upperdir and workdir must be given together");
  return o;
}

std::string overlay_usage(const std::string& program) {
  return "usage: " + program +
         " [-f] [-d] -o lowerdir=A[:B...][,upperdir=U,workdir=W][,OPTIONS] MOUNTPOINT\n"
         "A union filesystem with overlayfs semantics and Docker whiteouts (.wh.NAME files).\n"
         "options: writeback=0|1 fsync=0|1 timeout=SECONDS threads=N debug, and libfuse options\n"
         "  -f             stay in the foreground\n"
         "  -d             foreground with libfuse debug output\n"
         "  --ready-fd=N   write \"ok\" to descriptor N once the mount is live (else the error)\n"
         "  --changes      print the upper layer's changes (C/A/D PATH) instead of mounting\n";
}

}  // namespace burrow::fuse_overlay
