#include "engine/container_top.h"

#include <dirent.h>
#include <unistd.h>

#include <sstream>

#include "base/child_process.h"
#include "base/error.h"

namespace burrow::engine {

namespace {

std::string ns_of(pid_t pid) {
  char buf[128];
  std::string link = "/proc/" + std::to_string(pid) + "/ns/pid";
  ssize_t n = ::readlink(link.c_str(), buf, sizeof buf - 1);
  if (n <= 0) return "";
  return std::string(buf, static_cast<size_t>(n));
}

std::vector<std::string> fields(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

}  // namespace

std::set<pid_t> pids_in_namespace_of(pid_t init_pid) {
  std::string target = ns_of(init_pid);
  if (target.empty()) throw Error::not_found("process " + std::to_string(init_pid) + " is gone");
  std::set<pid_t> pids;
  DIR* d = ::opendir("/proc");
  if (!d) throw Error::io("opendir /proc failed");
  while (struct dirent* e = ::readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end != '\0') continue;
    if (ns_of(static_cast<pid_t>(pid)) == target) pids.insert(static_cast<pid_t>(pid));
  }
  ::closedir(d);
  return pids;
}

TopResult parse_ps_output(const std::string& output, const std::set<pid_t>& pids) {
  std::istringstream in(output);
  std::string header;
  std::getline(in, header);
  TopResult r;
  r.titles = fields(header);
  size_t pid_col = r.titles.size();
  for (size_t i = 0; i < r.titles.size(); ++i)
    if (r.titles[i] == "PID") pid_col = i;
  if (pid_col == r.titles.size()) throw Error::bad_parameter("Couldn't find PID field in ps output");
  for (std::string line; std::getline(in, line);) {
    auto f = fields(line);
    if (f.size() <= pid_col) continue;
    char* end = nullptr;
    long pid = std::strtol(f[pid_col].c_str(), &end, 10);
    if (*end != '\0' || !pids.count(static_cast<pid_t>(pid))) continue;
    if (f.size() > r.titles.size() && !r.titles.empty()) {
      std::string last;
      for (size_t i = r.titles.size() - 1; i < f.size(); ++i) last += (last.empty() ? "" : " ") + f[i];
      f.resize(r.titles.size() - 1);
      f.push_back(last);
    }
    r.processes.push_back(std::move(f));
  }
  return r;
}

TopResult container_top(pid_t init_pid, const std::string& ps_args) {
  std::set<pid_t> pids = pids_in_namespace_of(init_pid);
  std::vector<std::string> argv{"ps"};
  for (auto& a : fields(ps_args.empty() ? "-ef" : ps_args)) argv.push_back(a);
  std::string out;
  try {
    out = run_capture(argv);
  } catch (const Error& e) {
    throw Error::internal("Error running ps: " + std::string(e.what()));
  }
  return parse_ps_output(out, pids);
}

}  // namespace burrow::engine
