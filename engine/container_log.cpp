#include "engine/container_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <deque>

#include <Poco/JSON/Parser.h>

#include "base/sys.h"
#include "engine/container.h"

namespace burrow::engine {

std::optional<LogEntry> parse_log_line(const std::string& line) {
  if (line.empty() || line[0] != '{') return std::nullopt;
  try {
    auto obj = parse_json_object(line);
    LogEntry e;
    e.log = json_string(obj, "log");
    e.stream = json_string(obj, "stream", "stdout");
    e.time = json_string(obj, "time");
    return e;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

LogReader::LogReader(std::string path, std::uint64_t offset) : path_(std::move(path)), offset_(offset) {}

void LogReader::hold() {
  if (!fd_.valid()) fd_ = sys::open(path_, O_RDONLY | O_CREAT, 0600);
}

std::vector<LogEntry> LogReader::read_new() {
  std::vector<LogEntry> out;
  if (!fd_.valid()) {
    auto fd = sys::try_open_at(AT_FDCWD, path_, O_RDONLY);
    if (!fd) return out;
    fd_ = std::move(*fd);
  }
  char buf[65536];
  for (;;) {
    ssize_t n = sys::retry_eintr([&] { return ::pread(fd_.get(), buf, sizeof buf, static_cast<off_t>(offset_)); });
    sys::check(n, "read", path_);
    if (n == 0) break;
    offset_ += static_cast<std::uint64_t>(n);
    partial_.append(buf, static_cast<size_t>(n));
    size_t start = 0;
    for (size_t nl; (nl = partial_.find('\n', start)) != std::string::npos; start = nl + 1) {
      if (auto e = parse_log_line(partial_.substr(start, nl - start))) out.push_back(std::move(*e));
    }
    partial_.erase(0, start);
    if (static_cast<size_t>(n) < sizeof buf) break;
  }
  return out;
}

std::uint64_t file_size(const std::string& path) {
  auto st = sys::try_lstat(path);
  return st ? static_cast<std::uint64_t>(st->st_size) : 0;
}

std::vector<LogEntry> read_log_tail(const std::string& path, long n) {
  LogReader reader(path);
  std::deque<LogEntry> kept;
  for (auto& e : reader.read_new()) {
    kept.push_back(std::move(e));
    if (n >= 0 && kept.size() > static_cast<size_t>(n)) kept.pop_front();
  }
  return {kept.begin(), kept.end()};
}

}  // namespace burrow::engine
