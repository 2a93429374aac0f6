#include "base/logger.h"

#include <sys/time.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>

namespace burrow {

Logger::Logger(int fd, bool debug) : fd_(fd), debug_(debug), journal_(std::getenv("JOURNAL_STREAM") != nullptr) {}

void Logger::log(Level level, std::string_view component, std::string_view message) {
  if (level == Level::Debug && !debug_) return;
  std::string line;
  if (journal_) {
    line += '<';
    line += std::to_string(static_cast<int>(level));
    line += '>';
  } else {
    struct timeval tv;
    ::gettimeofday(&tv, nullptr);
    struct tm tm;
    ::gmtime_r(&tv.tv_sec, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    line += buf;
    line += ' ';
  }
  switch (level) {
    case Level::Debug: line += "[debug] "; break;
    case Level::Info: line += "[info] "; break;
    case Level::Warning: line += "[warn] "; break;
    case Level::Error: line += "[error] "; break;
  }
  line += component;
  line += ": ";
  line += message;
  line += '\n';
  std::lock_guard<std::mutex> lock(mutex_);
  // A log line that cannot be written has nowhere better to go.
  [[maybe_unused]] ssize_t n = ::write(fd_, line.data(), line.size());
}

}  // namespace burrow
