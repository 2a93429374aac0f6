#include "engine/container_files.h"

#include <fcntl.h>
#include <ftw.h>

#include <set>
#include <sstream>

#include "base/sys.h"

namespace burrow::engine {

namespace {

// These files are written again at every start, so they need no fsync (which costs ~10 ms each
// on a busy disk); a crash leaves at worst a short file that the next start replaces.
void write_plain(const std::string& path, const std::string& content) {
  Fd fd = sys::open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  sys::write_all(fd.get(), content);
}

}  // namespace

void write_container_files(const Container& c) {
  std::string hostname = json_string(c.config, "Hostname");
  std::string domain = json_string(c.config, "Domainname");
  std::string fqdn = domain.empty() ? hostname : hostname + "." + domain;
  write_plain(c.hostname_path, hostname + "\n");
  std::string hosts = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t" + fqdn +
                      (fqdn != hostname ? "\t" + hostname : "") + "\n";
  write_plain(c.hosts_path, hosts);
  std::string resolv = sys::try_read_file("/etc/resolv.conf").value_or("");
  std::vector<std::string> dns = json_strings(c.config, "Dns");
  for (const auto& d : json_strings(c.host_config, "Dns")) dns.push_back(d);
  if (!dns.empty()) {
    std::ostringstream out;
    std::istringstream in(resolv);
    for (std::string line; std::getline(in, line);)
      if (line.rfind("nameserver", 0) != 0) out << line << "\n";
    for (const auto& d : dns) out << "nameserver " << d << "\n";
    resolv = out.str();
  }
  write_plain(c.resolv_conf_path, resolv);
}

namespace {

thread_local long long tl_total = 0;
thread_local std::set<std::pair<dev_t, ino_t>>* tl_seen = nullptr;

int add_size(const char*, const struct stat* st, int type, struct FTW*) {
  if (type == FTW_F && tl_seen->insert({st->st_dev, st->st_ino}).second) tl_total += st->st_size;
  return 0;
}

}  // namespace

long long directory_size(const std::string& dir) {
  std::set<std::pair<dev_t, ino_t>> seen;
  tl_total = 0;
  tl_seen = &seen;
  ::nftw(dir.c_str(), add_size, 32, FTW_PHYS);
  tl_seen = nullptr;
  return tl_total;
}

}  // namespace burrow::engine
