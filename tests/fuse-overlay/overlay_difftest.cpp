// overlay_difftest: the differential test of burrow-overlay against the kernel's overlayfs.
//   overlay_difftest layers SEED DOCKER_DIR KERNEL_DIR
//       writes two identical lower layers (l1 top, l2 bottom) in both whiteout formats:
//       Docker (.wh.NAME files, .wh..wh..opq) and kernel (0:0 devices, user.overlay.opaque)
//   overlay_difftest run SEED COUNT KERNEL_MNT OURS_MNT KERNEL_UPPER OURS_UPPER LOWER_L1 LOWER_L2
//       applies COUNT seeded random operations to both mounts, compares each result (errno,
//       data read back), then the merged trees and the normalised upper directories.
// Exit 0 when everything matched; otherwise prints the first differences and exits 1.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <functional>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

namespace {

using Rng = std::mt19937_64;

std::string random_bytes(Rng& rng, size_t n) {
  std::string s(n, '\0');
  for (auto& c : s) c = static_cast<char>('a' + rng() % 26);
  return s;
}

void write_file(const std::string& path, const std::string& data, mode_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) throw std::runtime_error("create " + path + ": " + std::strerror(errno));
  if (::write(fd, data.data(), data.size()) != static_cast<ssize_t>(data.size())) throw std::runtime_error("write " + path);
  ::close(fd);
  ::chmod(path.c_str(), mode);
}

// --- layer generation ---------------------------------------------------------------------

struct LayerWriter {
  std::string docker, kernel;
  void dir(const std::string& rel, mode_t mode = 0755) {
    ::mkdir((docker + "/" + rel).c_str(), mode);
    ::mkdir((kernel + "/" + rel).c_str(), mode);
  }
  void file(const std::string& rel, const std::string& data, mode_t mode = 0644) {
    write_file(docker + "/" + rel, data, mode);
    write_file(kernel + "/" + rel, data, mode);
  }
  void link(const std::string& target, const std::string& rel) {
    if (::symlink(target.c_str(), (docker + "/" + rel).c_str()) != 0 || ::symlink(target.c_str(), (kernel + "/" + rel).c_str()) != 0)
      throw std::runtime_error("symlink " + rel);
  }
  void xattr(const std::string& rel, const std::string& name, const std::string& value) {
    ::lsetxattr((docker + "/" + rel).c_str(), name.c_str(), value.data(), value.size(), 0);
    ::lsetxattr((kernel + "/" + rel).c_str(), name.c_str(), value.data(), value.size(), 0);
  }
  void whiteout(const std::string& dir_rel, const std::string& name) {
    write_file(docker + "/" + dir_rel + "/.wh." + name, "", 0600);
    if (::mknod((kernel + "/" + dir_rel + "/" + name).c_str(), S_IFCHR | 0, makedev(0, 0)) != 0)
      throw std::runtime_error(std::string("mknod whiteout: ") + std::strerror(errno));
  }
  void opaque(const std::string& rel) {
    write_file(docker + "/" + rel + "/.wh..wh..opq", "", 0600);
    if (::setxattr((kernel + "/" + rel).c_str(), "user.overlay.opaque", "y", 1, 0) != 0)
      throw std::runtime_error(std::string("opaque xattr: ") + std::strerror(errno));
  }
};

int make_layers(uint64_t seed, const std::string& docker, const std::string& kernel) {
  Rng rng(seed);
  LayerWriter l2{docker + "/l2", kernel + "/l2"};
  LayerWriter l1{docker + "/l1", kernel + "/l1"};
  for (auto* l : {&l2, &l1}) {
    ::mkdir(l->docker.c_str(), 0755);
    ::mkdir(l->kernel.c_str(), 0755);
  }
  // Bottom layer: a tree of directories, files of many sizes, symlinks and xattrs.
  for (int d = 0; d < 4; ++d) {
    std::string dn = "d" + std::to_string(d);
    l2.dir(dn);
    for (int s = 0; s < 2; ++s) {
      std::string sub = dn + "/d" + std::to_string(s);
      l2.dir(sub, s ? 0700 : 0755);
      for (int f = 0; f < 3; ++f) l2.file(sub + "/f" + std::to_string(f), random_bytes(rng, rng() % 9000));
    }
    for (int f = 0; f < 4; ++f) l2.file(dn + "/f" + std::to_string(f), random_bytes(rng, rng() % 30000), f == 3 ? 0755 : 0644);
    l2.link("f0", dn + "/s0");
    l2.xattr(dn + "/f1", "user.k0", "lower-" + std::to_string(d));
  }
  for (int f = 0; f < 3; ++f) l2.file("f" + std::to_string(f), random_bytes(rng, rng() % 5000));
  // Top layer: overrides, whiteouts of a file and a directory, an opaque directory.
  l1.dir("d0");
  l1.file("d0/f0", random_bytes(rng, 777));
  l1.file("d0/f5", random_bytes(rng, 1234));
  l1.whiteout("d0", "f1");
  l1.whiteout("d0", "d1");
  l1.dir("d1");
  l1.opaque("d1");
  l1.file("d1/f4", random_bytes(rng, 100));
  l1.dir("d2");
  l1.dir("d2/d0");
  l1.file("d2/d0/f4", random_bytes(rng, 4000));
  l1.file("f1", random_bytes(rng, 321));
  return 0;
}

// --- operations ---------------------------------------------------------------------------

struct Side {
  std::string root;
  std::string at(const std::string& rel) const { return root + "/" + rel; }
};

int rc_of(int rc) { return rc < 0 ? errno : 0; }

std::string random_path(Rng& rng, bool dir_like) {
  int depth = 1 + static_cast<int>(rng() % 3);
  std::string p;
  for (int i = 0; i < depth; ++i) {
    bool last = i + 1 == depth;
    std::string comp;
    if (!last || dir_like || rng() % 3 == 0)
      comp = "d" + std::to_string(rng() % 4);
    else
      comp = (rng() % 5 == 0 ? "s" : "f") + std::to_string(rng() % 6);
    p += (p.empty() ? "" : "/") + comp;
  }
  return p;
}

// The names in directory `dir` without "." and ".."; returns 0, or opendir's errno.
int list_dir(const std::string& dir, std::vector<std::string>& names) {
  DIR* d = ::opendir(dir.c_str());
  if (!d) return errno;
  while (auto* e = ::readdir(d))
    if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, "..")) names.emplace_back(e->d_name);
  ::closedir(d);
  return 0;
}

// The extended attributes of `path` (not following a symlink) in the user. namespace, names
// under user.overlay. included; values of up to 4 KiB.
std::vector<std::pair<std::string, std::string>> user_xattrs(const std::string& path) {
  std::vector<std::pair<std::string, std::string>> out;
  char names[4096];
  ssize_t len = ::llistxattr(path.c_str(), names, sizeof names);
  for (char* p = names; len > 0 && p < names + len; p += std::strlen(p) + 1) {
    if (std::strncmp(p, "user.", 5) != 0) continue;
    char v[4096];
    ssize_t vn = ::lgetxattr(path.c_str(), p, v, sizeof v);
    if (vn >= 0) out.emplace_back(p, std::string(v, static_cast<size_t>(vn)));
  }
  return out;
}

bool is_overlay_xattr(const std::string& name) { return name.rfind("user.overlay.", 0) == 0; }

// Recursively copies a directory tree (as mv does across filesystems), keeping hard links
// inside the tree, modes, xattrs and symlinks.
int copy_tree(const std::string& from, const std::string& to, std::map<ino_t, std::string>& links) {
  struct stat st;
  if (::lstat(from.c_str(), &st) != 0) return errno;
  if (S_ISDIR(st.st_mode)) {
    if (::mkdir(to.c_str(), st.st_mode & 07777) != 0) return errno;
    std::vector<std::string> names;
    if (int err = list_dir(from, names)) return err;
    for (auto& n : names)
      if (int err = copy_tree(from + "/" + n, to + "/" + n, links)) return err;
    ::chmod(to.c_str(), st.st_mode & 07777);
  } else if (S_ISLNK(st.st_mode)) {
    char buf[4096];
    ssize_t n = ::readlink(from.c_str(), buf, sizeof buf - 1);
    if (n < 0) return errno;
    buf[n] = 0;
    if (::symlink(buf, to.c_str()) != 0) return errno;
    return 0;
  } else {
    if (st.st_nlink > 1 && links.count(st.st_ino)) return ::link(links[st.st_ino].c_str(), to.c_str()) ? errno : 0;
    int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
    int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
    if (in < 0 || out < 0) return errno;
    char buf[65536];
    ssize_t n;
    while ((n = ::read(in, buf, sizeof buf)) > 0) ::write(out, buf, static_cast<size_t>(n));
    ::close(in);
    ::close(out);
    ::chmod(to.c_str(), st.st_mode & 07777);
    links[st.st_ino] = to;
  }
  for (const auto& [name, value] : user_xattrs(from))
    if (!is_overlay_xattr(name)) ::lsetxattr(to.c_str(), name.c_str(), value.data(), value.size(), 0);
  return 0;
}

int remove_tree(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return errno;
  if (S_ISDIR(st.st_mode)) {
    std::vector<std::string> names;
    if (int err = list_dir(path, names)) return err;
    for (auto& n : names)
      if (int err = remove_tree(path + "/" + n)) return err;
    return ::rmdir(path.c_str()) ? errno : 0;
  }
  return ::unlink(path.c_str()) ? errno : 0;
}

bool tree_has_links(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return false;
  if (!S_ISDIR(st.st_mode)) return st.st_nlink > 1;
  std::vector<std::string> names;
  if (list_dir(path, names) != 0) return false;
  for (auto& n : names)
    if (tree_has_links(path + "/" + n)) return true;
  return false;
}

std::string read_all(const std::string& path, int& err) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    err = errno;
    return {};
  }
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  err = n < 0 ? errno : 0;
  ::close(fd);
  return out;
}

// --- tree snapshots -------------------------------------------------------------------------

// One line per object: path, type, mode, size, links, owner, content/target and user xattrs.
void snapshot(const std::string& root, const std::string& rel, std::map<std::string, std::string>& out, bool upper) {
  std::string dir = rel.empty() ? root : root + "/" + rel;
  std::vector<std::string> names;
  if (list_dir(dir, names) != 0) return;
  for (auto& n : names) {
    std::string p = rel.empty() ? n : rel + "/" + n;
    std::string full = root + "/" + p;
    struct stat st;
    if (::lstat(full.c_str(), &st) != 0) continue;
    std::ostringstream line;
    if (upper && n == ".wh..wh..opq") {
      out[rel + "/<opaque>"] = "opaque";
      continue;
    }
    if (upper && (n.rfind(".wh.", 0) == 0 || (S_ISCHR(st.st_mode) && st.st_rdev == 0))) {
      std::string target = n.rfind(".wh.", 0) == 0 ? n.substr(4) : n;
      out[(rel.empty() ? "" : rel + "/") + target] = "whiteout";
      continue;
    }
    line << std::oct << (st.st_mode) << std::dec << " uid=" << st.st_uid << " gid=" << st.st_gid;
    if (!S_ISDIR(st.st_mode)) line << " size=" << st.st_size << " nlink=" << st.st_nlink;
    if (S_ISREG(st.st_mode)) {
      int err;
      std::string data = read_all(full, err);
      line << " data=" << std::hash<std::string>{}(data) << " err=" << err;
    } else if (S_ISLNK(st.st_mode)) {
      char buf[4096];
      ssize_t len = ::readlink(full.c_str(), buf, sizeof buf - 1);
      line << " -> " << std::string(buf, len > 0 ? static_cast<size_t>(len) : 0);
    }
    std::vector<std::string> xs;
    for (const auto& [name, value] : user_xattrs(full)) {
      if (is_overlay_xattr(name)) {
        if (upper && name == "user.overlay.opaque") out[p + "/<opaque>"] = "opaque";
        continue;
      }
      xs.push_back(name + "=" + value);
    }
    std::sort(xs.begin(), xs.end());
    for (auto& x : xs) line << " " << x;
    out[p] = line.str();
    if (S_ISDIR(st.st_mode)) snapshot(root, p, out, upper);
  }
}

bool exists_as(const std::string& path, bool dir) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode) == dir;
}

// True when the Docker-format lower layers (top first) show a directory at rel.
bool lower_dir_visible(const std::vector<std::string>& lowers, const std::string& rel) {
  std::vector<std::string> active = lowers;
  std::string dir;
  std::stringstream parts(rel);
  std::string comp;
  while (std::getline(parts, comp, '/')) {
    std::vector<std::string> next;
    for (auto& l : active) {
      std::string base = l + (dir.empty() ? "" : "/" + dir);
      if (exists_as(base + "/" + comp, true)) {
        next.push_back(l);
        if (exists_as(base + "/" + comp + "/.wh..wh..opq", false)) break;
      } else if (exists_as(base + "/" + comp, false) || exists_as(base + "/.wh." + comp, false)) {
        break;
      }
    }
    active = next;
    dir += (dir.empty() ? "" : "/") + comp;
    if (active.empty()) return false;
  }
  return true;
}

// Removes opaque marks of upper directories that have no directory below them: they change
// nothing, and the two filesystems set them in different situations.
void drop_meaningless_opaque(std::map<std::string, std::string>& upper, const std::vector<std::string>& lowers) {
  for (auto it = upper.begin(); it != upper.end();) {
    const std::string suffix = "/<opaque>";
    if (it->first.size() > suffix.size() && it->first.compare(it->first.size() - suffix.size(), suffix.size(), suffix) == 0) {
      std::string dir = it->first.substr(0, it->first.size() - suffix.size());
      bool under_opaque = false;  // an opaque ancestor in the upper already hides the lowers
      for (size_t pos = dir.find('/'); pos != std::string::npos; pos = dir.find('/', pos + 1))
        if (upper.count(dir.substr(0, pos) + suffix)) under_opaque = true;
      if (under_opaque || !lower_dir_visible(lowers, dir)) {
        it = upper.erase(it);
        continue;
      }
    }
    ++it;
  }
}

int compare_maps(const std::string& what, const std::map<std::string, std::string>& a,
                 const std::map<std::string, std::string>& b) {
  int diffs = 0;
  std::set<std::string> keys;
  for (auto& [k, v] : a) keys.insert(k);
  for (auto& [k, v] : b) keys.insert(k);
  for (auto& k : keys) {
    auto ia = a.find(k), ib = b.find(k);
    std::string va = ia == a.end() ? "<missing>" : ia->second;
    std::string vb = ib == b.end() ? "<missing>" : ib->second;
    if (va != vb) {
      if (diffs++ < 20) std::cerr << what << " differs at " << k << ":\n  kernel: " << va << "\n  burrow: " << vb << "\n";
    }
  }
  return diffs;
}

int run(uint64_t seed, long count, const Side& kernel, const Side& ours, const std::string& kernel_upper,
        const std::string& ours_upper, const std::vector<std::string>& lowers) {
  Rng rng(seed);
  int mismatches = 0;
  long skipped = 0;
  std::map<std::string, long> done;
  for (long i = 0; i < count && mismatches < 10; ++i) {
    int op = static_cast<int>(rng() % 16);
    std::string p = random_path(rng, false);
    std::string q = random_path(rng, rng() % 2 == 0);
    std::string data = random_bytes(rng, 1 + rng() % 9000);
    off_t off = static_cast<off_t>(rng() % 40000);
    mode_t mode = std::vector<mode_t>{0644, 0600, 0755, 0700, 0444}[rng() % 5];
    std::string xname = "user.k" + std::to_string(rng() % 3);
    std::string name, src, dst;
    std::function<int(const Side&)> apply;
    switch (op) {
      case 0:
        name = "create";
        apply = [&](const Side& s) {
          int fd = ::open(s.at(p).c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
          if (fd < 0) return errno;
          int err = ::write(fd, data.data(), data.size()) < 0 ? errno : 0;
          ::close(fd);
          return err;
        };
        break;
      case 1:
      case 2:
        name = "pwrite";
        apply = [&](const Side& s) {
          int fd = ::open(s.at(p).c_str(), O_WRONLY | O_CLOEXEC);
          if (fd < 0) return errno;
          int err = ::pwrite(fd, data.data(), data.size(), off) < 0 ? errno : 0;
          ::close(fd);
          return err;
        };
        break;
      case 3:
        name = "append";
        apply = [&](const Side& s) {
          int fd = ::open(s.at(p).c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
          if (fd < 0) return errno;
          int err = ::write(fd, data.data(), data.size() % 300) < 0 ? errno : 0;
          ::close(fd);
          return err;
        };
        break;
      case 4:
        name = "truncate";
        apply = [&](const Side& s) { return rc_of(::truncate(s.at(p).c_str(), off)); };
        break;
      case 5:
      case 14:
        name = op == 5 ? "rename" : "rename-dir";
        if (op == 14) {
          src = q;
          dst = random_path(rng, true);
        } else {
          src = p;
          dst = q;
        }
        apply = [&](const Side& s) { return rc_of(::rename(s.at(src).c_str(), s.at(dst).c_str())); };
        break;
      case 6:
        name = "link";
        apply = [&](const Side& s) { return rc_of(::link(s.at(p).c_str(), s.at(q).c_str())); };
        break;
      case 7:
        name = "unlink";
        apply = [&](const Side& s) { return rc_of(::unlink(s.at(p).c_str())); };
        break;
      case 8:
        name = "mkdir";
        apply = [&](const Side& s) { return rc_of(::mkdir(s.at(q).c_str(), mode | 0700)); };
        break;
      case 9:
        name = "rmdir";
        apply = [&](const Side& s) { return rc_of(::rmdir(s.at(q).c_str())); };
        break;
      case 10:
        name = "chmod";
        apply = [&](const Side& s) { return rc_of(::chmod(s.at(p).c_str(), mode)); };
        break;
      case 11:
        name = "setxattr";
        apply = [&](const Side& s) { return rc_of(::lsetxattr(s.at(p).c_str(), xname.c_str(), data.data(), data.size() % 200, 0)); };
        break;
      case 12:
        name = "removexattr";
        apply = [&](const Side& s) { return rc_of(::lremovexattr(s.at(p).c_str(), xname.c_str())); };
        break;
      case 13:
        name = "symlink";
        apply = [&](const Side& s) { return rc_of(::symlink(data.substr(0, 20).c_str(), s.at(p).c_str())); };
        break;
      default:
        name = "read";
        apply = [&](const Side& s) {
          int err;
          std::string got = read_all(s.at(p), err);
          return err ? err : static_cast<int>(std::hash<std::string>{}(got) % 100000) + 1000;
        };
        break;
    }
    int rk = apply(kernel);
    if (rk == EXDEV && (op == 5 || op == 14)) {
      // The kernel refuses to move merged directories; do what mv does: copy, then remove.
      // Moves onto an existing name or of trees with hard links cannot be mirrored exactly.
      struct stat st;
      if (tree_has_links(kernel.at(src)) || ::lstat(kernel.at(dst).c_str(), &st) == 0) {
        ++skipped;
        continue;
      }
      std::map<ino_t, std::string> links;
      rk = copy_tree(kernel.at(src), kernel.at(dst), links);
      if (rk == 0) rk = remove_tree(kernel.at(src));
    }
    int ro = apply(ours);
    done[name]++;
    if (rk != ro) {
      ++mismatches;
      std::cerr << "op " << i << " " << name << " " << p << " " << q << ": kernel " << rk << " (" << std::strerror(rk)
                << "), burrow " << ro << " (" << std::strerror(ro) << ")\n";
    }
  }
  std::cerr << "ops:";
  for (auto& [k, v] : done) std::cerr << " " << k << "=" << v;
  std::cerr << " skipped=" << skipped << "\n";
  std::map<std::string, std::string> mk, mo, uk, uo;
  snapshot(kernel.root, "", mk, false);
  snapshot(ours.root, "", mo, false);
  int tree_diffs = compare_maps("merged tree", mk, mo);
  snapshot(kernel_upper, "", uk, true);
  snapshot(ours_upper, "", uo, true);
  drop_meaningless_opaque(uk, lowers);
  drop_meaningless_opaque(uo, lowers);
  int upper_diffs = compare_maps("upper dir", uk, uo);
  std::cerr << "merged entries " << mk.size() << ", upper entries " << uk.size() << "; op mismatches " << mismatches
            << ", tree diffs " << tree_diffs << ", upper diffs " << upper_diffs << "\n";
  return mismatches == 0 && tree_diffs == 0 && upper_diffs == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    std::vector<std::string> a(argv, argv + argc);
    if (a.size() == 5 && a[1] == "layers") return make_layers(std::stoull(a[2]), a[3], a[4]);
    if (a.size() == 10 && a[1] == "run")
      return run(std::stoull(a[2]), std::stol(a[3]), Side{a[4]}, Side{a[5]}, a[6], a[7], {a[8], a[9]});
    std::cerr << "usage: overlay_difftest layers SEED DOCKER_DIR KERNEL_DIR\n"
                 "       overlay_difftest run SEED COUNT KERNEL_MNT OURS_MNT KERNEL_UPPER OURS_UPPER L1 L2\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "overlay_difftest: " << e.what() << "\n";
    return 2;
  }
}
