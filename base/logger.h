#pragma once
// Logger: one line per event on a file descriptor (stderr by default), prefixed with the level
// and the component ("burrowd", "engine 4f2a1c9b7d3e"). When stderr goes to the journal
// (JOURNAL_STREAM is set) each line also starts with the syslog "<N>" level. Thread-safe.
// Loggers are injected (Logger&), never looked up globally.

#include <mutex>
#include <string>
#include <string_view>

namespace burrow {

class Logger {
 public:
  enum class Level { Debug = 7, Info = 6, Warning = 4, Error = 3 };

  // Writes to `fd` (not owned; must outlive the Logger). Debug lines appear only with `debug`.
  explicit Logger(int fd = 2, bool debug = false);

  void set_debug(bool on) { debug_ = on; }
  bool debug_enabled() const { return debug_; }

  void log(Level level, std::string_view component, std::string_view message);
  void debug(std::string_view component, std::string_view m) { if (debug_) log(Level::Debug, component, m); }
  void info(std::string_view component, std::string_view m) { log(Level::Info, component, m); }
  void warn(std::string_view component, std::string_view m) { log(Level::Warning, component, m); }
  void error(std::string_view component, std::string_view m) { log(Level::Error, component, m); }

 private:
  int fd_;
  bool debug_;
  bool journal_;
  std::mutex mutex_;  // guards writes to fd_, so lines never interleave
};

}  // namespace burrow
